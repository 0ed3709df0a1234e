package io.swarmsched.dispatcher.selection;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.scheduling.ParentSelector;
import io.swarmsched.scheduling.evaluator.Evaluators;
import io.swarmsched.scheduling.filter.CandidateFilters;
import io.swarmsched.scheduling.filter.FilterParams;
import io.swarmsched.scheduling.health.QuarantineParams;
import io.swarmsched.scheduling.health.QuarantineRule;
import io.swarmsched.scheduling.ledger.HostAllocations;
import io.swarmsched.scheduling.ledger.OptimisticLedger.AllocationCounts;
import io.swarmsched.scheduling.resource.HostLookup;
import io.swarmsched.scheduling.resource.ScoreLookup;
import io.swarmsched.scheduling.retry.RetryParams;
import io.swarmsched.scheduling.retry.RetryPolicy;
import io.swarmsched.scheduling.round.RoundParams;
import io.swarmsched.scheduling.round.SchedulingRound;
import io.swarmsched.scheduling.round.SwarmView;
import io.swarmsched.scheduling.seed.SeedSelector;
import io.swarmsched.scoring.LoadQualityCalculator;
import io.swarmsched.scoring.LoadQualityParams;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The Streams side's one door into scheduling-core: builds core's scheduling round and quarantine
 * rule from the dispatcher's configuration, and turns the dispatcher's stores into the views core
 * reads. No scheduling rule lives here (they are in {@link SchedulingRound} and the classes it
 * calls).
 */
public final class StageOne {
  private final ParentSelector selector;
  private final LoadQualityCalculator calculator;
  private final long seedFailureMemoryMillis;
  private final RetryPolicy retryPolicy;
  private final SchedulingRound round;
  private final QuarantineRule quarantine;

  public StageOne(DispatcherConfig config) {
    LoadQualityParams params = config.loadQuality();
    this.calculator = new LoadQualityCalculator(params);
    this.selector =
        new ParentSelector(
            CandidateFilters.standard(
                new FilterParams(
                    config.defaultUploadSlotLimit(), config.badParentRule(), config.cycleRule())),
            Evaluators.byName(config.policy(), config.weights()),
            config.maxParents(),
            config.candidateLimit());
    this.seedFailureMemoryMillis = config.seedFailureMemory().toMillis();
    this.retryPolicy =
        new RetryPolicy(
            new RetryParams(
                config.retryInterval().toMillis(),
                config.retryJitter(),
                config.backToSourceAfterRounds(),
                config.failAfterRounds(),
                config.maxBackToSourcePerTask()));
    this.round =
        new SchedulingRound(
            selector,
            calculator,
            retryPolicy,
            new SeedSelector(),
            new RoundParams(
                config.seedWaitTimeout().toMillis(),
                seedFailureMemoryMillis,
                config.copyLostRule()));
    this.quarantine =
        new QuarantineRule(
            new QuarantineParams(
                config.quarantineWindow().toMillis(),
                config.quarantineMinSamples(),
                config.quarantineFailureRate(),
                config.quarantineDuration().toMillis()));
  }

  /**
   * Core's scheduling round, configured (one per processor: its seed selector keeps its last ring).
   */
  public SchedulingRound round() {
    return round;
  }

  /** Core's quarantine-by-failure-rate rule, configured. */
  public QuarantineRule quarantine() {
    return quarantine;
  }

  /** What an empty round leads to (retry, back to source, FAILED), and the jittered retry delay. */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** Evaluator, its parameters and N: what every decision names. */
  public String policyId() {
    return selector.policyId();
  }

  /**
   * The hosts as core's round reads them, over the dispatcher's stores: host views (quarantine
   * flags set), scores, online seeds, and the optimistic ledger read in place from the ledger
   * entries, counting only allocations made at or after {@code countFromMillis} (the allocation
   * TTL: a host whose score does not change is not loaded for ever by children that never came).
   */
  public static SwarmView swarm(
      HostLookup hosts,
      ScoreLookup scores,
      Supplier<List<String>> onlineSeeds,
      Predicate<String> quarantined,
      Function<String, HostAllocations> ledger,
      long countFromMillis) {
    AllocationCounts uploads =
        (host, since) -> {
          HostAllocations a = ledger.apply(host);
          return a == null ? 0 : a.since(Math.max(since, countFromMillis));
        };
    return new SwarmView(hosts, scores, onlineSeeds, quarantined, uploads);
  }
}
