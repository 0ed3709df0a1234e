package io.swarmsched.dispatcher.selection;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.state.CoreTaskMirror;
import io.swarmsched.dispatcher.state.LedgerEntry;
import io.swarmsched.dispatcher.state.TaskState;
import io.swarmsched.scheduling.ParentSelector;
import io.swarmsched.scheduling.Selection;
import io.swarmsched.scheduling.SelectionRequest;
import io.swarmsched.scheduling.evaluator.Evaluators;
import io.swarmsched.scheduling.filter.CandidateFilters;
import io.swarmsched.scheduling.filter.FilterParams;
import io.swarmsched.scheduling.ledger.OptimisticLedger;
import io.swarmsched.scheduling.resource.HostLookup;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.ScoreLookup;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.retry.RetryParams;
import io.swarmsched.scheduling.retry.RetryPolicy;
import io.swarmsched.scheduling.seed.SeedFailures;
import io.swarmsched.scheduling.seed.SeedSelector;
import io.swarmsched.scheduling.worker.Placement;
import io.swarmsched.scheduling.worker.PerformanceHistory;
import io.swarmsched.scheduling.worker.WorkerPlacement;
import io.swarmsched.scoring.LoadQualityCalculator;
import io.swarmsched.scoring.LoadQualityParams;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The Streams side's one door into scheduling-core: turns the dispatcher's stored task state and
 * the global host/score tables into core types, and calls core's ParentSelector, SeedSelector and
 * WorkerPlacement. No scheduling rule lives here.
 */
public final class StageOne {
  private final ParentSelector selector;
  private final LoadQualityCalculator calculator;
  private final SeedSelector seeds = new SeedSelector();
  private final WorkerPlacement workers = new WorkerPlacement();
  private final long seedFailureMemoryMillis;
  private final RetryPolicy retryPolicy;

  public StageOne(DispatcherConfig config) {
    LoadQualityParams params = config.loadQuality();
    this.calculator = new LoadQualityCalculator(params);
    this.selector = new ParentSelector(
        CandidateFilters.standard(new FilterParams(config.defaultUploadSlotLimit(), config.badParentRule())),
        Evaluators.byName(config.policy(), config.weights()),
        config.maxParents());
    this.seedFailureMemoryMillis = config.seedFailureMemory().toMillis();
    this.retryPolicy = new RetryPolicy(new RetryParams(config.retryInterval().toMillis(), config.retryJitter(),
        config.backToSourceAfterRounds(), config.failAfterRounds(), config.maxBackToSourcePerTask()));
  }

  /** What an empty round leads to (retry, back to source, FAILED), and the jittered retry delay. */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** Evaluator, its parameters and N: what every decision names. */
  public String policyId() {
    return selector.policyId();
  }

  /** Lookups over the dispatcher's stores, as functions so that this class stays free of Kafka types. */
  public record Lookups(
      Function<String, Optional<HostView>> hosts,
      ScoreLookup scores,
      Function<String, LedgerEntry> ledger) {}

  /**
   * Stage 1 for one requesting peer of {@code task}. Core's task comes from the state's {@link CoreTaskMirror}
   * (kept between requests), and the optimistic ledger reads the allocations straight from the ledger entries.
   */
  public Selection selectParents(String requestId, TaskState state, String peerId, Set<String> blocklist,
      Lookups lookups, long now) {
    Task task = CoreTaskMirror.of(state);
    Function<String, LedgerEntry> entries = lookups.ledger();
    OptimisticLedger ledger = new OptimisticLedger(calculator, (host, since) -> uploadsSince(entries.apply(host), since));
    Function<String, Optional<HostView>> hostFn = lookups.hosts();
    HostLookup hosts = hostFn::apply;
    return selector.select(new SelectionRequest(requestId, task, peerId, blocklist, hosts, lookups.scores(), ledger, now));
  }

  /** Upload allocations in {@code e} at or after {@code since}. */
  static int uploadsSince(LedgerEntry e, long since) {
    return e == null ? 0 : countSince(e.uploadTimes, since);
  }

  private static int countSince(List<Long> times, long since) {
    int n = 0;
    for (long at : times) {
      if (at >= since) n++;
    }
    return n;
  }

  /** The seed that should fetch the task first, skipping those in {@code skip} and recent failures. */
  public Optional<String> chooseSeed(TaskState state, Collection<String> onlineSeeds, Set<String> skip, long now) {
    SeedFailures failures = new SeedFailures(seedFailureMemoryMillis);
    for (Map.Entry<String, Long> f : state.failedSeeds.entrySet()) {
      failures.record(state.taskId, f.getKey(), f.getValue());
    }
    List<String> usable = onlineSeeds.stream().filter(s -> !skip.contains(s)).toList(); // the ring orders them itself
    return seeds.choose(state.taskId, usable, failures, now);
  }

  /**
   * The worker for a job: lowest load ratio among those that meet its requirements. Jobs placed since a worker's
   * heartbeat are read from its ledger entry, and only for the workers that meet the requirements.
   */
  public Placement placeJob(io.swarmsched.schemas.JobRequirements job, Collection<HostView> candidates,
      Function<String, LedgerEntry> ledger) {
    return workers.place(CoreViews.job(job), candidates, (host, since) -> jobsSince(ledger.apply(host), since),
        new PerformanceHistory());
  }

  /** Job allocations in {@code e} at or after {@code since}. */
  static int jobsSince(LedgerEntry e, long since) {
    return e == null ? 0 : countSince(e.jobTimes, since);
  }
}
