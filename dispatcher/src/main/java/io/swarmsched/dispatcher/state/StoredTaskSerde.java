package io.swarmsched.dispatcher.state;

import static io.swarmsched.dispatcher.state.BinaryFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.scheduling.dag.Dag;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.stats.PieceCostStats;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The task store's value format: a version byte, then core's task field by field (strings as UTF-8
 * with a varint length, numbers as zig-zag varints, doubles as 8 bytes). Written as version 3:
 * each peer with its state, times, progress, piece-cost statistics (the four numbers of {@link
 * PieceCostStats}), in-edges (its parents in the DAG) and what it received by who served it
 * ({@link ServedBytes}: per named parent, then origin, then unlisted parents, each as bytes and
 * pieces). Versions read, so that a dispatcher
 * upgraded over an existing changelog restores it ({@code StoredTaskSerdeTest} holds a value of
 * each):
 *
 * <ul>
 *   <li>3: this one;
 *   <li>2: the same without {@link ServedBytes} (read as nothing served yet);
 *   <li>1: the former dispatcher-side record: each peer with its piece costs as a list (their
 *       statistics are computed once on reading) and one progress time (which becomes the peer's
 *       state-change time as well, as core's task was built from it);
 *   <li>JSON (first byte {@code '{'}): the record before version 1.
 * </ul>
 *
 * A peer's state is its ordinal in core's {@link PeerState}; {@code StoredTaskSerdeTest} fails if
 * that order changes.
 */
public final class StoredTaskSerde implements Serde<StoredTask> {
  static final byte VERSION = 3;
  private static final byte VERSION_2 = 2;
  private static final byte VERSION_1 = 1;
  private static final PeerState[] STATES = PeerState.values();
  private static final ObjectMapper JSON = new ObjectMapper();

  public static byte[] encode(StoredTask stored) {
    Task t = stored.task();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 48 * t.peerCount());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      str(out, t.taskId());
      str(out, t.url());
      nullable(out, stored.digest);
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
      seedsAndPending(out, stored);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static StoredTask decode(byte[] bytes) {
    try {
      if (bytes.length > 0 && bytes[0] == '{') return fromJson(JSON.readTree(bytes));
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      byte version = in.readByte();
      if (version != VERSION && version != VERSION_2 && version != VERSION_1)
        throw new SerializationException("Unknown stored task encoding version " + version);
      String taskId = readStr(in);
      String url = readStr(in);
      String digest = nullable(in);
      int n = count(in);
      List<PeerRow> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++)
        rows.add(version == VERSION_1 ? peerV1(in) : peer(in, version == VERSION));
      StoredTask stored = build(taskId, url, rows);
      stored.digest = digest;
      int failed = count(in);
      for (int i = 0; i < failed; i++) stored.failedSeeds.put(readStr(in), varint(in));
      stored.seedHostId = nullable(in);
      stored.seedTriggeredAt = varint(in);
      int pending = count(in);
      for (int i = 0; i < pending; i++) stored.pending.put(readStr(in), readStr(in));
      return stored;
    } catch (SerializationException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Invalid stored task in the task store", e);
    }
  }

  @Override
  public Serializer<StoredTask> serializer() {
    return (topic, value) -> value == null ? null : encode(value);
  }

  @Override
  public Deserializer<StoredTask> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }

  // ------------------------------------------------------------ peers as read, of any version

  /** One peer as stored, before it joins its task. */
  private record PeerRow(
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

  private static StoredTask fromJson(JsonNode t) {
    List<PeerRow> rows = new ArrayList<>();
    for (JsonNode p : t.path("peers")) {
      long created = p.path("registeredAt").asLong();
      long progress = p.path("lastProgressAt").asLong();
      List<Long> costs = new ArrayList<>();
      for (JsonNode c : p.path("pieceCosts")) costs.add(c.asLong());
      List<String> parents = new ArrayList<>();
      for (JsonNode parent : p.path("parents")) parents.add(parent.asText());
      rows.add(
          new PeerRow(
              p.path("peerId").asText(),
              p.path("hostId").asText(),
              PeerState.valueOf(p.path("status").asText(PeerState.PENDING.name())),
              created,
              progress,
              progress,
              p.path("piecesFinished").asInt(),
              p.path("pieceCount").asInt(),
              PieceCostStats.of(costs),
              parents,
              null));
    }
    StoredTask stored = build(t.path("taskId").asText(), t.path("url").asText(""), rows);
    stored.digest = t.hasNonNull("digest") ? t.get("digest").asText() : null;
    for (Iterator<Map.Entry<String, JsonNode>> it = t.path("failedSeeds").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      stored.failedSeeds.put(e.getKey(), e.getValue().asLong());
    }
    stored.seedHostId = t.hasNonNull("seedHostId") ? t.get("seedHostId").asText() : null;
    stored.seedTriggeredAt = t.path("seedTriggeredAt").asLong();
    for (Iterator<Map.Entry<String, JsonNode>> it = t.path("pending").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      stored.pending.put(e.getKey(), e.getValue().asText());
    }
    return stored;
  }

  /**
   * Core's task from its stored peers: every peer, then every in-edge between two of them. The
   * stored edges were cycle-checked when they were made, so they are added without the check; only
   * a value that somehow holds a cycle pays for adding them one by one with it (an edge that would
   * close the cycle is dropped).
   */
  private static StoredTask build(String taskId, String url, List<PeerRow> rows) {
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

  // ------------------------------------------------------------ primitives

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

  private static void seedsAndPending(DataOutputStream out, StoredTask t) throws IOException {
    varint(out, t.failedSeeds.size());
    for (Map.Entry<String, Long> e : t.failedSeeds.entrySet()) {
      str(out, e.getKey());
      varint(out, e.getValue());
    }
    nullable(out, t.seedHostId);
    varint(out, t.seedTriggeredAt);
    varint(out, t.pending.size());
    for (Map.Entry<String, String> e : t.pending.entrySet()) {
      str(out, e.getKey());
      str(out, e.getValue());
    }
  }
}
