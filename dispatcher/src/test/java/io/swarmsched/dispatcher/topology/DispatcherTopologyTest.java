package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.request;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.terminal;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Requests through the topology: seeds, parents, retries, deadlines, idempotence. */
class DispatcherTopologyTest extends TopologyTestBase {

  @Test
  void firstPeerOfATaskWithoutSeedGoesBackToSource() {
    var f = fixture();
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r1", "t1", "p1", "h1", T0).build());

    List<ScheduleDecision> out = f.readDecisions();
    assertThat(out).hasSize(1);
    ScheduleDecision d = out.get(0);
    assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.BACK_TO_SOURCE);
    assertThat(d.getReason()).isEqualTo("NO_SEED");
    assertThat(d.getTargetHostId()).isEqualTo("h1");
    assertThat(d.getUrl()).isEqualTo("https://origin/t1");
    assertThat(d.getPolicyId()).startsWith("load-aware");
    assertThat(d.getDecidedAt()).isEqualTo(Instant.ofEpochMilli(T0));
  }

  @Test
  void firstPeerOfATaskTriggersASeedAndWaitsUntilTheSeedHoldsIt() {
    var f = fixture();
    f.host("seed-1", HostType.SUPER_SEED, Liveness.ONLINE);
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r1", "t1", "p1", "h1", T0).build());

    List<ScheduleDecision> first = f.readDecisions();
    assertThat(first)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.SEED_TRIGGER);
              assertThat(d.getTargetHostId()).isEqualTo("seed-1");
              assertThat(d.getRequesterHostId()).isEqualTo("h1");
              assertThat(d.getUrl()).isEqualTo("https://origin/t1");
            });

    f.advanceTo(T0 + 100, T0 + 2_000);
    assertThat(f.readDecisions()).as("no terminal decision while the seed has nothing").isEmpty();

    f.peer("t1", "seed-peer", "seed-1", PeerEventType.BACK_TO_SOURCE, T0 + 2_050);
    f.advanceTo(T0 + 2_100, T0 + 3_000);
    List<ScheduleDecision> later = f.readDecisions();
    assertThat(later)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.PARENTS);
              assertThat(d.getRequestId()).isEqualTo("r1");
              assertThat(d.getParents())
                  .extracting(ParentCandidate::getPeerId)
                  .containsExactly("seed-peer");
              assertThat(d.getAttempt()).isGreaterThan(1);
            });
  }

  @Test
  void seedThatFailedTheTaskIsSkippedAndWithNoOtherSeedTheRequesterGoesBackToSource() {
    var f = fixture();
    f.host("seed-1", HostType.SUPER_SEED, Liveness.ONLINE);
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r1", "t1", "p1", "h1", T0).build());
    assertThat(f.readDecisions())
        .extracting(ScheduleDecision::getOutcome)
        .containsExactly(DecisionOutcome.SEED_TRIGGER);

    f.peer("t1", "seed-peer", "seed-1", PeerEventType.FAILED, T0 + 50);
    f.advanceTo(T0 + 100, T0 + 1_000);
    assertThat(terminal(f.readDecisions()))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.BACK_TO_SOURCE);
              assertThat(d.getReason()).isEqualTo("NO_SEED");
            });
  }

  /**
   * The seed's host goes offline before any peer has finished: what it never sent exists only at
   * the origin. The dispatcher's own fresh decision for the seed's child (PARENT_LOST) does not
   * send it to the origin (its agent would not act on it), but the child's next request for more
   * parents does: BACK_TO_SOURCE COPY_LOST, and the peer is the task's source from then on.
   */
  @Test
  void whenTheSeedLeavesBeforeAnyoneFinishedTheNextRequestIsSentBackToSource() {
    var f = fixture();
    f.host("seed-1", HostType.SUPER_SEED, Liveness.ONLINE);
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r1", "t1", "p1", "h1", T0).build());
    f.peer("t1", "seed-peer", "seed-1", PeerEventType.BACK_TO_SOURCE, T0 + 50);
    f.advanceTo(T0 + 100, T0 + 1_000);
    assertThat(terminal(f.readDecisions()))
        .extracting(ScheduleDecision::getOutcome)
        .containsExactly(DecisionOutcome.PARENTS);
    f.peer("t1", "p1", "h1", PeerEventType.RUNNING, T0 + 1_100); // it holds a piece
    f.send(request("r2", "t1", "p2", "h2", T0 + 1_200).build());
    f.peer("t1", "p2", "h2", PeerEventType.RUNNING, T0 + 1_300);
    f.readDecisions();

    // while the seed is online, a request for more with nobody new finds none
    f.send(
        request("r3", "t1", "p1", "h1", T0 + 1_400)
            .setBlocklist(List.of("seed-peer", "p2"))
            .build());
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(d -> assertThat(d.getReason()).isEqualTo("NO_MORE_PARENTS"));

    f.host("seed-1", HostType.SUPER_SEED, Liveness.OFFLINE);
    f.advanceTo(T0 + 1_500, T0 + 6_000);
    List<ScheduleDecision> fresh = f.readDecisions();
    assertThat(fresh)
        .as("the fresh decisions the dispatcher makes unasked")
        .isNotEmpty()
        .noneMatch(d -> d.getOutcome() == DecisionOutcome.BACK_TO_SOURCE);
    assertThat(tasks().get("t1").task().backToSourceCount())
        .as("the seed's peer, until the patrol's LEFT removes it")
        .isLessThanOrEqualTo(1);

    f.send(
        request("r4", "t1", "p1", "h1", T0 + 6_100)
            .setBlocklist(List.of("seed-peer", "p2"))
            .build());
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.BACK_TO_SOURCE);
              assertThat(d.getReason()).isEqualTo("COPY_LOST");
              assertThat(d.getTargetHostId()).isEqualTo("h1");
            });
    StoredTask t1 = tasks().get("t1");
    assertThat(t1.task().peer("p1").orElseThrow().state())
        .isEqualTo(io.swarmsched.scheduling.resource.PeerState.BACK_TO_SOURCE);
    assertThat(t1.task().dag().parents("p1")).isEmpty();

    // the copy is back: p2's request for more is offered p1, not the origin
    f.send(request("r5", "t1", "p2", "h2", T0 + 6_200).build());
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.PARENTS);
              assertThat(d.getParents())
                  .extracting(ParentCandidate::getPeerId)
                  .containsExactly("p1");
            });
  }

  /**
   * The seed's agent stops and says so (LEFT) while its host still looks online for a few
   * heartbeats: the seed is not waited for, and the next request for more parents goes to the
   * origin at once (the demo's --seed-leaves-after waited out the liveness timeout before).
   */
  @Test
  void whenTheSeedsPeerLeavesItsStillOnlineHostIsNotWaitedFor() {
    var f = fixture();
    f.host("seed-1", HostType.SUPER_SEED, Liveness.ONLINE);
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r1", "t1", "p1", "h1", T0).build());
    f.peer("t1", "seed-peer", "seed-1", PeerEventType.BACK_TO_SOURCE, T0 + 50);
    f.advanceTo(T0 + 100, T0 + 1_000);
    f.peer("t1", "p1", "h1", PeerEventType.RUNNING, T0 + 1_100);
    f.readDecisions();

    // it had finished (as the system test's seed had): it left all the same
    f.peer("t1", "seed-peer", "seed-1", PeerEventType.SUCCEEDED, T0 + 1_150);
    f.peer("t1", "seed-peer", "seed-1", PeerEventType.LEFT, T0 + 1_200);
    f.send(request("r2", "t1", "p1", "h1", T0 + 1_300).setBlocklist(List.of("seed-peer")).build());
    List<ScheduleDecision> after = f.readDecisions();
    assertThat(after)
        .as("the seed that left is not triggered again")
        .noneMatch(d -> d.getOutcome() == DecisionOutcome.SEED_TRIGGER);
    assertThat(terminal(after))
        .filteredOn(d -> d.getRequestId().equals("r2"))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.BACK_TO_SOURCE);
              assertThat(d.getReason()).isEqualTo("COPY_LOST");
            });
    StoredTask t1 = tasks().get("t1");
    assertThat(t1.seedHostId).isNull();
    assertThat(t1.failedSeeds).containsKey("seed-1");
  }

  /**
   * A peer's last piece events can be read after its LEFT (another topic; under {@code
   * max.task.idle.ms} -1 the dispatcher does not wait to order them): they do not bring it back as
   * RUNNING, where it would be offered as a parent that is gone. What they say of its parent still
   * counts; its own request brings it back.
   */
  @Test
  void aPieceEventReadAfterItsPeerLeftDoesNotBringThePeerBack() {
    var f = fixture();
    firstPeerBackToSource(f);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.host("h3", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 20).build());
    f.peer("t1", "p2", "h2", PeerEventType.RUNNING, T0 + 30);
    f.readDecisions();

    f.peer("t1", "p2", "h2", PeerEventType.LEFT, T0 + 40);
    f.piece("t1", "p2", "h2", "p1", "h1", PieceOutcome.FINISHED, 10, T0 + 35);
    f.piece("t1", "p2", "h2", "p1", "h1", PieceOutcome.FAILED, 10, T0 + 36);
    StoredTask t1 = tasks().get("t1");
    assertThat(t1.task().peer("p2")).as("p2 stays gone").isEmpty();
    assertThat(t1.departed).containsKey("p2");
    org.apache.kafka.streams.state.KeyValueStore<String, io.swarmsched.dispatcher.state.HostHealth>
        health = f.driver.getKeyValueStore(DispatcherTopology.HOST_HEALTH_STORE);
    assertThat(health.get("h1"))
        .as("its reports on p1's host still count")
        .isNotNull()
        .satisfies(
            h -> {
              assertThat(h.served).isEqualTo(1);
              assertThat(h.failed).isEqualTo(1);
            });

    // a new peer is not offered the one that left
    f.send(request("r3", "t1", "p3", "h3", T0 + 50).build());
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.getParents())
                    .extracting(ParentCandidate::getPeerId)
                    .containsExactly("p1"));

    // its own request brings it back, and then its piece events count again
    f.send(request("r4", "t1", "p2", "h2", T0 + 60).build());
    f.readDecisions();
    f.piece("t1", "p2", "h2", "p1", "h1", PieceOutcome.FINISHED, 10, T0 + 70);
    t1 = tasks().get("t1");
    assertThat(t1.task().peer("p2")).isPresent();
    assertThat(t1.departed).doesNotContainKey("p2");
    assertThat(t1.servedOrNull("p2")).isNotNull();
  }

  @Test
  void secondPeerGetsTheFirstAsParent() {
    var f = fixture();
    firstPeerBackToSource(f);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 20).build());

    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.PARENTS);
              assertThat(d.getTargetHostId()).isEqualTo("h2");
              assertThat(d.getParents())
                  .extracting(ParentCandidate::getPeerId)
                  .containsExactly("p1");
              assertThat(d.getParents().get(0).getPieceServerAddress()).isEqualTo("h1:4000");
              assertThat(d.getAttempt()).isEqualTo(1);
            });
    StoredTask t1 = tasks().get("t1");
    assertThat(t1.task().dag().parents("p2")).containsExactly("p1");
  }

  @Test
  void parentsAreRankedByTotalScoreWithTheirParts() {
    var f = fixture();
    firstPeerBackToSource(f);
    f.host("h3", HostType.NORMAL, Liveness.ONLINE);
    f.peer("t1", "p3", "h3", PeerEventType.SUCCEEDED, T0 + 15);
    f.score("h1", 0.1, 0.1, 0.1);
    f.score("h3", 1.0, 1.0, 1.0);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 20).build());

    ScheduleDecision d = f.readDecisions().get(0);
    assertThat(d.getParents()).extracting(ParentCandidate::getPeerId).containsExactly("p3", "p1");
    ParentCandidate best = d.getParents().get(0);
    // same IDC (1), same location (1), load quality 1 (fresh ledger), normal host (0.5)
    assertThat(best.getTotalScore())
        .isCloseTo(0.2 + 0.1 + 0.6 + 0.05, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(best.getIdcAffinity()).isEqualTo(1.0);
    assertThat(best.getHostTypeScore()).isEqualTo(0.5);
  }

  @Test
  void blocklistedParentsAreNeverChosen() {
    var f = fixture();
    firstPeerBackToSource(f);
    f.host("h3", HostType.NORMAL, Liveness.ONLINE);
    f.peer("t1", "p3", "h3", PeerEventType.SUCCEEDED, T0 + 15);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 20).setBlocklist(List.of("p1")).build());

    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.getParents())
                    .extracting(ParentCandidate::getPeerId)
                    .containsExactly("p3"));
  }

  @Test
  void emptyRoundsAreRetriedAndEndInBackToSourceAfterFour() {
    var f = fixture();
    // p1 holds the task but its host shares nothing: there is a holder, yet no candidate
    f.host("h1", HostType.NORMAL, Liveness.ONLINE, true);
    f.peer("t1", "p1", "h1", PeerEventType.BACK_TO_SOURCE, T0);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 10).build());
    assertThat(f.readDecisions()).as("first empty round is retried, not answered").isEmpty();

    f.advanceTo(T0 + 100, T0 + 5_000);
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.BACK_TO_SOURCE);
              assertThat(d.getReason()).isEqualTo("NO_CANDIDATES");
              assertThat(d.getAttempt()).isEqualTo(4);
            });
  }

  @Test
  void retriesEndInFailedAfterFiveWhenTheTaskIsAtItsBackToSourceLimit() {
    var f = fixture(Map.of(DispatcherConfig.MAX_BACK_TO_SOURCE, "1"));
    f.host("h1", HostType.NORMAL, Liveness.ONLINE, true);
    f.peer("t1", "p1", "h1", PeerEventType.BACK_TO_SOURCE, T0);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 10).build());

    f.advanceTo(T0 + 100, T0 + 6_000);
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.FAILED);
              assertThat(d.getReason()).isEqualTo("BACK_TO_SOURCE_LIMIT");
              assertThat(d.getAttempt()).isEqualTo(5);
            });
  }

  @Test
  void retryIntervalsStayWithinTheJitterBand() {
    var f = fixture();
    f.host("h1", HostType.NORMAL, Liveness.ONLINE, true);
    f.peer("t1", "p1", "h1", PeerEventType.BACK_TO_SOURCE, T0);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0).build());
    f.advanceTo(T0 + 100, T0 + 5_000);
    ScheduleDecision d = f.readDecisions().get(0);
    long elapsed = d.getDecidedAt().toEpochMilli() - T0;
    // three retries of 500 ms +- 25 %, each observed at the next 100 ms step of stream time
    assertThat(elapsed).isBetween(3 * 375L, 3 * 625L + 300);
  }

  @Test
  void aRequestIdSeenAgainGetsTheSameDecisionAgain() {
    var f = fixture();
    firstPeerBackToSource(f);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 20).build());
    f.host("h3", HostType.NORMAL, Liveness.ONLINE);
    f.peer("t1", "p3", "h3", PeerEventType.SUCCEEDED, T0 + 30);
    f.send(request("r2", "t1", "p2", "h2", T0 + 40).build());

    List<ScheduleDecision> out = f.readDecisions();
    assertThat(out).hasSize(2);
    assertThat(out.get(1)).isEqualTo(out.get(0));
    assertThat(out.get(1).getParents())
        .extracting(ParentCandidate::getPeerId)
        .containsExactly("p1");
  }

  @Test
  void aDuplicateOfARequestStillBeingRetriedGetsOnlyOneDecision() {
    var f = fixture();
    f.host("h1", HostType.NORMAL, Liveness.ONLINE, true);
    f.peer("t1", "p1", "h1", PeerEventType.BACK_TO_SOURCE, T0);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 10).build());
    f.send(request("r2", "t1", "p2", "h2", T0 + 20).build());
    f.advanceTo(T0 + 100, T0 + 5_000);
    assertThat(f.readDecisions()).hasSize(1);
  }

  @Test
  void aRequestPastItsDeadlineFails() {
    var f = fixture();
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r1", "t1", "p1", "h1", T0).setDeadline(Instant.ofEpochMilli(T0 - 1)).build());
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.FAILED);
              assertThat(d.getReason()).isEqualTo("DEADLINE_EXCEEDED");
            });
  }

  @Test
  void aRequestWhoseDeadlinePassesWhileRetriedFails() {
    var f = fixture();
    f.host("h1", HostType.NORMAL, Liveness.ONLINE, true);
    f.peer("t1", "p1", "h1", PeerEventType.BACK_TO_SOURCE, T0);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0).setDeadline(Instant.ofEpochMilli(T0 + 700)).build());
    f.advanceTo(T0 + 100, T0 + 5_000);
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.FAILED);
              assertThat(d.getReason()).isEqualTo("DEADLINE_EXCEEDED");
            });
  }

  @Test
  void needBackToSourceGoesBackToSourceAtOnce() {
    var f = fixture();
    firstPeerBackToSource(f);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 20).setNeedBackToSource(true).build());
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.BACK_TO_SOURCE);
              assertThat(d.getReason()).isEqualTo("NEED_BACK_TO_SOURCE");
            });
  }
}
