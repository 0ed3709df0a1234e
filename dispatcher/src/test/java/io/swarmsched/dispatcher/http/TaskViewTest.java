package io.swarmsched.dispatcher.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.state.PeerRecord;
import io.swarmsched.dispatcher.state.TaskState;
import io.swarmsched.scheduling.resource.PeerState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The task view's DAG edges: current parents and who served how much, in one edge per pair. */
class TaskViewTest {

  @Test
  @SuppressWarnings("unchecked")
  void edgesCarryTheBytesEachParentServedAndStayAfterTheChildFinishes() {
    TaskState t = new TaskState("t1");
    PeerRecord seed = new PeerRecord("seed-peer", "seed-0", 0);
    seed.status = PeerState.SUCCEEDED;
    seed.received.fromOrigin(4_096);
    PeerRecord running = new PeerRecord("p1", "h1", 0);
    running.status = PeerState.RUNNING;
    running.parents = List.of("seed-peer", "p2");
    running.received.fromParent("seed-peer", 1_000);
    running.received.fromParent("seed-peer", 1_000);
    running.received.fromParent("gone-peer", 500); // served, then left the task
    PeerRecord done = new PeerRecord("p2", "h2", 0);
    done.status = PeerState.SUCCEEDED; // a finished peer has no parents any more
    done.received.fromParent("seed-peer", 3_000);
    done.received.fromOrigin(1_096);
    for (PeerRecord p : List.of(seed, running, done)) t.peers.put(p.peerId, p);

    Map<String, Object> view = TaskView.of(t);
    List<Map<String, Object>> edges =
        (List<Map<String, Object>>) ((Map<String, Object>) view.get("dag")).get("edges");
    assertThat(edges)
        .extracting(e -> e.get("from") + "->" + e.get("to"))
        .containsExactly("seed-peer->p1", "p2->p1", "gone-peer->p1", "seed-peer->p2");
    assertThat(edges)
        .extracting(e -> e.get("bytes") + "/" + e.get("pieces") + "/" + e.get("current"))
        .containsExactly("2000/2/true", "0/0/true", "500/1/false", "3000/1/false");

    List<Map<String, Object>> peers = (List<Map<String, Object>>) view.get("peers");
    Map<String, Object> p2 =
        peers.stream().filter(p -> p.get("peer_id").equals("p2")).findFirst().orElseThrow();
    assertThat(p2)
        .containsEntry("bytes_received", 4_096L)
        .containsEntry("bytes_from_origin", 1_096L)
        .containsEntry("pieces_from_origin", 1)
        .containsEntry("bytes_from_unlisted_parents", 0L);
  }
}
