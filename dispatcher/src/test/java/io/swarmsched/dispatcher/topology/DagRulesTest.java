package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.state.ServedBytes;
import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stored DAG records who feeds whom now, not history (docs/design.md, "Stage 1"): a finished
 * peer has no in-edges, so acyclicity never starves the first child of a small swarm of the mesh.
 */
class DagRulesTest {
  private DispatcherFixture f;

  @BeforeEach
  void swarm() {
    f = new DispatcherFixture();
    f.host("seed-1", HostType.SUPER_SEED, Liveness.ONLINE);
    for (String h : List.of("h1", "h2", "h3")) f.host(h, HostType.NORMAL, Liveness.ONLINE);
    f.peer("t1", "seed-peer", "seed-1", PeerEventType.BACK_TO_SOURCE, T0);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private List<String> parentsOf(String requestId, String peer, String host, long at) {
    f.send(request(requestId, "t1", peer, host, at).build());
    List<ScheduleDecision> out = f.readDecisions();
    assertThat(out)
        .singleElement()
        .extracting(ScheduleDecision::getOutcome)
        .isEqualTo(DecisionOutcome.PARENTS);
    return out.get(0).getParents().stream().map(ParentCandidate::getPeerId).toList();
  }

  private StoredTask task() {
    KeyValueStore<String, StoredTask> tasks =
        f.driver.getKeyValueStore(DispatcherTopology.TASKS_STORE);
    return tasks.get("t1");
  }

  /** The in-edges of {@code peerId} in the stored task's DAG: its parents. */
  private java.util.Set<String> parentsIn(String peerId) {
    return task().task().dag().parents(peerId);
  }

  /**
   * p1 is the seed's first child; p2 and p3 take p1 (and each other) as parents: every peer
   * descends from p1.
   */
  private void everyPeerDescendsFromTheFirstChild() {
    assertThat(parentsOf("r1", "p1", "h1", T0 + 10)).containsExactly("seed-peer");
    f.peer("t1", "p1", "h1", PeerEventType.RUNNING, T0 + 20);
    assertThat(parentsOf("r2", "p2", "h2", T0 + 30)).contains("p1");
    f.peer("t1", "p2", "h2", PeerEventType.RUNNING, T0 + 40);
    assertThat(parentsOf("r3", "p3", "h3", T0 + 50)).contains("p1", "p2");
    f.peer("t1", "p3", "h3", PeerEventType.RUNNING, T0 + 60);
  }

  @Test
  void whileItsDescendantsDownloadTheFirstChildCanOnlyHaveTheSeed() {
    everyPeerDescendsFromTheFirstChild();
    // p2 and p3 still feed from p1: taking either as p1's parent would close a cycle
    assertThat(parentsOf("r1-more", "p1", "h1", T0 + 70)).containsExactly("seed-peer");
  }

  @Test
  void theFirstChildTakesDescendantsThatHoldMorePiecesThanIt() {
    everyPeerDescendsFromTheFirstChild();
    // p1 fetched one piece from the seed; p2 and p3 three each (from the seed and from p1)
    f.piece("t1", "p1", "h1", "seed-peer", "seed-1", PieceOutcome.FINISHED, 5, T0 + 61);
    for (int i = 0; i < 3; i++) {
      f.piece("t1", "p2", "h2", "seed-peer", "seed-1", PieceOutcome.FINISHED, 5, T0 + 62 + i);
      f.piece("t1", "p3", "h3", "p1", "h1", PieceOutcome.FINISHED, 5, T0 + 62 + i);
    }
    // they surely hold pieces p1 lacks: the cycle rule (more-pieces) lets them through
    assertThat(parentsOf("r1-more", "p1", "h1", T0 + 70)).contains("seed-peer", "p2", "p3");
    assertThat(parentsIn("p1")).contains("p2", "p3");
    assertThat(task().task().dag().children("p1"))
        .as("the edges that led from p1 to its new parents are cut")
        .isEmpty();
    assertThat(task().task().dag().isAcyclic()).isTrue();
  }

  @Test
  void aPeerGivenParentsRunsAtOnceAndTheNextRequesterMayTakeIt() {
    assertThat(parentsOf("r1", "p1", "h1", T0 + 10)).containsExactly("seed-peer");
    assertThat(task().task().peer("p1").orElseThrow().state())
        .as("RUNNING before its agent says so")
        .isEqualTo(io.swarmsched.scheduling.resource.PeerState.RUNNING);
    // no RUNNING event from p1 yet: the next request of the burst gets it beside the seed
    assertThat(parentsOf("r2", "p2", "h2", T0 + 20)).containsExactlyInAnyOrder("seed-peer", "p1");
    f.peer("t1", "p1", "h1", PeerEventType.RUNNING, T0 + 30);
    assertThat(task().task().peer("p1").orElseThrow().state())
        .isEqualTo(io.swarmsched.scheduling.resource.PeerState.RUNNING);
  }

  @Test
  void onceItsDescendantsFinishTheFirstChildGetsThemAsParents() {
    everyPeerDescendsFromTheFirstChild();
    f.peer("t1", "p2", "h2", PeerEventType.SUCCEEDED, T0 + 70);
    f.peer("t1", "p3", "h3", PeerEventType.SUCCEEDED, T0 + 80);
    assertThat(parentsIn("p2")).as("a finished peer has no in-edges").isEmpty();
    assertThat(parentsIn("p3")).isEmpty();

    // the demo's starved agent asked again and again and got "1 offered, 0 new": now the finished
    // peers serve it
    assertThat(parentsOf("r1-more", "p1", "h1", T0 + 90)).contains("p2", "p3");
    assertThat(parentsIn("p1")).as("its in-edges are its new parents").contains("p2", "p3");
  }

  @Test
  void parentsCommittedThenBlocklistedLeaveNoEdgeInCoresDag() {
    assertThat(parentsOf("r1", "p1", "h1", T0 + 10)).containsExactly("seed-peer");
    // p1 asks again, blocklisting the parent it was just given: no candidate is left, it waits for
    // a retry
    f.send(
        request("r1-again", "t1", "p1", "h1", T0 + 20)
            .setReschedule(true)
            .setBlocklist(List.of("seed-peer"))
            .build());
    assertThat(f.readDecisions()).isEmpty();
    assertThat(parentsIn("p1")).isEmpty();
    f.peer("t1", "p1", "h1", PeerEventType.RUNNING, T0 + 30);
    // p1 runs without a parent: it has nothing to give, in core's DAG as in the store
    assertThat(parentsOf("r2", "p2", "h2", T0 + 40)).containsExactly("seed-peer");
  }

  @Test
  void aFinishedPeerAnnouncedFirstHasNoParentsEither() {
    f.peer("t1", "p9", "h1", PeerEventType.SUCCEEDED, T0 + 10);
    assertThat(parentsIn("p9")).isEmpty();
  }

  @Test
  void bytesEachParentServedAreKeptAfterTheChildFinishesAndLosesItsParents() {
    assertThat(parentsOf("r1", "p1", "h1", T0 + 10)).containsExactly("seed-peer");
    f.peer("t1", "p1", "h1", PeerEventType.RUNNING, T0 + 20);
    for (int i = 0; i < 3; i++) {
      f.piece("t1", "p1", "h1", "seed-peer", "seed-1", PieceOutcome.FINISHED, 5, T0 + 30 + i);
    }
    f.piece("t1", "p1", "h1", "seed-peer", "seed-1", PieceOutcome.FAILED, 5, T0 + 40);
    f.piece("t1", "p1", "h1", null, null, PieceOutcome.FINISHED, 5, T0 + 41);
    f.peer("t1", "p1", "h1", PeerEventType.SUCCEEDED, T0 + 50);

    assertThat(parentsIn("p1")).as("a finished peer has no in-edges").isEmpty();
    ServedBytes p1 = task().servedOrNull("p1");
    assertThat(p1.byParent).containsOnlyKeys("seed-peer");
    assertThat(p1.byParent.get("seed-peer").bytes)
        .as("three finished pieces of 1 KiB; the failed one served nothing")
        .isEqualTo(3 * 1024);
    assertThat(p1.byParent.get("seed-peer").pieces).isEqualTo(3);
    assertThat(p1.origin.bytes).isEqualTo(1024);
    assertThat(p1.totalBytes()).isEqualTo(4 * 1024);
  }

  @Test
  void whatAPeerReceivedGoesWithItWhenItLeaves() {
    assertThat(parentsOf("r1", "p1", "h1", T0 + 10)).containsExactly("seed-peer");
    f.piece("t1", "p1", "h1", "seed-peer", "seed-1", PieceOutcome.FINISHED, 5, T0 + 20);
    assertThat(task().servedOrNull("p1")).isNotNull();
    f.peer("t1", "p1", "h1", PeerEventType.LEFT, T0 + 30);
    assertThat(task().servedOrNull("p1")).isNull();
  }
}
