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
 * Core's {@link Task} for one {@link TaskState}, kept in memory between requests and brought up to
 * date by comparing it with the stored state, instead of being rebuilt for every decision.
 *
 * <p>The result is always the task {@link #rebuild} would give: peers whose fields changed are
 * replaced, peers that left are removed, and a peer's in-edges are redone when they differ from its
 * stored parents. An edge that the incremental path would refuse (a cycle) makes it fall back to
 * the full rebuild, which decides such cases the one documented way. The sync costs one pass over
 * the peers and their parent lists with no allocation for what did not change, where the rebuild
 * allocated every peer, vertex and edge.
 *
 * <p>Not thread-safe: a task belongs to one stream thread. Never stored; a task state decoded
 * afresh from the store starts without a mirror and gets one on its first request.
 */
public final class CoreTaskMirror {
  private Task task;

  /** What each core peer was built from, to tell when it must be rebuilt. */
  private final Map<String, Snapshot> built = new HashMap<>();

  /**
   * Peers whose stored parents name an id that is not a peer of the task (an edge that appears if
   * it comes back).
   */
  private final Set<String> dangling = new HashSet<>();

  private long rebuilds;
  private long syncs;

  /**
   * The fields a core peer was built from, and the parent list its in-edges were last made from.
   */
  private static final class Snapshot {
    final PeerRecord source;
    final PeerState status;
    final long registeredAt;
    final long lastProgressAt;
    final int piecesFinished;
    final int costVersion;

    /** Copy of the stored parents when the in-edges were last made; null until they are. */
    List<String> parents;

    Snapshot(PeerRecord p) {
      source = p;
      status = p.status;
      registeredAt = p.registeredAt;
      lastProgressAt = p.lastProgressAt;
      piecesFinished = p.piecesFinished;
      costVersion = p.costVersion();
    }

    boolean matches(PeerRecord p) {
      return source == p
          && status == p.status
          && registeredAt == p.registeredAt
          && lastProgressAt == p.lastProgressAt
          && piecesFinished == p.piecesFinished
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

  /**
   * Core changed {@code peerId}'s in-edges in the mirrored DAG itself (its commit of a selection):
   * the next sync compares them with the stored parents again instead of trusting the parent list
   * it last made them from, which the stored parents could come back to (e.g. a reschedule that
   * blocklists the parents just committed).
   */
  public static void inEdgesChanged(TaskState state, String peerId) {
    CoreTaskMirror m = state.coreMirror;
    if (m == null) return;
    Snapshot s = m.built.get(peerId);
    if (s != null) s.parents = null;
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
    // 1. new and changed peers; peers whose parent list changed since their in-edges were made
    List<PeerRecord> recheck = null;
    boolean added = false;
    for (PeerRecord p : state.peers.values()) {
      Snapshot s = built.get(p.peerId);
      if (s == null || !s.matches(p)) {
        task.replacePeer(corePeer(state.taskId, p));
        Snapshot fresh = new Snapshot(p);
        if (s == null) {
          added = true;
        } else {
          fresh.parents = s.parents;
        }
        built.put(p.peerId, fresh);
        s = fresh;
      }
      if (!p.parents.equals(s.parents)) {
        if (recheck == null) recheck = new ArrayList<>();
        recheck.add(p);
      }
    }
    // 2. peers that are gone: their vertices and edges go; their children's in-edges are redone
    if (built.size() > state.peers.size()) {
      List<String> gone = new ArrayList<>();
      for (String id : built.keySet()) {
        if (!state.peers.containsKey(id)) gone.add(id);
      }
      for (String id : gone) {
        for (String child : task.dag().children(id)) {
          PeerRecord c = state.peers.get(child);
          if (c != null) {
            if (recheck == null) recheck = new ArrayList<>();
            recheck.add(c);
          }
        }
        task.removePeer(id);
        built.remove(id);
        dangling.remove(id);
      }
    }
    // 3. a new peer may be a parent some peer named before it existed
    if (added && !dangling.isEmpty()) {
      for (String id : dangling) {
        PeerRecord c = state.peers.get(id);
        if (c != null) {
          if (recheck == null) recheck = new ArrayList<>();
          recheck.add(c);
        }
      }
    }
    if (recheck != null) {
      Dag<String> dag = task.dag();
      for (PeerRecord p : recheck) {
        if (!makeInEdges(dag, p)) return rebuild(state);
      }
    }
    return task;
  }

  /**
   * Makes {@code p}'s in-edges its stored parents that are peers of the task (as the rebuild makes
   * them); false when one would close a cycle (the caller rebuilds).
   */
  private boolean makeInEdges(Dag<String> dag, PeerRecord p) {
    if (!inEdgesMatch(dag, p)) {
      dag.deleteInEdges(p.peerId);
      for (String parent : p.parents) {
        if (parent.equals(p.peerId) || !dag.hasVertex(parent)) continue;
        EdgeRefusal refusal = dag.checkEdge(parent, p.peerId);
        if (refusal == EdgeRefusal.EXISTS) continue;
        if (refusal != null) return false;
        dag.addEdge(parent, p.peerId);
      }
    }
    if (namesMissingParent(dag, p)) dangling.add(p.peerId);
    else dangling.remove(p.peerId);
    built.get(p.peerId).parents = List.copyOf(p.parents);
    return true;
  }

  /**
   * True when {@code p}'s stored parents name an id that is not a peer of the task (an edge waiting
   * for it).
   */
  private static boolean namesMissingParent(Dag<String> dag, PeerRecord p) {
    for (String parent : p.parents) {
      if (!parent.equals(p.peerId) && !dag.hasVertex(parent)) return true;
    }
    return false;
  }

  /**
   * True when {@code p}'s in-edges are exactly its stored parents that are other peers of the task
   * (each once).
   */
  private static boolean inEdgesMatch(Dag<String> dag, PeerRecord p) {
    List<String> list = p.parents;
    if (list.isEmpty()) {
      return dag.inDegree(p.peerId) == 0;
    }
    Set<String> current = dag.parents(p.peerId);
    int distinct = 0;
    for (int i = 0; i < list.size(); i++) {
      String parent = list.get(i);
      if (parent.equals(p.peerId) || !dag.hasVertex(parent)) continue;
      if (!current.contains(parent)) return false;
      boolean repeated = false;
      for (int j = 0; j < i && !repeated; j++) {
        repeated = list.get(j).equals(parent);
      }
      if (!repeated) distinct++;
    }
    return distinct == current.size();
  }

  /**
   * The task built from scratch: every peer, then every stored edge (one acyclicity check, edge by
   * edge if that fails).
   */
  Task rebuild(TaskState state) {
    rebuilds++;
    built.clear();
    dangling.clear();
    task = fresh(state);
    for (PeerRecord p : state.peers.values()) {
      Snapshot s = new Snapshot(p);
      s.parents = List.copyOf(p.parents);
      built.put(p.peerId, s);
      if (namesMissingParent(task.dag(), p)) dangling.add(p.peerId);
    }
    return task;
  }

  /**
   * The dispatcher's task state as core's Task, without keeping anything (what {@link #of} always
   * equals).
   */
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
    // host ids are interned here and in HostIndex, so that the per-candidate host lookups compare
    // by identity
    return new Peer(
        p.peerId,
        taskId,
        p.hostId.intern(),
        p.status,
        p.registeredAt,
        p.lastProgressAt,
        p.lastProgressAt,
        p.piecesFinished,
        p.costStats());
  }
}
