package io.swarmsched.scheduling.round;

import io.swarmsched.scheduling.ParentSelector;
import io.swarmsched.scheduling.RankedParent;
import io.swarmsched.scheduling.Selection;
import io.swarmsched.scheduling.SelectionRequest;
import io.swarmsched.scheduling.ledger.OptimisticLedger;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.retry.RetryOutcome;
import io.swarmsched.scheduling.retry.RetryPolicy;
import io.swarmsched.scheduling.seed.SeedFailures;
import io.swarmsched.scheduling.seed.SeedSelector;
import io.swarmsched.scoring.LoadQualityCalculator;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One scheduling round for one request (docs/design.md, "Stage 1" and "Back to source, seeds,
 * retries"), as plain Java: given the request, how far it has come, its task, the task's seed state
 * and the hosts, it returns what happens next. In order:
 *
 * <ol>
 *   <li>past its deadline: FAILED {@code DEADLINE_EXCEEDED};
 *   <li>{@code need_back_to_source}: BACK_TO_SOURCE at once (within the task's back-to-source
 *       limit);
 *   <li>the task's copy lost ({@link PeerRules#copyLost}: peers hold parts, nobody holds or reads
 *       the whole, the triggered seed is not usable): another seed is triggered, or with none the
 *       requester goes BACK_TO_SOURCE {@code COPY_LOST} (within the limit), whatever it asked for;
 *   <li>stage 1 ({@link ParentSelector}): parents found become the requester's in-edges through
 *       core's {@link ParentSelector#commit} (which replaces its former in-edges and never closes a
 *       cycle);
 *   <li>no parent and no other peer holding anything: the task's seed is triggered (chosen by
 *       {@link SeedSelector}, BACK_TO_SOURCE {@code NO_SEED} without one) and the request waits for
 *       it, for at most {@code seedWaitTimeout};
 *   <li>otherwise an empty round: {@link RetryPolicy} says retry, BACK_TO_SOURCE or FAILED, where
 *       FAILED for {@code NO_CANDIDATES} reads {@code BACK_TO_SOURCE_LIMIT} when the task's
 *       back-to-source limit is what kept the peer from the origin.
 * </ol>
 *
 * <p>A round the dispatcher runs unasked ({@link RoundRequest#unasked}) ends FAILED where it would
 * send its peer BACK_TO_SOURCE, and the copy-lost rule does not apply to it.
 *
 * <p>Deterministic: the same inputs give the same outcome. The only change it makes is the
 * requester's in-edges in the task's DAG (step 4); every other effect (stored state, ledger
 * entries, the seed trigger) is the caller's to apply from the outcome. Not thread-safe: the seed
 * selector keeps its last ring (one round per stream thread).
 */
public final class SchedulingRound {

  private final ParentSelector selector;
  private final LoadQualityCalculator calculator;
  private final RetryPolicy retryPolicy;
  private final SeedSelector seeds;
  private final RoundParams params;

  public SchedulingRound(
      ParentSelector selector,
      LoadQualityCalculator calculator,
      RetryPolicy retryPolicy,
      SeedSelector seeds,
      RoundParams params) {
    this.selector = Objects.requireNonNull(selector, "selector");
    this.calculator = Objects.requireNonNull(calculator, "calculator");
    this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
    this.seeds = Objects.requireNonNull(seeds, "seeds");
    this.params = Objects.requireNonNull(params, "params");
  }

  /** Evaluator, its parameters and N: what every decision names. */
  public String policyId() {
    return selector.policyId();
  }

  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /**
   * Runs one round.
   *
   * @param attempt the request's counts before this round ({@link Attempt#FIRST} for a new request)
   * @param enrolled the task with the requester among its peers; called once, and only by rounds
   *     that reach the task's peers (so a request that fails its deadline enrols no peer)
   * @param seedState the task's seed and the seeds that failed it
   * @throws IllegalArgumentException when the enrolled task lacks the requester
   */
  public RoundOutcome run(
      RoundRequest request,
      Attempt attempt,
      Supplier<Task> enrolled,
      SeedState seedState,
      SwarmView swarm,
      long nowMillis) {
    if (RetryPolicy.pastDeadline(nowMillis, request.deadlineMillis())) {
      return new RoundOutcome.Failed(RetryOutcome.DEADLINE_EXCEEDED, attempt.current());
    }
    Task task = enrolled.get();
    Peer me =
        task.peer(request.peerId())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "peer " + request.peerId() + " is not enrolled in task " + task.taskId()));
    if (!PeerRules.keepsInEdges(me.state())) {
      // a round for a peer that has already finished (a retry that was waiting when it did):
      // parents now would put in-edges back on a finished peer, which the DAG must not hold
      return new RoundOutcome.Failed(RoundOutcome.PEER_FINISHED, attempt.current());
    }
    if (request.backToSource()) {
      return backToSource(request, attempt, task, me, RoundOutcome.NEED_BACK_TO_SOURCE, nowMillis);
    }
    if (me.state() == PeerState.BACK_TO_SOURCE && !request.unasked() && attempt.rounds() == 0) {
      // The dispatcher sent this peer to the origin, yet its agent asks for parents: that answer
      // crossed the end of the agent's round (a request for more parents answered COPY_LOST while
      // its last parent failed) and was never acted on. It counts as the task's source, so the
      // copy-lost rule will not fire for it: say it again, or the swarm waits on a source that
      // does not read (a seed-leaving demo: parents, then NO_MORE_PARENTS turned retries, then
      // NO_CANDIDATES 4.6 s later). Only a new request: the later rounds of one already waiting
      // (for a seed, say) go on as they were.
      return new RoundOutcome.BackToSource(RoundOutcome.ALREADY_SOURCE, attempt.current());
    }
    RoundOutcome lost = copyLost(request, attempt, task, me, seedState, swarm, nowMillis);
    if (lost != null) {
      return lost;
    }
    Selection selection =
        selector.select(
            new SelectionRequest(
                request.requestId(),
                task,
                me.peerId(),
                request.blocklist(),
                swarm.hosts(),
                swarm.scores(),
                new OptimisticLedger(calculator, swarm.uploads()),
                nowMillis));
    if (!selection.isEmpty()) {
      return new RoundOutcome.Parents(commit(task, selection, nowMillis), attempt.current());
    }
    if (asksForMore(request, me)) {
      return new RoundOutcome.Failed(RoundOutcome.NO_MORE_PARENTS, attempt.current());
    }
    if (!PeerRules.hasUsableHolder(task, me.peerId(), swarm.hosts())) {
      RoundOutcome waiting = seedStep(request, attempt, task, me, seedState, swarm, nowMillis);
      if (waiting != null) {
        return waiting;
      }
    }
    return afterEmptyRound(request, attempt.empty(), task, me, nowMillis);
  }

  /**
   * A request for more parents: not a reschedule, from a RUNNING peer (its first request comes
   * while it is PENDING; one whose parents all failed or stalled asks with {@code reschedule}). Its
   * in-edges may be gone (rule 5's commit cuts paths to a new parent downstream of a requester, and
   * the child behind a cut edge keeps fetching from that parent), so they are not asked for. With
   * nobody new to offer, waiting through retries that end in back-to-source would move a peer that
   * is downloading fine to BACK_TO_SOURCE and take its in-edges; its agent asks again while it
   * wants more, as the simulator's children do.
   */
  static boolean asksForMore(RoundRequest request, Peer me) {
    return !request.reschedule() && !request.backToSource() && me.state() == PeerState.RUNNING;
  }

  /**
   * Core's commit: the requester's in-edges become the chosen parents. The filters already refused
   * every parent that would close a cycle unless the cycle rule let it through, and for those the
   * commit drops the requester's out-edges that lead to them, so every edge is made; one missing
   * anyway is a bug.
   */
  private List<RankedParent> commit(Task task, Selection selection, long nowMillis) {
    // the caller keeps the allocations in its own store, from the outcome; core's commit records
    // them in this one
    OptimisticLedger discard = new OptimisticLedger(calculator);
    ParentSelector.commit(task, selection, discard, nowMillis);
    Set<String> made = task.dag().parents(selection.peerId());
    List<RankedParent> committed = new ArrayList<>(selection.parents().size());
    for (RankedParent p : selection.parents()) {
      if (!made.contains(p.peerId())) {
        throw new IllegalStateException(
            "the DAG refused the edge "
                + p.peerId()
                + " -> "
                + selection.peerId()
                + " that the filters let through");
      }
      committed.add(p);
    }
    return committed;
  }

  /**
   * The task's copy is lost: pieces the seed never sent before it left exist only at the origin,
   * and the swarm would wait for a peer to stall for {@code parentStallTimeout} several times
   * before going back to source (the simulator's {@code seed-loss}: every peer idle from 21 s to 35
   * s). Instead the next request of any kind, a request for more parents from a starved peer
   * included, brings the copy back: a seed if one can be triggered, else this requester reads what
   * it lacks from the origin and becomes the swarm's source. Null for a round nobody asked for (a
   * fresh decision after a lost parent: its agent has no download waiting for the answer and would
   * not go to the origin), when the copy is not lost, while the triggered seed is still usable (it
   * is coming), or at the back-to-source limit (then someone is reading the whole already).
   */
  private RoundOutcome copyLost(
      RoundRequest r, Attempt a, Task task, Peer me, SeedState s, SwarmView swarm, long now) {
    if (!params.copyLostRule() || r.unasked() || !PeerRules.copyLost(task, swarm.hosts())) {
      return null;
    }
    if (usableSeed(r, s, swarm, now)
        && now - s.triggeredAtMillis() < params.seedWaitTimeoutMillis()) {
      return null;
    }
    Optional<String> chosen = chooseSeed(r, s, swarm, now);
    if (chosen.isPresent()) {
      return new RoundOutcome.SeedTrigger(
          chosen.get(), retry(r, a.seedWait(), RoundOutcome.WAITING_FOR_SEED, now));
    }
    if (retryPolicy.backToSourceAllowed(task.backToSourceCount())) {
      return new RoundOutcome.BackToSource(RoundOutcome.COPY_LOST, a.current());
    }
    return null;
  }

  /**
   * Nobody could give the requester anything: trigger the task's seed (or wait for the one
   * triggered). Null when the seed has had its {@code seedWaitTimeout} and the round counts as
   * empty.
   */
  private RoundOutcome seedStep(
      RoundRequest r, Attempt a, Task task, Peer me, SeedState s, SwarmView swarm, long now) {
    if (!usableSeed(r, s, swarm, now)) {
      Optional<String> chosen = chooseSeed(r, s, swarm, now);
      if (chosen.isEmpty()) {
        return backToSource(r, a, task, me, RoundOutcome.NO_SEED, now);
      }
      return new RoundOutcome.SeedTrigger(
          chosen.get(), retry(r, a.seedWait(), RoundOutcome.WAITING_FOR_SEED, now));
    }
    if (now - s.triggeredAtMillis() < params.seedWaitTimeoutMillis()) {
      return retry(r, a.seedWait(), RoundOutcome.WAITING_FOR_SEED, now);
    }
    return null;
  }

  /**
   * The seed to trigger: the online seeds but the requester's host and quarantined ones, recent
   * failures skipped.
   */
  private Optional<String> chooseSeed(RoundRequest r, SeedState s, SwarmView swarm, long now) {
    SeedFailures failures = new SeedFailures(params.seedFailureMemoryMillis());
    s.failedSeeds().forEach((seed, at) -> failures.record(r.taskId(), seed, at));
    List<String> usable = new ArrayList<>();
    for (String seed : swarm.onlineSeeds().get()) {
      if (!seed.equals(r.hostId()) && !swarm.quarantined().test(seed)) {
        usable.add(seed);
      }
    }
    return seeds.choose(r.taskId(), usable, failures, now);
  }

  /**
   * The task's triggered seed can still serve this requester: online, not failed recently, not on
   * the requester's host.
   */
  private boolean usableSeed(RoundRequest r, SeedState s, SwarmView swarm, long now) {
    String seed = s.seedHostId();
    return seed != null
        && !failedRecently(s, seed, now)
        && isOnline(swarm, seed)
        && !seed.equals(r.hostId());
  }

  private boolean failedRecently(SeedState s, String seed, long now) {
    Long at = s.failedSeeds().get(seed);
    return at != null && now - at < params.seedFailureMemoryMillis();
  }

  private static boolean isOnline(SwarmView swarm, String hostId) {
    return swarm.hosts().host(hostId).map(HostView::isOnline).orElse(false);
  }

  /**
   * To the origin, unless the task is at its back-to-source limit: then the round counts as empty.
   * A round nobody asked for ({@link RoundRequest#unasked}) never sends its peer to the origin: its
   * agent has no download waiting on the answer and would go on as it was, while the dispatcher
   * counted it as the task's source (and the copy-lost rule then saw a copy that nobody reads). It
   * ends FAILED with the reason instead, and the agent's own next request decides.
   */
  private RoundOutcome backToSource(
      RoundRequest r, Attempt a, Task task, Peer me, String reason, long now) {
    if (r.unasked() && me.state() != PeerState.BACK_TO_SOURCE) {
      return new RoundOutcome.Failed(reason, a.current());
    }
    if (retryPolicy.backToSourceAllowed(task.backToSourceCount())
        || me.state() == PeerState.BACK_TO_SOURCE) {
      return new RoundOutcome.BackToSource(reason, a.current());
    }
    return afterEmptyRound(r, a.empty(), task, me, now);
  }

  /** {@code a} counts the empty round just run; the retry policy says what it leads to. */
  private RoundOutcome afterEmptyRound(RoundRequest r, Attempt a, Task task, Peer me, long now) {
    int backToSourceNow = task.backToSourceCount();
    RetryOutcome outcome =
        retryPolicy.afterEmptyRound(
            r.requestId(), a.emptyRounds(), now, r.deadlineMillis(), backToSourceNow);
    if (outcome instanceof RetryOutcome.RetryAt at) {
      return new RoundOutcome.RetryAt(at.atMillis(), at.reason(), a.next());
    }
    if (outcome instanceof RetryOutcome.BackToSource b) {
      return backToSource(r, a, task, me, b.reason(), now);
    }
    String reason = ((RetryOutcome.Failed) outcome).reason();
    if (RetryOutcome.NO_CANDIDATES.equals(reason)
        && !retryPolicy.backToSourceAllowed(backToSourceNow)) {
      reason =
          RetryOutcome
              .BACK_TO_SOURCE_LIMIT; // the more useful of the two: it could have gone to the origin
    }
    return new RoundOutcome.Failed(reason, a.current());
  }

  /** Another round after the policy's jittered delay for this attempt. */
  private RoundOutcome.RetryAt retry(RoundRequest r, Attempt a, String reason, long now) {
    return new RoundOutcome.RetryAt(
        now + retryPolicy.delayMillis(r.requestId(), a.current()), reason, a.next());
  }
}
