package io.swarmsched.dispatcher.state;

import static io.swarmsched.dispatcher.state.BinaryFields.*;
import static io.swarmsched.dispatcher.state.StoredPeersCodec.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.dispatcher.state.BinaryFields.In;
import io.swarmsched.dispatcher.state.BinaryFields.Out;
import io.swarmsched.dispatcher.state.StoredPeersCodec.PeerRow;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.stats.PieceCostStats;
import java.io.IOException;
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
 * with a varint length, numbers as zig-zag varints, doubles as 8 bytes). Written as version 4:
 * each peer with its state, times, progress, piece-cost statistics (the four numbers of {@link
 * PieceCostStats}), in-edges (its parents in the DAG, each as its position in the peer list) and
 * what it received by who served it ({@link ServedBytes}: per named parent, then origin, then
 * unlisted parents, each as bytes and pieces); {@link StoredPeersCodec} writes the peers. Versions
 * read, so that a dispatcher upgraded over an existing changelog restores it ({@code
 * StoredTaskSerdeTest} holds a value of each):
 *
 * <ul>
 *   <li>4: this one;
 *   <li>3: the same with each parent written as its id;
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
  static final byte VERSION = 4;
  static final byte VERSION_3 = 3;
  private static final byte VERSION_1 = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  public static byte[] encode(StoredTask stored) {
    return encode(stored, VERSION);
  }

  /**
   * The value as {@code version} 4 or 3 writes it: the serde writes 4; 3 stays writable for the
   * golden-bytes test and for the codec bench that compares the two ({@code StoredTaskCodecBench}).
   */
  public static byte[] encode(StoredTask stored, int version) {
    if (version != VERSION && version != VERSION_3) {
      throw new IllegalArgumentException("writes version 4 or 3, not " + version);
    }
    Task t = stored.task();
    // this thread's reused buffer: the value is copied out of it at the end
    Out out = Out.scratch();
    out.writeByte(version);
    str(out, t.taskId());
    str(out, t.url());
    nullable(out, stored.digest);
    StoredPeersCodec.write(out, stored, version == VERSION);
    seedsAndPending(out, stored);
    return out.toBytes();
  }

  public static StoredTask decode(byte[] bytes) {
    try {
      if (bytes.length > 0 && bytes[0] == '{') return fromJson(JSON.readTree(bytes));
      In in = new In(bytes);
      byte version = in.readByte();
      if (version < VERSION_1 || version > VERSION)
        throw new SerializationException("Unknown stored task encoding version " + version);
      String taskId = readStr(in);
      String url = readStr(in);
      String digest = nullable(in);
      StoredTask stored = build(taskId, url, StoredPeersCodec.read(in, version));
      stored.digest = digest;
      readSeeds(in, stored);
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

  private static void seedsAndPending(Out out, StoredTask t) {
    writeSeeds(out, t);
    varint(out, t.pending.size());
    for (Map.Entry<String, String> e : t.pending.entrySet()) {
      str(out, e.getKey());
      str(out, e.getValue());
    }
  }

  /** The failed seeds, then the seed host and when it was triggered (also the header's tail). */
  static void writeSeeds(Out out, StoredTask t) {
    varint(out, t.failedSeeds.size());
    for (Map.Entry<String, Long> e : t.failedSeeds.entrySet()) {
      str(out, e.getKey());
      varint(out, e.getValue());
    }
    nullable(out, t.seedHostId);
    varint(out, t.seedTriggeredAt);
  }

  static void readSeeds(In in, StoredTask stored) throws IOException {
    int failed = count(in);
    for (int i = 0; i < failed; i++) stored.failedSeeds.put(readStr(in), varint(in));
    stored.seedHostId = nullable(in);
    stored.seedTriggeredAt = varint(in);
  }
}
