package io.swarmsched.scheduling.round;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.scheduling.Fixture;
import io.swarmsched.scheduling.ParentSelector;
import io.swarmsched.scheduling.RankedParent;
import io.swarmsched.scheduling.ledger.AllocationLog;
import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostLookup;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.ScoreLookup;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.retry.RetryOutcome;
import io.swarmsched.scheduling.retry.RetryParams;
import io.swarmsched.scheduling.retry.RetryPolicy;
import io.swarmsched.scheduling.seed.SeedSelector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each rule of one scheduling round, on a small mock cluster. */
class SchedulingRoundTest {
  private static final long NOW = 1_000_000;
  private static final long SEED_WAIT = 60_000;
  private static final long SEED_MEMORY = 1_800_000;

  /**
   * back to source after 2 empty rounds, FAILED after 3, at most 1 peer of a task back to source.
   */
  private static final RetryParams RETRY = new RetryParams(500, 0.25, 2, 3, 1);

  private Fixture f;
  private final List<String> seeds = new ArrayList<>();
  private final Set<String> quarantined = new HashSet<>();
  private final AllocationLog uploads = new AllocationLog();
  private SchedulingRound round;
  private final AtomicInteger enrolments = new AtomicInteger();

  @BeforeEach
  void setUp() {
    f = new Fixture();
    round =
        new SchedulingRound(
            ParentSelector.defaults(),
            f.calculator,
            new RetryPolicy(RETRY),
            new SeedSelector(),
            new RoundParams(SEED_WAIT, SEED_MEMORY));
    f.host("h-me");
    f.peer("me", "h-me", PeerState.PENDING);
  }

  private SwarmView swarm() {
    return new SwarmView(
        HostLookup.of(f.hosts),
        ScoreLookup.of(f.scores),
        () -> List.copyOf(seeds),
        quarantined::contains,
        uploads);
  }

  private Supplier<Task> enrolled() {
    return () -> {
      enrolments.incrementAndGet();
      return f.task;
    };
  }

  private static RoundRequest request(String id) {
    return new RoundRequest(id, "task-1", "me", "h-me", Set.of(), false, false, 0);
  }

  private RoundOutcome run(RoundRequest r, Attempt a, SeedState s) {
    return round.run(r, a, enrolled(), s, swarm(), NOW);
  }

  private RoundOutcome run(RoundRequest r) {
    return run(r, Attempt.FIRST, SeedState.none());
  }

  private void seed(String hostId) {
    f.put(
        HostView.online(
            hostId,
            HostType.SUPER_SEED,
            "idc-a",
            "cn|zj|hz",
            HostCapacity.uploads(64 * Fixture.MIB, 10),
            HostLoad.IDLE));
    seeds.add(hostId);
  }

  @Test
  void aRequestPastItsDeadlineFailsWithoutEnrollingItsPeer() {
    RoundRequest late =
        new RoundRequest("r", "task-1", "me", "h-me", Set.of(), false, false, NOW - 1);
    assertThat(run(late, new Attempt(3, 1, 0), SeedState.none()))
        .isEqualTo(new RoundOutcome.Failed(RetryOutcome.DEADLINE_EXCEEDED, 4));
    assertThat(enrolments).hasValue(0);
  }

  /** A retry that was waiting when its peer finished gives it no parents (no in-edges again). */
  @Test
  void aRoundForAPeerThatHasFinishedFailsAndAddsNoEdge() {
    f.host("h-done");
    f.host("h1");
    f.peer("p1", "h1", PeerState.SUCCEEDED);
    f.peer("done", "h-done", PeerState.SUCCEEDED);
    RoundRequest r = new RoundRequest("r", "task-1", "done", "h-done", Set.of(), false, false, 0);
    assertThat(run(r, new Attempt(2, 0, 0), SeedState.none()))
        .isEqualTo(new RoundOutcome.Failed(RoundOutcome.PEER_FINISHED, 3));
    assertThat(f.task.dag().parents("done")).isEmpty();
  }

  @Test
  void parentsFoundReplaceTheRequestersInEdgesThroughCoresCommit() {
    f.host("h1");
    f.host("h2");
    f.peer("p1", "h1", PeerState.SUCCEEDED);
    f.peer("old", "h2", PeerState.SUCCEEDED);
    f.edge("old", "me");
    RoundRequest r = new RoundRequest("r", "task-1", "me", "h-me", Set.of("old"), true, false, 0);
    RoundOutcome o = run(r);
    assertThat(o).isInstanceOf(RoundOutcome.Parents.class);
    assertThat(((RoundOutcome.Parents) o).parents())
        .extracting(RankedParent::peerId)
        .containsExactly("p1");
    assertThat(((RoundOutcome.Parents) o).attempt()).isEqualTo(1);
    assertThat(f.task.dag().parents("me")).containsExactly("p1");
    assertThat(uploads.size()).as("the caller records allocations, from the outcome").isZero();
  }

  @Test
  void needBackToSourceGoesToTheOriginWithinTheTasksLimit() {
    RoundRequest r = new RoundRequest("r", "task-1", "me", "h-me", Set.of(), false, true, 0);
    assertThat(run(r))
        .isEqualTo(new RoundOutcome.BackToSource(RoundOutcome.NEED_BACK_TO_SOURCE, 1));

    f.host("h1");
    f.peer("other", "h1", PeerState.BACK_TO_SOURCE); // the task's one back-to-source slot is taken
    RoundOutcome o = run(r);
    assertThat(o).isInstanceOf(RoundOutcome.RetryAt.class);
    assertThat(((RoundOutcome.RetryAt) o).next()).isEqualTo(new Attempt(1, 1, 0));
  }

  @Test
  void nobodyHoldsTheTaskSoItsSeedIsTriggeredThenWaitedForThenGivenUp() {
    seed("seed-1");
    RoundOutcome first = run(request("r"));
    assertThat(first).isInstanceOf(RoundOutcome.SeedTrigger.class);
    RoundOutcome.SeedTrigger trigger = (RoundOutcome.SeedTrigger) first;
    assertThat(trigger.seedHostId()).isEqualTo("seed-1");
    assertThat(trigger.retry().reason()).isEqualTo(RoundOutcome.WAITING_FOR_SEED);
    assertThat(trigger.retry().next()).isEqualTo(new Attempt(1, 0, 1));
    assertThat(trigger.retry().atMillis()).isBetween(NOW + 375, NOW + 625);

    // the seed was triggered a moment ago: wait (no second trigger, no empty round)
    SeedState triggered = new SeedState("seed-1", NOW - 1_000, Map.of());
    RoundOutcome waiting = run(request("r"), new Attempt(1, 0, 1), triggered);
    assertThat(waiting).isInstanceOf(RoundOutcome.RetryAt.class);
    assertThat(((RoundOutcome.RetryAt) waiting).reason()).isEqualTo(RoundOutcome.WAITING_FOR_SEED);
    assertThat(((RoundOutcome.RetryAt) waiting).next()).isEqualTo(new Attempt(2, 0, 2));

    // past seed.wait-timeout the round counts as empty
    SeedState stale = new SeedState("seed-1", NOW - SEED_WAIT, Map.of());
    RoundOutcome empty = run(request("r"), new Attempt(2, 0, 2), stale);
    assertThat(empty).isInstanceOf(RoundOutcome.RetryAt.class);
    assertThat(((RoundOutcome.RetryAt) empty).reason()).isEqualTo(RetryOutcome.NO_CANDIDATES);
    assertThat(((RoundOutcome.RetryAt) empty).next()).isEqualTo(new Attempt(3, 1, 2));
  }

  @Test
  void aSeedOnTheRequestersHostQuarantinedOrFailedRecentlyIsNotTriggered() {
    seed("seed-q");
    seed("seed-f");
    quarantined.add("seed-q");
    SeedState failed = new SeedState(null, 0, Map.of("seed-f", NOW - 1));
    assertThat(run(request("r"), Attempt.FIRST, failed))
        .isEqualTo(new RoundOutcome.BackToSource(RoundOutcome.NO_SEED, 1));

    seeds.clear();
    f.put(
        HostView.online(
            "h-me",
            HostType.SUPER_SEED,
            "idc-a",
            "cn|zj|hz",
            HostCapacity.uploads(1, 1),
            HostLoad.IDLE));
    seeds.add("h-me");
    assertThat(run(request("r"))).isEqualTo(new RoundOutcome.BackToSource(RoundOutcome.NO_SEED, 1));

    seed("seed-ok"); // a seed failure older than the memory no longer counts
    SeedState old = new SeedState(null, 0, Map.of("seed-ok", NOW - SEED_MEMORY));
    assertThat(run(request("r"), Attempt.FIRST, old)).isInstanceOf(RoundOutcome.SeedTrigger.class);
  }

  @Test
  void emptyRoundsLeadToBackToSourceThenFailureAtTheLimit() {
    f.host("h1");
    f.peer("p1", "h1", PeerState.SUCCEEDED);
    // p1 and (below) other are blocklisted: no candidate is left, though the task has holders
    RoundRequest r =
        new RoundRequest("r", "task-1", "me", "h-me", Set.of("p1", "other"), false, false, 0);
    RoundOutcome first = run(r);
    assertThat(first).isInstanceOf(RoundOutcome.RetryAt.class);
    assertThat(((RoundOutcome.RetryAt) first).reason()).isEqualTo(RetryOutcome.NO_CANDIDATES);

    assertThat(run(r, new Attempt(1, 1, 0), SeedState.none()))
        .isEqualTo(new RoundOutcome.BackToSource(RetryOutcome.NO_CANDIDATES, 2));

    f.host("h2");
    f.peer("other", "h2", PeerState.BACK_TO_SOURCE); // at the limit: the peer waits
    RoundOutcome limited = run(r, new Attempt(1, 1, 0), SeedState.none());
    assertThat(((RoundOutcome.RetryAt) limited).reason())
        .isEqualTo(RetryOutcome.BACK_TO_SOURCE_LIMIT);
    // and fails saying why it never went to the origin, not merely that no candidate was left
    assertThat(run(r, new Attempt(2, 2, 0), SeedState.none()))
        .isEqualTo(new RoundOutcome.Failed(RetryOutcome.BACK_TO_SOURCE_LIMIT, 3));
  }

  /**
   * A child downloading from its parents asks for more (not a reschedule); with nobody new to offer
   * it is answered at once and keeps its parents and its state: no retries that end in
   * back-to-source, which moved such peers to BACK_TO_SOURCE, took their in-edges and counted them
   * against the task's back-to-source limit (4-5 times per 64 MiB demo).
   */
  @Test
  void aRequestForMoreParentsThatFindsNoneFailsAtOnceKeepingParentsAndState() {
    f.host("h1");
    f.host("h-r");
    f.peer("p1", "h1", PeerState.SUCCEEDED);
    f.peer("runner", "h-r", PeerState.RUNNING);
    f.edge("p1", "runner");
    // p1 on the blocklist, as a child names the parents it has: nobody new to offer
    RoundRequest more =
        new RoundRequest("r", "task-1", "runner", "h-r", Set.of("p1"), false, false, 0);
    assertThat(run(more)).isEqualTo(new RoundOutcome.Failed(RoundOutcome.NO_MORE_PARENTS, 1));
    assertThat(f.task.dag().parents("runner")).containsExactly("p1");
    assertThat(f.task.peer("runner").orElseThrow().state()).isEqualTo(PeerState.RUNNING);
    assertThat(f.task.backToSourceCount()).isZero();

    // also when its in-edges were cut (rule 5's commit) while its agent fetches on
    f.task.dag().deleteInEdges("runner");
    assertThat(
            run(new RoundRequest("r1", "task-1", "runner", "h-r", Set.of("p1"), false, false, 0)))
        .isEqualTo(new RoundOutcome.Failed(RoundOutcome.NO_MORE_PARENTS, 1));
    assertThat(f.task.backToSourceCount()).isZero();

    // asking with reschedule (its parents failed or stalled) still waits and may go to the origin
    RoundRequest again =
        new RoundRequest("r2", "task-1", "runner", "h-r", Set.of("p1"), true, false, 0);
    assertThat(run(again)).isInstanceOf(RoundOutcome.RetryAt.class);
  }

  /**
   * The simulator's seed-loss: the seed leaves before anyone has finished, so the pieces it never
   * sent exist only at the origin. The next request of any kind (here a starved child asking for
   * more parents) sends its peer back to source instead of answering NO_MORE_PARENTS until a child
   * stalls several times over.
   */
  @Test
  void aLostCopyBringsTheSeedBackOrSendsTheRequesterToTheOriginWhateverItAsked() {
    seed("seed-1");
    f.host("h1");
    f.host("h2");
    f.peer("seeder", "seed-1", PeerState.BACK_TO_SOURCE);
    f.peer("runner", "h1", PeerState.RUNNING).recordPiece(10, NOW - 5_000);
    f.peer("other", "h2", PeerState.RUNNING).recordPiece(10, NOW - 5_000);
    f.edge("runner", "other");
    SeedState triggered = new SeedState("seed-1", NOW - 20_000, Map.of());
    HostLookup hosts = HostLookup.of(f.hosts);
    RoundRequest more =
        new RoundRequest("r", "task-1", "runner", "h1", Set.of("other", "seeder"), false, false, 0);

    // its parents on the blocklist, as a child names them; the seed reads the whole: no copy is
    // lost, and a child with nobody new gets NO_MORE_PARENTS
    assertThat(PeerRules.copyLost(f.task, hosts)).isFalse();
    assertThat(run(more, Attempt.FIRST, triggered))
        .isEqualTo(new RoundOutcome.Failed(RoundOutcome.NO_MORE_PARENTS, 1));

    // the seed's host goes offline: its peer still counts in the task, but not as a copy
    f.put(f.hosts.get("seed-1").withLiveness(io.swarmsched.scheduling.resource.Liveness.OFFLINE));
    seeds.remove("seed-1");
    assertThat(PeerRules.hasCompleteCopy(f.task, HostLookup.of(f.hosts))).isFalse();
    assertThat(PeerRules.copyLost(f.task, HostLookup.of(f.hosts))).isTrue();
    // (this test's limit is one peer back to source, and the seed's peer still counts until the
    // patrol's LEFT removes it)
    f.task.removePeer("seeder");
    assertThat(PeerRules.copyLost(f.task, HostLookup.of(f.hosts))).isTrue();
    assertThat(run(more, Attempt.FIRST, triggered))
        .isEqualTo(new RoundOutcome.BackToSource(RoundOutcome.COPY_LOST, 1));
    // not a round the dispatcher runs unasked (a lost parent): its agent would not go to the origin
    RoundRequest unasked =
        new RoundRequest(
            "u", "task-1", "runner", "h1", Set.of("other", "seeder"), true, false, 0, true);
    assertThat(run(unasked, Attempt.FIRST, triggered)).isInstanceOf(RoundOutcome.RetryAt.class);
    // a first request or a reschedule is sent too, and the answer names no parent
    assertThat(run(request("r2"), Attempt.FIRST, triggered))
        .isEqualTo(new RoundOutcome.BackToSource(RoundOutcome.COPY_LOST, 1));
    // with the rule off (swarm.dispatcher.copy.lost.rule=false), the dispatcher before it
    SchedulingRound off =
        new SchedulingRound(
            ParentSelector.defaults(),
            f.calculator,
            new RetryPolicy(RETRY),
            new SeedSelector(),
            new RoundParams(SEED_WAIT, SEED_MEMORY, false));
    assertThat(off.run(more, Attempt.FIRST, enrolled(), triggered, swarm(), NOW))
        .isEqualTo(new RoundOutcome.Failed(RoundOutcome.NO_MORE_PARENTS, 1));

    // another online seed is triggered instead of going to the origin
    seed("seed-2");
    RoundOutcome again = run(more, Attempt.FIRST, triggered);
    assertThat(again).isInstanceOf(RoundOutcome.SeedTrigger.class);
    assertThat(((RoundOutcome.SeedTrigger) again).seedHostId()).isEqualTo("seed-2");
    // and waited for while it is usable: the round goes on as usual meanwhile
    SeedState second = new SeedState("seed-2", NOW - 1_000, Map.of());
    assertThat(run(more, Attempt.FIRST, second))
        .isEqualTo(new RoundOutcome.Failed(RoundOutcome.NO_MORE_PARENTS, 1));
    seeds.remove("seed-2");

    // at the task's back-to-source limit someone reads the whole already: not lost
    f.host("h3");
    f.peer("source", "h3", PeerState.BACK_TO_SOURCE);
    assertThat(PeerRules.copyLost(f.task, HostLookup.of(f.hosts))).isFalse();
    RoundOutcome toSource = run(more, Attempt.FIRST, triggered);
    assertThat(toSource).isInstanceOf(RoundOutcome.Parents.class);
    assertThat(((RoundOutcome.Parents) toSource).parents())
        .extracting(RankedParent::peerId)
        .containsExactly("source");
  }

  /**
   * The dispatcher sent a peer to the origin, but its agent missed the answer (it crossed the end
   * of the agent's round) and asks for parents: it is told again, whatever it asks.
   */
  @Test
  void aPeerAlreadySentToTheOriginThatAsksForParentsIsToldAgain() {
    f.host("h1");
    f.peer("p1", "h1", PeerState.SUCCEEDED);
    f.task.removePeer("me");
    f.peer("me", "h-me", PeerState.BACK_TO_SOURCE);
    RoundRequest reschedule =
        new RoundRequest("r", "task-1", "me", "h-me", Set.of("gone"), true, false, 0);
    assertThat(run(reschedule))
        .isEqualTo(new RoundOutcome.BackToSource(RoundOutcome.ALREADY_SOURCE, 1));
    assertThat(run(request("r2")))
        .isEqualTo(new RoundOutcome.BackToSource(RoundOutcome.ALREADY_SOURCE, 1));
    assertThat(f.task.dag().parents("me")).as("no parents given").isEmpty();
    // a later round of a request already waiting goes on as it was
    assertThat(run(reschedule, new Attempt(1, 0, 1), SeedState.none()))
        .isInstanceOf(RoundOutcome.Parents.class);
    f.task.dag().deleteInEdges("me");
    // a round the dispatcher runs unasked is not an agent asking: it goes on as before
    RoundRequest unasked =
        new RoundRequest("u", "task-1", "me", "h-me", Set.of("gone"), true, false, 0, true);
    assertThat(run(unasked)).isInstanceOf(RoundOutcome.Parents.class);
  }

  /** The copy found last is asked first, and a stale hint never answers for a gone copy. */
  @Test
  void theCompleteCopyHintIsCheckedFirstAndNeverTrustedBlindly() {
    HostLookup hosts = HostLookup.of(f.hosts);
    f.host("h1");
    f.host("h2");
    f.peer("source", "h1", PeerState.BACK_TO_SOURCE);
    f.peer("runner", "h2", PeerState.RUNNING).recordPiece(10, NOW);
    assertThat(PeerRules.hasCompleteCopy(f.task, hosts)).isTrue();
    assertThat(f.task.copyHint()).isEqualTo("source");

    f.put(f.hosts.get("h1").withLiveness(io.swarmsched.scheduling.resource.Liveness.OFFLINE));
    assertThat(PeerRules.hasCompleteCopy(f.task, HostLookup.of(f.hosts))).isFalse();
    assertThat(f.task.copyHint()).isNull();

    f.task.removePeer("source");
    f.peer("done", "h2", PeerState.SUCCEEDED);
    assertThat(PeerRules.hasCompleteCopy(f.task, HostLookup.of(f.hosts))).isTrue();
    assertThat(f.task.copyHint()).isEqualTo("done");
    f.task.removePeer("done");
    assertThat(PeerRules.hasCompleteCopy(f.task, HostLookup.of(f.hosts))).isFalse();
    assertThat(PeerRules.copyLost(f.task, HostLookup.of(f.hosts))).isTrue();
  }

  /** At the start of a task nobody holds any piece: the seed is triggered, never COPY_LOST. */
  @Test
  void noCopyIsLostBeforeAnyPeerHoldsAPiece() {
    f.host("h1");
    f.peer("runner", "h1", PeerState.RUNNING);
    assertThat(PeerRules.copyLost(f.task, HostLookup.of(f.hosts))).isFalse();
    seed("seed-1");
    assertThat(run(request("r"))).isInstanceOf(RoundOutcome.SeedTrigger.class);
    seeds.clear();
    assertThat(run(request("r"))).isEqualTo(new RoundOutcome.BackToSource(RoundOutcome.NO_SEED, 1));
    // a round the dispatcher runs unasked never sends its peer to the origin: it ends FAILED
    RoundRequest unasked =
        new RoundRequest("u", "task-1", "me", "h-me", Set.of(), true, false, 0, true);
    assertThat(run(unasked)).isEqualTo(new RoundOutcome.Failed(RoundOutcome.NO_SEED, 1));
  }

  @Test
  void aPeerAlreadyBackToSourceMayGoBackEvenAtTheLimit() {
    f.host("h1");
    f.peer("other", "h1", PeerState.BACK_TO_SOURCE);
    f.task.removePeer("me");
    f.peer("me", "h-me", PeerState.BACK_TO_SOURCE);
    RoundRequest r = new RoundRequest("r", "task-1", "me", "h-me", Set.of(), false, true, 0);
    assertThat(run(r))
        .isEqualTo(new RoundOutcome.BackToSource(RoundOutcome.NEED_BACK_TO_SOURCE, 1));
  }

  @Test
  void theEnrolledTaskMustHoldTheRequester() {
    f.task.removePeer("me");
    assertThatThrownBy(() -> run(request("r")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("me");
  }

  @Test
  void aUsableHolderIsAFinishedOrBackToSourcePeerOrARunningOneWithAParentOrOnASeed() {
    HostLookup hosts = HostLookup.of(f.hosts);
    f.host("h1");
    f.peer("running", "h1", PeerState.RUNNING);
    assertThat(PeerRules.hasUsableHolder(f.task, "me", hosts)).isFalse();
    assertThat(PeerRules.hasUsableHolder(f.task, "running", hosts)).isFalse();

    f.host("h2");
    f.peer("done", "h2", PeerState.SUCCEEDED);
    assertThat(PeerRules.hasUsableHolder(f.task, "me", hosts)).isTrue();
    assertThat(PeerRules.hasUsableHolder(f.task, "done", hosts)).as("not itself").isFalse();
    f.edge("done", "running");
    assertThat(PeerRules.hasUsableHolder(f.task, "done", hosts))
        .as("running with a parent")
        .isTrue();

    Fixture g = new Fixture();
    g.put(
        HostView.online(
            "s", HostType.SUPER_SEED, "", "", HostCapacity.uploads(1, 1), HostLoad.IDLE));
    g.peer("on-seed", "s", PeerState.RUNNING);
    assertThat(PeerRules.hasUsableHolder(g.task, "me", HostLookup.of(g.hosts))).isTrue();
  }

  @Test
  void onlyAFinishedPeerDropsItsInEdges() {
    for (PeerState s : PeerState.values()) {
      assertThat(PeerRules.keepsInEdges(s)).as(s.name()).isEqualTo(s != PeerState.SUCCEEDED);
    }
  }
}
