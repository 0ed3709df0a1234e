package io.swarmsched.dispatcher.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The mirror kept between requests must always be the task a fresh rebuild gives, whatever happened
 * to the stored state in between, and must get there without rebuilding for ordinary changes.
 */
class CoreTaskMirrorTest {

  @Test
  void afterEveryRandomChangeTheMirrorEqualsAFreshRebuild() {
    for (long seed = 1; seed <= 200; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      TaskState state = new TaskState("t-" + seed);
      int nextPeer = 0;
      List<String> left = new ArrayList<>();
      for (int step = 0; step < 300; step++) {
        List<String> ids = new ArrayList<>(state.peers.keySet());
        int op = rnd.nextInt(10);
        long now = 1_000L * step;
        if (ids.isEmpty() || op <= 2) {
          // a new peer (now and then one that left before, coming back under its id), usually with
          // parents among
          // the peers with smaller ids, so that no cycle can form: every edge goes from a smaller
          // id to a larger one
          String id =
              !left.isEmpty() && rnd.nextInt(4) == 0
                  ? left.remove(rnd.nextInt(left.size()))
                  : String.format("p%04d", nextPeer++);
          PeerRecord p = new PeerRecord(id, "h" + rnd.nextInt(20), now);
          List<String> older = ids.stream().filter(x -> x.compareTo(id) < 0).toList();
          for (int k = 0; k < Math.min(older.size(), rnd.nextInt(5)); k++) {
            p.parents.add(
                older.get(rnd.nextInt(older.size()))); // duplicates on purpose now and then
          }
          state.peers.put(p.peerId, p);
        } else {
          PeerRecord p = state.peers.get(ids.get(rnd.nextInt(ids.size())));
          switch (op) {
            case 3 -> p.status = PeerState.values()[rnd.nextInt(4)];
            case 4 -> p.addPieceCost(1 + rnd.nextInt(500), 256);
            case 5 -> {
              p.piecesFinished++;
              p.lastProgressAt = now;
            }
            case 6 -> { // reschedule: new parents, older peers only
              p.parents.clear();
              for (String id : ids) {
                if (id.compareTo(p.peerId) < 0 && rnd.nextInt(4) == 0) p.parents.add(id);
              }
            }
            case 7 -> { // the peer leaves; its children drop it (as the dispatcher does), or keep
              // naming it
              state.peers.remove(p.peerId);
              left.add(p.peerId);
              if (rnd.nextBoolean()) {
                for (PeerRecord c : state.peers.values()) c.parents.remove(p.peerId);
              }
            }
            case 8 ->
                p.parents.add(
                    "gone-" + rnd.nextInt(3)); // a parent that is not (or no longer) a peer
            default -> state.url = "https://origin/" + rnd.nextInt(3);
          }
        }
        if (rnd.nextInt(3) == 0) {
          assertSameTask(
              CoreTaskMirror.of(state),
              CoreTaskMirror.fresh(state),
              "seed " + seed + " step " + step);
        }
      }
      assertSameTask(
          CoreTaskMirror.of(state), CoreTaskMirror.fresh(state), "seed " + seed + " at the end");
      assertThat(state.coreMirror.rebuilds())
          .as("ordinary changes are synced, not rebuilt")
          .isEqualTo(1);
      assertThat(state.coreMirror.syncs()).isPositive();
    }
  }

  @Test
  void aStateThatHoldsACycleFallsBackToTheRebuildsEdgeByEdgeRule() {
    TaskState state = new TaskState("t");
    PeerRecord a = new PeerRecord("a", "h1", 0);
    PeerRecord b = new PeerRecord("b", "h2", 0);
    state.peers.put("a", a);
    state.peers.put("b", b);
    CoreTaskMirror.of(state);
    a.parents.add("b");
    b.parents.add("a"); // a cycle that can only come from a corrupt or hand-made state
    Task mirrored = CoreTaskMirror.of(state);
    assertSameTask(mirrored, CoreTaskMirror.fresh(state), "cycle");
    assertThat(mirrored.dag().isAcyclic()).isTrue();
    assertThat(mirrored.dag().edgeCount()).isEqualTo(1);
    assertThat(state.coreMirror.rebuilds()).isEqualTo(2);
  }

  @Test
  void aTaskStateDecodedFromTheStoreStartsWithoutAMirror() {
    TaskState state = new TaskState("t");
    state.peers.put("a", new PeerRecord("a", "h1", 5));
    CoreTaskMirror.of(state);
    TaskState decoded = TaskStateSerde.decode(TaskStateSerde.encode(state));
    assertThat(decoded.coreMirror).isNull();
    assertSameTask(CoreTaskMirror.of(decoded), CoreTaskMirror.of(state), "decoded");
  }

  private static void assertSameTask(Task actual, Task expected, String where) {
    assertThat(actual.taskId()).as(where).isEqualTo(expected.taskId());
    assertThat(actual.url()).as(where).isEqualTo(expected.url());
    assertThat(actual.peers().stream().map(Peer::peerId).toList())
        .as(where)
        .isEqualTo(expected.peers().stream().map(Peer::peerId).toList());
    for (Peer e : expected.peers()) {
      Peer a = actual.peer(e.peerId()).orElseThrow();
      assertThat(a.hostId()).as(where).isEqualTo(e.hostId());
      assertThat(a.state()).as(where + " state of " + e.peerId()).isEqualTo(e.state());
      assertThat(a.createdAtMillis()).as(where).isEqualTo(e.createdAtMillis());
      assertThat(a.lastProgressMillis()).as(where).isEqualTo(e.lastProgressMillis());
      assertThat(a.piecesFinished()).as(where).isEqualTo(e.piecesFinished());
      assertThat(a.pieceCosts().samples()).as(where).isEqualTo(e.pieceCosts().samples());
      assertThat(a.pieceCosts().last()).as(where).isEqualTo(e.pieceCosts().last());
      assertThat(a.pieceCosts().earlierMean()).as(where).isEqualTo(e.pieceCosts().earlierMean());
      assertThat(actual.dag().parents(e.peerId()))
          .as(where + " parents of " + e.peerId())
          .containsExactlyInAnyOrderElementsOf(expected.dag().parents(e.peerId()));
    }
    assertThat(actual.dag().edgeCount()).as(where).isEqualTo(expected.dag().edgeCount());
  }
}
