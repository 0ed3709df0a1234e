package io.swarmsched.dispatcher.http;

import io.swarmsched.dispatcher.state.ServedBytes;
import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * GET /api/v1/tasks/{taskId}: peers with their states, and the DAG as nodes and edges.
 *
 * <p>An edge {@code from} a parent {@code to} a child is there while the child names the parent
 * ({@code current}: true) or once the parent has served the child a finished piece, with {@code
 * bytes} and {@code pieces} served so far ("who served how much"). A served edge stays after the
 * child finishes (and loses its parents) and after the parent leaves the task, so its {@code from}
 * may name a peer no longer among the nodes. Each peer also says what it fetched from the origin
 * and from parents it did not name ({@link ServedBytes}).
 */
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
    List<Map<String, Object>> edges = new ArrayList<>();
    for (Peer p : t.peers()) {
      // sorted: the DAG's parent set has no stable order
      List<String> parents = List.copyOf(new TreeSet<>(t.dag().parents(p.peerId())));
      ServedBytes received = stored.servedOrNull(p.peerId());
      if (received == null) received = new ServedBytes();
      Map<String, Object> peer = new LinkedHashMap<>();
      peer.put("peer_id", p.peerId());
      peer.put("host_id", p.hostId());
      peer.put("state", p.state().name());
      peer.put("pieces_finished", p.piecesFinished());
      peer.put("piece_count", p.pieceCount());
      peer.put("parents", parents);
      peer.put("last_progress_at", p.lastProgressMillis());
      peer.put("bytes_received", received.totalBytes());
      peer.put("bytes_from_origin", received.origin.bytes);
      peer.put("pieces_from_origin", received.origin.pieces);
      peer.put("bytes_from_unlisted_parents", received.unlisted.bytes);
      peers.add(peer);
      nodes.add(p.peerId());
      edges.addAll(edgesInto(p.peerId(), parents, received));
    }
    out.put("peers", peers);
    out.put("dag", Map.of("nodes", nodes, "edges", edges));
    return out;
  }

  /** The child's current parents first (by id), then the parents that served it before (by id). */
  static List<Map<String, Object>> edgesInto(
      String child, List<String> parents, ServedBytes received) {
    Map<String, Map<String, Object>> byParent = new LinkedHashMap<>();
    for (String parent : parents) {
      byParent.put(parent, edge(parent, child, true, null));
    }
    for (Map.Entry<String, ServedBytes.Share> e : received.byParent.entrySet()) {
      boolean current = byParent.containsKey(e.getKey());
      byParent.put(e.getKey(), edge(e.getKey(), child, current, e.getValue()));
    }
    return new ArrayList<>(byParent.values());
  }

  private static Map<String, Object> edge(
      String from, String to, boolean current, ServedBytes.Share served) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("from", from);
    e.put("to", to);
    e.put("current", current);
    e.put("bytes", served == null ? 0L : served.bytes);
    e.put("pieces", served == null ? 0 : served.pieces);
    return e;
  }
}
