package io.swarmsched.dispatcher.http;

import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** GET /api/v1/tasks/{taskId}: peers with their states, and the DAG as nodes and edges. */
final class TaskView {
  private TaskView() {}

  static Map<String, Object> of(StoredTask stored) {
    Task t = stored.task();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task_id", t.taskId());
    out.put("url", t.url());
    out.put("back_to_source", t.backToSourceCount());
    out.put("seed_host_id", stored.seedHostId);
    out.put("pending_requests", stored.pending.size());
    List<Map<String, Object>> peers = new ArrayList<>();
    List<String> nodes = new ArrayList<>();
    List<Map<String, String>> edges = new ArrayList<>();
    for (Peer p : t.peers()) {
      List<String> parents = List.copyOf(new java.util.TreeSet<>(t.dag().parents(p.peerId())));
      Map<String, Object> peer = new LinkedHashMap<>();
      peer.put("peer_id", p.peerId());
      peer.put("host_id", p.hostId());
      peer.put("state", p.state().name());
      peer.put("pieces_finished", p.piecesFinished());
      peer.put("piece_count", p.pieceCount());
      peer.put("parents", parents);
      peer.put("last_progress_at", p.lastProgressMillis());
      peers.add(peer);
      nodes.add(p.peerId());
      for (String parent : parents) {
        edges.add(Map.of("from", parent, "to", p.peerId()));
      }
    }
    out.put("peers", peers);
    out.put("dag", Map.of("nodes", nodes, "edges", edges));
    return out;
  }
}
