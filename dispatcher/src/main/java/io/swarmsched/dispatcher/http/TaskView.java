package io.swarmsched.dispatcher.http;

import io.swarmsched.dispatcher.state.PeerRecord;
import io.swarmsched.dispatcher.state.TaskState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** GET /api/v1/tasks/{taskId}: peers with their states, and the DAG as nodes and edges. */
final class TaskView {
  private TaskView() {}

  static Map<String, Object> of(TaskState t) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task_id", t.taskId);
    out.put("url", t.url);
    out.put("back_to_source", t.backToSourceCount());
    out.put("seed_host_id", t.seedHostId);
    out.put("pending_requests", t.pending.size());
    List<Map<String, Object>> peers = new ArrayList<>();
    List<String> nodes = new ArrayList<>();
    List<Map<String, String>> edges = new ArrayList<>();
    for (PeerRecord p : t.peers.values()) {
      Map<String, Object> peer = new LinkedHashMap<>();
      peer.put("peer_id", p.peerId);
      peer.put("host_id", p.hostId);
      peer.put("state", p.status.name());
      peer.put("pieces_finished", p.piecesFinished);
      peer.put("piece_count", p.pieceCount);
      peer.put("parents", p.parents);
      peer.put("last_progress_at", p.lastProgressAt);
      peers.add(peer);
      nodes.add(p.peerId);
      for (String parent : p.parents) {
        edges.add(Map.of("from", parent, "to", p.peerId));
      }
    }
    out.put("peers", peers);
    out.put("dag", Map.of("nodes", nodes, "edges", edges));
    return out;
  }
}
