package io.swarmsched.dispatcher.state;

import io.swarmsched.scheduling.resource.PeerState;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A compact binary encoding of {@link TaskState} for the task store: a version byte, then the fields in
 * a fixed order (strings as modified UTF-8, numbers as zig-zag varints). About a third of the JSON's
 * size and many times cheaper to write and read, which matters because a task of 1,000 peers is
 * written on every change. Values written as JSON by earlier versions (first byte {@code '{'}) are
 * still read.
 */
public final class TaskStateSerde implements Serde<TaskState> {
  /** 2 added each peer's {@link ServedBytes}; version 1 (without it) is still read. */
  static final byte VERSION = 2;

  private static final byte VERSION_1 = 1;
  private static final JsonSerde<TaskState> LEGACY = new JsonSerde<>(TaskState.class);

  /**
   * A peer's state is stored as its ordinal in core's {@link PeerState} (the order of the
   * dispatcher's former PeerStatus, so stored tasks read the same); TaskStateSerdeTest fails if
   * that order changes.
   */
  private static final PeerState[] STATUSES = PeerState.values();

  public static byte[] encode(TaskState t) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 64 * t.peers.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      str(out, t.taskId);
      str(out, t.url);
      nullable(out, t.digest);
      varint(out, t.peers.size());
      for (PeerRecord p : t.peers.values()) {
        str(out, p.peerId);
        nullable(out, p.hostId);
        out.writeByte(p.status.ordinal());
        varint(out, p.parents.size());
        for (String parent : p.parents) str(out, parent);
        varint(out, p.piecesFinished);
        varint(out, p.pieceCount);
        varint(out, p.registeredAt);
        varint(out, p.lastProgressAt - p.registeredAt);
        varint(out, p.pieceCosts.size());
        for (Long c : p.pieceCosts) varint(out, c);
        served(out, p.received);
      }
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
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static TaskState decode(byte[] bytes) {
    if (bytes.length > 0 && bytes[0] == '{') return LEGACY.deserializer().deserialize(null, bytes);
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (version != VERSION && version != VERSION_1)
        throw new SerializationException("Unknown TaskState encoding version " + version);
      TaskState t = new TaskState(readStr(in));
      t.url = readStr(in);
      t.digest = nullable(in);
      int peers = (int) varint(in);
      for (int i = 0; i < peers; i++) {
        PeerRecord p = new PeerRecord();
        p.peerId = readStr(in);
        p.hostId = nullable(in);
        p.status = STATUSES[in.readUnsignedByte()];
        int parents = (int) varint(in);
        p.parents = new ArrayList<>(Math.max(parents, 4));
        for (int j = 0; j < parents; j++) p.parents.add(readStr(in));
        p.piecesFinished = (int) varint(in);
        p.pieceCount = (int) varint(in);
        p.registeredAt = varint(in);
        p.lastProgressAt = p.registeredAt + varint(in);
        int costs = (int) varint(in);
        List<Long> c = new ArrayList<>(Math.max(costs, 4));
        for (int j = 0; j < costs; j++) c.add(varint(in));
        p.pieceCosts = c;
        p.received = version == VERSION_1 ? new ServedBytes() : served(in);
        t.peers.put(p.peerId, p);
      }
      int failed = (int) varint(in);
      for (int i = 0; i < failed; i++) t.failedSeeds.put(readStr(in), varint(in));
      t.seedHostId = nullable(in);
      t.seedTriggeredAt = varint(in);
      int pending = (int) varint(in);
      for (int i = 0; i < pending; i++) t.pending.put(readStr(in), readStr(in));
      return t;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Invalid TaskState in store", e);
    }
  }

  @Override
  public Serializer<TaskState> serializer() {
    return (topic, value) -> value == null ? null : encode(value);
  }

  @Override
  public Deserializer<TaskState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }

  private static void served(DataOutputStream out, ServedBytes s) throws IOException {
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
    int parents = (int) varint(in);
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
    return new ServedBytes.Share(varint(in), (int) varint(in));
  }

  private static void str(DataOutputStream out, String s) throws IOException {
    byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    varint(out, b.length);
    out.write(b);
  }

  private static String readStr(DataInputStream in) throws IOException {
    int n = (int) varint(in);
    if (n < 0) throw new IOException("negative string length");
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }

  private static void nullable(DataOutputStream out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) str(out, s);
  }

  private static String nullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? readStr(in) : null;
  }

  private static void varint(DataOutputStream out, long v) throws IOException {
    long z = (v << 1) ^ (v >> 63);
    while ((z & ~0x7FL) != 0) {
      out.writeByte((int) ((z & 0x7F) | 0x80));
      z >>>= 7;
    }
    out.writeByte((int) z);
  }

  private static long varint(DataInputStream in) throws IOException {
    long z = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      z |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) return (z >>> 1) ^ -(z & 1);
    }
    throw new IOException("varint too long");
  }
}
