package io.swarmsched.dispatcher.state;

import static io.swarmsched.dispatcher.state.BinaryFields.*;

import io.swarmsched.dispatcher.state.BinaryFields.In;
import io.swarmsched.dispatcher.state.BinaryFields.Out;
import io.swarmsched.dispatcher.state.StoredPeersCodec.PeerRow;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The task store's records (format 5): a task is no longer one value but a small header under the
 * task id, one record per peer and one per waiting request, so that a change writes only the
 * records it changed, and a decision on a 1,000-peer task costs the store what it costs on a
 * 10-peer one:
 *
 * <ul>
 *   <li>{@code taskId} → header: the byte 5, then the task id, url, digest (nullable), failed seeds
 *       (count, then host id and time each), seed host (nullable) and the time it was triggered;
 *   <li>{@code taskId NUL 'p' peerId} → the byte 5, then the peer as {@link StoredPeersCodec}
 *       writes one (version 3's layout: its id, host, state, times, progress, piece-cost
 *       statistics, in-edges as the parents' ids, served bytes);
 *   <li>{@code taskId NUL 'q' requestId} → the byte 5, then the key of the request's entry in the
 *       retry store;
 *   <li>{@code taskId NUL 'd' peerId} → the byte 5, then the stream time at which the peer left or
 *       failed the task ({@link StoredTask#departed}; a store written before these records has
 *       none, which reads as no departure remembered).
 * </ul>
 *
 * A task's records sort right after its header (NUL sorts before every other character; task ids
 * with NUL are refused at the door, {@code RequestValidation}). Under the task id the store may
 * still hold a whole task as versions 1-4 or JSON wrote it ({@link StoredTaskSerde}), which is read
 * as it was; the task's first write after that puts it in records.
 */
public final class TaskRecords {
  /** The first byte of each of format 5's records. */
  static final byte FORMAT = 5;

  static final char SEPARATOR = '\u0000';
  static final char PEER = 'p';
  static final char PENDING = 'q';
  static final char DEPARTED = 'd';

  private TaskRecords() {}

  // ------------------------------------------------------------ keys

  public static String peerKey(String taskId, String peerId) {
    return taskId + SEPARATOR + PEER + peerId;
  }

  public static String pendingKey(String taskId, String requestId) {
    return taskId + SEPARATOR + PENDING + requestId;
  }

  public static String departedKey(String taskId, String peerId) {
    return taskId + SEPARATOR + DEPARTED + peerId;
  }

  /** Lowest key of the task's records (the header, {@code taskId}, sorts just before it). */
  static String firstRecordKey(String taskId) {
    return taskId + SEPARATOR;
  }

  /** A key past every record of the task and before the next task's header. */
  static String pastRecordsKey(String taskId) {
    return taskId + '\u0001';
  }

  /** The task id of a header key, or of the header a record belongs to. */
  static String taskIdOf(String key) {
    int at = key.indexOf(SEPARATOR);
    return at < 0 ? key : key.substring(0, at);
  }

  static boolean isHeaderKey(String key) {
    return key.indexOf(SEPARATOR) < 0;
  }

  /** Whether a value under a task id is format 5's header (not a whole task of an older format). */
  static boolean isHeader(byte[] value) {
    return value.length > 0 && value[0] == FORMAT;
  }

  // ------------------------------------------------------------ values

  public static byte[] header(StoredTask stored) {
    Task t = stored.task();
    Out out = Out.scratch();
    out.writeByte(FORMAT);
    str(out, t.taskId());
    str(out, t.url());
    nullable(out, stored.digest);
    StoredTaskSerde.writeSeeds(out, stored);
    return out.toBytes();
  }

  public static byte[] peer(StoredTask stored, Peer p) {
    Out out = Out.scratch();
    out.writeByte(FORMAT);
    StoredPeersCodec.writePeer(
        out, p, stored.task().dag().parents(p.peerId()), null, stored.servedOrNull(p.peerId()));
    return out.toBytes();
  }

  public static byte[] pending(String retryKey) {
    Out out = Out.scratch();
    out.writeByte(FORMAT);
    str(out, retryKey);
    return out.toBytes();
  }

  public static byte[] departed(long at) {
    Out out = Out.scratch();
    out.writeByte(FORMAT);
    varint(out, at);
    return out.toBytes();
  }

  /**
   * The task from its header and its records (each key with its value, in key order); records of
   * another task are a bug of the caller.
   */
  public static StoredTask read(byte[] header, List<Map.Entry<String, byte[]>> records) {
    try {
      In in = new In(header);
      byte format = in.readByte();
      if (format != FORMAT)
        throw new SerializationException("Unknown task header format " + format);
      String taskId = readStr(in);
      String url = readStr(in);
      String digest = nullable(in);
      String peerPrefix = taskId + SEPARATOR + PEER;
      String pendingPrefix = taskId + SEPARATOR + PENDING;
      String departedPrefix = taskId + SEPARATOR + DEPARTED;
      List<PeerRow> rows = new ArrayList<>();
      Map<String, String> pending = new java.util.TreeMap<>();
      Map<String, Long> departed = new java.util.TreeMap<>();
      for (Map.Entry<String, byte[]> r : records) {
        In v = new In(r.getValue());
        byte f = v.readByte();
        if (f != FORMAT) throw new SerializationException("Unknown task record format " + f);
        String key = r.getKey();
        if (key.startsWith(peerPrefix)) {
          PeerRow row = StoredPeersCodec.readPeer(v);
          if (!key.regionMatches(peerPrefix.length(), row.peerId(), 0, row.peerId().length())
              || key.length() != peerPrefix.length() + row.peerId().length())
            throw new SerializationException("Peer record " + key + " holds " + row.peerId());
          rows.add(row);
        } else if (key.startsWith(pendingPrefix)) {
          pending.put(key.substring(pendingPrefix.length()), readStr(v));
        } else if (key.startsWith(departedPrefix)) {
          departed.put(key.substring(departedPrefix.length()), varint(v));
        } else {
          throw new SerializationException("Record " + key + " is not of task " + taskId);
        }
      }
      StoredTask stored = StoredPeersCodec.build(taskId, url, rows);
      stored.digest = digest;
      StoredTaskSerde.readSeeds(in, stored);
      stored.pending.putAll(pending);
      stored.departed.putAll(departed);
      stored.written();
      return stored;
    } catch (SerializationException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Invalid task records in the task store", e);
    }
  }

  /**
   * The task a value under a task id holds alone: a whole task of versions 1-4 or JSON (to be put
   * in records at its next write), or a header of format 5 with no record.
   */
  static StoredTask readWhole(byte[] value) {
    if (isHeader(value)) return read(value, List.of());
    StoredTask t = StoredTaskSerde.decode(value);
    t.written();
    t.rewrite = true;
    return t;
  }

  /**
   * Everything the task store keeps of a task, with each peer's in-edges sorted: two tasks with the
   * same description are stored alike (the store's self-check, {@link TaskStore}).
   */
  static String describe(StoredTask t) {
    if (t == null) return "null";
    StringBuilder b = new StringBuilder();
    b.append(java.util.HexFormat.of().formatHex(header(t)))
        .append(" pending=")
        .append(t.pending)
        .append(" departed=")
        .append(t.departed);
    for (Peer p : t.task().peerList()) {
      java.util.List<String> parents = new ArrayList<>(t.task().dag().parents(p.peerId()));
      java.util.Collections.sort(parents);
      Out out = Out.scratch();
      StoredPeersCodec.writePeer(out, p, parents, null, t.servedOrNull(p.peerId()));
      b.append(' ').append(java.util.HexFormat.of().formatHex(out.toBytes()));
    }
    return b.toString();
  }
}
