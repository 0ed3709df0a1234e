package io.swarmsched.dispatcher.state;

import static io.swarmsched.dispatcher.state.BinaryFields.*;

import io.swarmsched.dispatcher.state.BinaryFields.In;
import io.swarmsched.dispatcher.state.BinaryFields.Out;
import io.swarmsched.scheduling.dag.Dag;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.stats.PieceCostStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The peers-and-DAG part of the task store's value format ({@link StoredTaskSerde} holds the
 * versions and the task's own fields): each peer with its state, times, progress, piece-cost
 * statistics, in-edges and served bytes, and core's task rebuilt from the peers as read. Version 4
 * writes an in-edge as the parent's position in the peer list (a varint, one or two bytes) where
 * version 3 wrote the parent's id again (UTF-8 with its length): the DAG of a 1,000-peer task held
 * a few thousand copies of peer ids that the peer list already holds once.
 */
final class StoredPeersCodec {
  private static final PeerState[] STATES = PeerState.values();

  private StoredPeersCodec() {}

  /** One peer as stored, before it joins its task. */
  record PeerRow(
      String peerId,
      String hostId,
      PeerState state,
      long createdAt,
      long stateChangedAt,
      long lastProgress,
      int piecesFinished,
      int pieceCount,
      PieceCostStats costs,
      List<String> parents,
      ServedBytes served) {

    PeerRow withParents(List<String> ids) {
      return new PeerRow(
          peerId,
          hostId,
          state,
          createdAt,
          stateChangedAt,
          lastProgress,
          piecesFinished,
          pieceCount,
          costs,
          ids,
          served);
    }
  }

  /**
   * The task's peers as version 4 ({@code parentsByPosition}) or 3 writes them: in-edges as the
   * parent's position in the peer list, or as its id.
   */
  static void write(Out out, StoredTask stored, boolean parentsByPosition) {
    Task t = stored.task();
    varint(out, t.peerCount());
    Dag<String> dag = t.dag();
    List<Peer> peers = t.peerList();
    Positions position = parentsByPosition ? Positions.of(peers) : null;
    // the peer list and the served map are both sorted by peer id: walked together, not looked up
    Iterator<Map.Entry<String, ServedBytes>> served = stored.served.entrySet().iterator();
    Map.Entry<String, ServedBytes> nextServed = served.hasNext() ? served.next() : null;
    for (Peer p : peers) {
      while (nextServed != null && nextServed.getKey().compareTo(p.peerId()) < 0) {
        nextServed = served.hasNext() ? served.next() : null; // not a peer's: never written
      }
      ServedBytes mine = null;
      if (nextServed != null && nextServed.getKey().equals(p.peerId())) {
        mine = nextServed.getValue();
        nextServed = served.hasNext() ? served.next() : null;
      }
      writePeer(out, p, dag.parents(p.peerId()), position, mine);
    }
  }

  /**
   * One peer as versions 3-4 write it in the task's value, and as a per-peer record ({@link
   * TaskRecords}) holds it: in-edges as positions ({@code position} given) or as ids.
   */
  static void writePeer(
      Out out, Peer p, Collection<String> parents, Positions position, ServedBytes served) {
    str(out, p.peerId());
    str(out, p.hostId());
    out.writeByte(p.state().ordinal());
    varint(out, p.createdAtMillis());
    varint(out, p.stateChangedAtMillis() - p.createdAtMillis());
    varint(out, p.lastProgressMillis() - p.createdAtMillis());
    varint(out, p.piecesFinished());
    varint(out, p.pieceCount());
    PieceCostStats c = p.pieceCosts();
    varint(out, c.samples());
    if (c.samples() > 0) {
      varint(out, c.last());
      out.writeDouble(c.earlierMean());
      out.writeDouble(c.earlierM2());
    }
    varint(out, parents.size());
    for (String parent : parents) {
      if (position == null) {
        str(out, parent);
        continue;
      }
      int at = position.of(parent);
      if (at < 0) { // the DAG's vertices are the task's peers: a bug, not bad input
        throw new IllegalStateException("parent " + parent + " of " + p.peerId() + " is no peer");
      }
      varint(out, at);
    }
    served(out, served);
  }

  /** One peer as {@link #writePeer} wrote it with its in-edges as ids. */
  static PeerRow readPeer(In in) throws IOException {
    return peer(in, true, null, 0);
  }

  /**
   * Peer id to its position in the peer list, for one encode: an open-addressing table in arrays
   * reused by the thread (a {@code HashMap<String, Integer>} made a node and often an Integer per
   * peer on every encode of the task, which the dispatcher does at every commit that changed it).
   */
  static final class Positions {
    private static final ThreadLocal<Positions> SCRATCH = ThreadLocal.withInitial(Positions::new);

    private String[] keys = new String[64];
    private int[] values = new int[64];

    static Positions of(List<Peer> peers) {
      Positions p = SCRATCH.get();
      int n = peers.size();
      int cap = Integer.highestOneBit(Math.max(4, n) * 2) * 2; // load at most 1/2
      if (p.keys.length < cap || p.keys.length > 4 * cap && cap >= 64) {
        p.keys = new String[cap];
        p.values = new int[cap];
      } else {
        java.util.Arrays.fill(p.keys, null);
      }
      for (int i = 0; i < n; i++) p.put(peers.get(i).peerId(), i);
      return p;
    }

    private void put(String key, int value) {
      int mask = keys.length - 1;
      for (int i = spread(key.hashCode()) & mask; ; i = (i + 1) & mask) {
        if (keys[i] == null || keys[i].equals(key)) {
          keys[i] = key;
          values[i] = value;
          return;
        }
      }
    }

    /** The position of {@code key}, or -1. */
    int of(String key) {
      int mask = keys.length - 1;
      for (int i = spread(key.hashCode()) & mask; keys[i] != null; i = (i + 1) & mask) {
        String k = keys[i];
        if (k == key || k.equals(key)) return values[i];
      }
      return -1;
    }

    private static int spread(int h) {
      return h ^ (h >>> 16);
    }
  }

  /** The peers of a value of {@code version} 1 to 4. */
  static List<PeerRow> read(In in, byte version) throws IOException {
    int n = count(in);
    List<PeerRow> rows = new ArrayList<>(n);
    if (version == 1) {
      for (int i = 0; i < n; i++) rows.add(peerV1(in));
      return rows;
    }
    if (version < 4) {
      for (int i = 0; i < n; i++) rows.add(peer(in, version == 3, null, i));
      return rows;
    }
    // version 4: a parent may come later in the list, so positions become ids once all are read
    int[][] parentAt = new int[n][];
    for (int i = 0; i < n; i++) rows.add(peer(in, true, parentAt, i));
    for (int i = 0; i < n; i++) {
      List<String> ids = new ArrayList<>(parentAt[i].length);
      for (int at : parentAt[i]) {
        if (at >= n) throw new IOException("parent position " + at + " of " + n + " peers");
        ids.add(rows.get(at).peerId());
      }
      rows.set(i, rows.get(i).withParents(ids));
    }
    return rows;
  }

  /**
   * A peer of version 4, 3 ({@code withServed}) or 2; version 4's parent positions go to {@code
   * parentAt[row]} (the row's parents are then empty until {@link #read} resolves them).
   */
  private static PeerRow peer(In in, boolean withServed, int[][] parentAt, int row)
      throws IOException {
    String id = readStr(in);
    String host = readStr(in);
    PeerState state = STATES[in.readUnsignedByte()];
    long created = varint(in);
    long changed = created + varint(in);
    long progress = created + varint(in);
    int finished = (int) varint(in);
    int pieceCount = (int) varint(in);
    long samples = varint(in);
    PieceCostStats costs =
        samples == 0
            ? new PieceCostStats()
            : PieceCostStats.restore(samples, varint(in), in.readDouble(), in.readDouble());
    List<String> parents;
    if (parentAt == null) {
      parents = strings(in);
    } else {
      int k = count(in);
      int[] at = new int[k];
      for (int j = 0; j < k; j++) at[j] = count(in);
      parentAt[row] = at;
      parents = List.of();
    }
    return new PeerRow(
        id,
        host,
        state,
        created,
        changed,
        progress,
        finished,
        pieceCount,
        costs,
        parents,
        withServed ? served(in) : null);
  }

  private static PeerRow peerV1(In in) throws IOException {
    String id = readStr(in);
    String host = nullable(in);
    PeerState state = STATES[in.readUnsignedByte()];
    List<String> parents = strings(in);
    int finished = (int) varint(in);
    int pieceCount = (int) varint(in);
    long created = varint(in);
    long progress = created + varint(in);
    int costs = count(in);
    List<Long> c = new ArrayList<>(costs);
    for (int j = 0; j < costs; j++) c.add(varint(in));
    return new PeerRow(
        id,
        host,
        state,
        created,
        progress,
        progress,
        finished,
        pieceCount,
        PieceCostStats.of(c),
        parents,
        null);
  }

  /**
   * Core's task from its stored peers: every peer, then every in-edge between two of them. The
   * stored edges were cycle-checked when they were made, so they are added without the check; only
   * a value that somehow holds a cycle pays for adding them one by one with it (an edge that would
   * close the cycle is dropped).
   */
  static StoredTask build(String taskId, String url, List<PeerRow> rows) {
    Task task = new Task(taskId, url);
    StoredTask stored = new StoredTask(task);
    for (PeerRow r : rows) {
      if (r.served() != null && !r.served().isEmpty()) stored.served.put(r.peerId(), r.served());
      // host ids are interned here and in HostIndex, so that the per-candidate host lookups
      // compare by identity
      Peer p =
          new Peer(
              r.peerId(),
              taskId,
              r.hostId() == null ? "" : r.hostId().intern(),
              r.state(),
              r.createdAt(),
              r.stateChangedAt(),
              r.lastProgress(),
              r.piecesFinished(),
              r.costs());
      p.reportPieceCount(r.pieceCount());
      task.addPeer(p);
    }
    Dag<String> dag = task.dag();
    addEdges(dag, rows, false);
    if (!dag.isAcyclic()) {
      for (PeerRow r : rows) dag.deleteInEdges(r.peerId());
      addEdges(dag, rows, true);
    }
    return stored;
  }

  private static void addEdges(Dag<String> dag, List<PeerRow> rows, boolean checkEach) {
    for (PeerRow r : rows) {
      for (String parent : r.parents()) {
        if (parent.equals(r.peerId()) || !dag.hasVertex(parent)) continue;
        if (!checkEach) dag.addEdgeWithoutCycleCheck(parent, r.peerId());
        else if (dag.canAddEdge(parent, r.peerId())) dag.addEdge(parent, r.peerId());
      }
    }
  }

  // ------------------------------------------------------------ served bytes

  /** Null (nothing served yet) is written as an empty record. */
  private static void served(Out out, ServedBytes s) {
    if (s == null) s = new ServedBytes();
    varint(out, s.byParent.size());
    for (Map.Entry<String, ServedBytes.Share> e : s.byParent.entrySet()) {
      str(out, e.getKey());
      share(out, e.getValue());
    }
    share(out, s.origin);
    share(out, s.unlisted);
  }

  private static ServedBytes served(In in) throws IOException {
    ServedBytes s = new ServedBytes();
    int parents = count(in);
    for (int i = 0; i < parents; i++) s.byParent.put(readStr(in), share(in));
    s.origin = share(in);
    s.unlisted = share(in);
    return s;
  }

  private static void share(Out out, ServedBytes.Share s) {
    varint(out, s.bytes);
    varint(out, s.pieces);
  }

  private static ServedBytes.Share share(In in) throws IOException {
    long bytes = varint(in);
    long pieces = varint(in);
    if (bytes < 0 || pieces < 0 || pieces > Integer.MAX_VALUE)
      throw new SerializationException("Invalid served bytes " + bytes + " / pieces " + pieces);
    return new ServedBytes.Share(bytes, (int) pieces);
  }
}
