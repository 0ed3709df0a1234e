package io.swarmsched.dispatcher.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.stats.PieceCostStats;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The task view's DAG edges: current parents and who served how much, in one edge per pair. */
class TaskViewTest {

  @Test
  @SuppressWarnings("unchecked")
  void edgesCarryTheBytesEachParentServedAndStayAfterTheChildFinishes() {
    Task t = new Task("t1", "u");
    Peer seed = new Peer("seed-peer", "t1", "seed-0", PeerState.SUCCEEDED, 0, 0, 0, 0, costs());
    Peer running = new Peer("p1", "t1", "h1", PeerState.RUNNING, 0, 0, 0, 0, costs());
    // a finished peer has no parents any more
    Peer done = new Peer("p2", "t1", "h2", PeerState.SUCCEEDED, 0, 0, 0, 0, costs());
    for (Peer p : List.of(seed, running, done)) t.addPeer(p);
    t.dag().addEdge("seed-peer", "p1");
    t.dag().addEdge("p2", "p1");
    StoredTask stored = new StoredTask(t);
    stored.servedTo("seed-peer").fromOrigin(4_096);
    stored.servedTo("p1").fromParent("seed-peer", 1_000);
    stored.servedTo("p1").fromParent("seed-peer", 1_000);
    stored.servedTo("p1").fromParent("gone-peer", 500); // served, then left the task
    stored.servedTo("p2").fromParent("seed-peer", 3_000);
    stored.servedTo("p2").fromOrigin(1_096);

    Map<String, Object> view = TaskView.of(stored);
    List<Map<String, Object>> edges =
        (List<Map<String, Object>>) ((Map<String, Object>) view.get("dag")).get("edges");
    assertThat(edges)
        .extracting(e -> e.get("from") + "->" + e.get("to"))
        .as("peers by id; a child's current parents by id first, then those that served it before")
        .containsExactly("p2->p1", "seed-peer->p1", "gone-peer->p1", "seed-peer->p2");
    assertThat(edges)
        .extracting(e -> e.get("bytes") + "/" + e.get("pieces") + "/" + e.get("current"))
        .containsExactly("0/0/true", "2000/2/true", "500/1/false", "3000/1/false");

    List<Map<String, Object>> peers = (List<Map<String, Object>>) view.get("peers");
    Map<String, Object> p2 =
        peers.stream().filter(p -> p.get("peer_id").equals("p2")).findFirst().orElseThrow();
    assertThat(p2)
        .containsEntry("bytes_received", 4_096L)
        .containsEntry("bytes_from_origin", 1_096L)
        .containsEntry("pieces_from_origin", 1)
        .containsEntry("bytes_from_unlisted_parents", 0L);
  }

  private static PieceCostStats costs() {
    return new PieceCostStats();
  }
}
