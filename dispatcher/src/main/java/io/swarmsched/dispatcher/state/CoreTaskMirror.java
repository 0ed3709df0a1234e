package io.swarmsched.dispatcher.state;

import io.swarmsched.scheduling.dag.Dag;
import io.swarmsched.scheduling.dag.EdgeRefusal;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.Task;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Core's {@link Task} for one {@link TaskState}, kept in memory between requests and brought up to date
 * by comparing it with the stored state, instead of being rebuilt for every decision.
 *
 * <p>The result is always the task {@link #rebuild} would give: peers whose fields changed are replaced,
 * peers that left are removed, and a peer's in-edges are redone when they differ from its stored parents.
 * An edge that the incremental path would refuse (a cycle) makes it fall back to the full rebuild, which
 * decides such cases the one documented way. The sync costs one pass over the peers and their parent lists
 * with no allocation for what did not change, where the rebuild allocated every peer, vertex and edge.
 *
 * <p>Not thread-safe: a task belongs to one stream thread. Never stored; a task state decoded afresh from
 * the store starts without a mirror and gets one on its first request.
 */
public final class CoreTaskMirror {
  private Task task;
  /** What each core peer was built from, to tell when it must be rebuilt. */
  private final Map<String, Snapshot> built = new HashMap<>();
  private long rebuilds;
  private long syncs;

  private record Snapshot(PeerRecord source, PeerStatus status, long registeredAt, long lastProgressAt,
      int piecesFinished, int costVersion) {
    static Snapshot of(PeerRecord p) {
      return new Snapshot(p, p.status, p.registeredAt, p.lastProgressAt, p.piecesFinished, p.costVersion());
    }

    boolean matches(PeerRecord p) {
      return source == p && status == p.status && registeredAt == p.registeredAt
          && lastProgressAt == p.lastProgressAt && piecesFinished == p.piecesFinished
          && costVersion == p.costVersion();
    }
  }

  /** Core's task for {@code state}, brought up to date. */
  public static Task of(TaskState state) {
    CoreTaskMirror m = state.coreMirror;
    if (m == null) {
      m = new CoreTaskMirror();
      state.coreMirror = m;
    }
    return m.sync(state);
  }

  /** Full rebuilds so far (the first one included). */
  public long rebuilds() {
    return rebuilds;
  }

  /** Incremental syncs so far. */
  public long syncs() {
    return syncs;
  }

  Task sync(TaskState state) {
    if (task == null || !task.taskId().equals(state.taskId)) {
      return rebuild(state);
    }
    syncs++;
    task.setUrl(state.url);
    // peers that are gone
    if (task.peerCount() > 0) {
      List<String> gone = null;
      for (Peer p : task.peers()) {
        if (!state.peers.containsKey(p.peerId())) {
          if (gone == null) gone = new ArrayList<>();
          gone.add(p.peerId());
        }
      }
      if (gone != null) {
        for (String id : gone) {
          task.removePeer(id);
          built.remove(id);
        }
      }
    }
    // new and changed peers (vertices first, so that edges between new peers can be made below)
    for (PeerRecord p : state.peers.values()) {
      Snapshot s = built.get(p.peerId);
      if (s == null || !s.matches(p)) {
        if (s != null && !s.source.hostId.equals(p.hostId)) {
          return rebuild(state); // a peer id moved to another host: not a field update
        }
        task.replacePeer(corePeer(state.taskId, p));
        built.put(p.peerId, Snapshot.of(p));
      }
    }
    // edges: each peer's in-edges are its stored parents that are peers of the task (as the rebuild makes them)
    Dag<String> dag = task.dag();
    for (PeerRecord p : state.peers.values()) {
      if (!inEdgesMatch(dag, p)) {
        dag.deleteInEdges(p.peerId);
        for (String parent : p.parents) {
          if (!dag.hasVertex(parent) || parent.equals(p.peerId)) continue;
          EdgeRefusal refusal = dag.checkEdge(parent, p.peerId);
          if (refusal == EdgeRefusal.EXISTS) continue;
          if (refusal != null) return rebuild(state);
          dag.addEdge(parent, p.peerId);
        }
      }
    }
    return task;
  }

  private static boolean inEdgesMatch(Dag<String> dag, PeerRecord p) {
    if (p.parents.isEmpty()) {
      return dag.inDegree(p.peerId) == 0;
    }
    Set<String> current = dag.parents(p.peerId);
    int expected = 0;
    for (String parent : p.parents) {
      if (!dag.hasVertex(parent) || parent.equals(p.peerId)) continue;
      if (!current.contains(parent)) return false;
      expected++;
    }
    if (expected == current.size()) return true;
    // duplicates in the stored list count once in the DAG
    return countDistinctEffective(dag, p) == current.size();
  }

  private static int countDistinctEffective(Dag<String> dag, PeerRecord p) {
    HashSet<String> seen = new HashSet<>();
    for (String parent : p.parents) {
      if (dag.hasVertex(parent) && !parent.equals(p.peerId)) seen.add(parent);
    }
    return seen.size();
  }

  /** The task built from scratch: every peer, then every stored edge (one acyclicity check, edge by edge if that fails). */
  Task rebuild(TaskState state) {
    rebuilds++;
    built.clear();
    Task fast = build(state, false);
    task = fast.dag().isAcyclic() ? fast : build(state, true);
    for (PeerRecord p : state.peers.values()) {
      built.put(p.peerId, Snapshot.of(p));
    }
    return task;
  }

  /** The dispatcher's task state as core's Task, without keeping anything (what {@link #of} always equals). */
  public static Task fresh(TaskState state) {
    Task fast = build(state, false);
    // The stored edges were cycle-checked when the dispatcher made them, so the linear rebuild
    // normally stands; only a state that somehow holds a cycle pays for the edge-by-edge checks.
    return fast.dag().isAcyclic() ? fast : build(state, true);
  }

  private static Task build(TaskState state, boolean checkEachEdge) {
    Task task = new Task(state.taskId, state.url);
    for (PeerRecord p : state.peers.values()) {
      task.addPeer(corePeer(state.taskId, p));
    }
    for (PeerRecord p : state.peers.values()) {
      for (String parent : p.parents) {
        if (!task.dag().hasVertex(parent) || parent.equals(p.peerId)) {
          continue;
        }
        if (!checkEachEdge) {
          task.dag().addEdgeWithoutCycleCheck(parent, p.peerId);
        } else if (task.dag().canAddEdge(parent, p.peerId)) {
          task.dag().addEdge(parent, p.peerId);
        }
      }
    }
    return task;
  }

  private static Peer corePeer(String taskId, PeerRecord p) {
    return new Peer(p.peerId, taskId, p.hostId, PeerState.valueOf(p.status.name()), p.registeredAt,
        p.lastProgressAt, p.lastProgressAt, p.piecesFinished, p.costStats());
  }
}
