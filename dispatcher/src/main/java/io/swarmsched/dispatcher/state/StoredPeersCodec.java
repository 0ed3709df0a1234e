package io.swarmsched.dispatcher.state;

import static io.swarmsched.dispatcher.state.BinaryFields.*;

import io.swarmsched.scheduling.dag.Dag;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.stats.PieceCostStats;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The peers-and-DAG part of the task store's value format ({@link StoredTaskSerde} holds the
 * versions and the task's own fields): each peer with its state, times, progress, piece-cost
 * statistics, in-edges and served bytes, and core's task rebuilt from the peers as read.
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
      ServedBytes served) {}

  /** The task's peers as versions 3 (with served bytes) and 2 wrote them. */
  static void write(DataOutputStream out, StoredTask stored) throws IOException {
    Task t = stored.task();
    varint(out, t.peerCount());
    Dag<String> dag = t.dag();
    for (Peer p : t.peerList()) {
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
      var parents = dag.parents(p.peerId());
      varint(out, parents.size());
      for (String parent : parents) str(out, parent);
      served(out, stored.servedOrNull(p.peerId()));
    }
  }

  /** The peers of a value of {@code version} 1, 2 or 3. */
  static List<PeerRow> read(DataInputStream in, byte version) throws IOException {
    int n = count(in);
    List<PeerRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) rows.add(version == 1 ? peerV1(in) : peer(in, version >= 3));
    return rows;
  }

  /** A peer of version 3 ({@code withServed}) or 2. */
  private static PeerRow peer(DataInputStream in, boolean withServed) throws IOException {
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
    List<String> parents = strings(in);
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

  private static PeerRow peerV1(DataInputStream in) throws IOException {
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
  private static void served(DataOutputStream out, ServedBytes s) throws IOException {
    if (s == null) s = new ServedBytes();
    varint(out, s.byParent.size());
    for (Map.Entry<String, ServedBytes.Share> e : s.byParent.entrySet()) {
      str(out, e.getKey());
      share(out, e.getValue());
    }
    share(out, s.origin);
    share(out, s.unlisted);
  }

  private static ServedBytes served(DataInputStream in) throws IOException {
    ServedBytes s = new ServedBytes();
    int parents = count(in);
    for (int i = 0; i < parents; i++) s.byParent.put(readStr(in), share(in));
    s.origin = share(in);
    s.unlisted = share(in);
    return s;
  }

  private static void share(DataOutputStream out, ServedBytes.Share s) throws IOException {
    varint(out, s.bytes);
    varint(out, s.pieces);
  }

  private static ServedBytes.Share share(DataInputStream in) throws IOException {
    long bytes = varint(in);
    long pieces = varint(in);
    if (bytes < 0 || pieces < 0 || pieces > Integer.MAX_VALUE)
      throw new SerializationException("Invalid served bytes " + bytes + " / pieces " + pieces);
    return new ServedBytes.Share(bytes, (int) pieces);
  }
}
