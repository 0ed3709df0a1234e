package io.swarmsched.ingest.topology;

import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostState;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Writes the Avro binary encoding of a {@code HostState} by hand, byte for byte what Avro's {@code
 * SpecificDatumWriter} with a {@code BinaryEncoder} writes for the schema it was written for
 * ({@link #WRITTEN_FOR}): the fields in the schema's order, ints and longs as zig-zag varints, the
 * timestamps as their epoch milliseconds, enums as their symbol's index, booleans as one byte,
 * doubles as 8 little-endian bytes of their raw bits, strings as their UTF-8 length and bytes,
 * arrays as one block (the count, the items, then 0; just 0 when empty). The generated class has no
 * Avro custom coders (its timestamp fields rule them out), so Avro walks the schema and its
 * conversions for every field; this walks nothing (issue 17: the encode was a fifth of ingest's
 * profile).
 *
 * <p>Not thread-safe: one writer per thread (its buffer is reused from state to state). {@link
 * HostStateEncoding} decides whether it may be used at all: only when the class's schema is still
 * the one it was written for, and the registry serializer's bytes of some probe states are the
 * hand-written ones.
 */
final class HostStateWriter {
  /**
   * The 64-bit Rabin fingerprint of the full JSON of {@code HostState}'s schema (docs, defaults and
   * logical types included, with its nested records and enums) that this writer was written for. A
   * schema change changes it and the encoder refuses; {@code HostStateWriterTest} fails until this
   * writer is checked against the new schema and this value updated.
   */
  static final long WRITTEN_FOR = 6961904482617865952L;

  private byte[] buf = new byte[256];
  private int pos;

  /** The fingerprint {@link #WRITTEN_FOR} is compared with. */
  static long fingerprint(Schema schema) {
    return SchemaNormalization.fingerprint64(schema.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Whether {@code HostState}'s generated schema is the one this writer was written for. */
  static boolean writtenForTheClassSchema() {
    return fingerprint(HostState.getClassSchema()) == WRITTEN_FOR;
  }

  /**
   * {@code header} followed by the Avro binary encoding of {@code s}, in a new array.
   *
   * @throws RuntimeException whatever a field that Avro would not write either (a null in a field
   *     that is not nullable, an instant out of the epoch milliseconds' range) raises; the caller
   *     lets Avro write the state instead, so its error is Avro's
   */
  byte[] write(byte[] header, HostState s) {
    pos = 0;
    raw(header);
    string(s.getHostId());
    string(s.getHostname());
    string(s.getIp());
    string(s.getPieceServerAddress());
    varint(s.getType().ordinal());
    string(s.getIdc());
    string(s.getLocation());
    strings(s.getTags());
    bool(s.getDisableShared());
    HostCapacity c = s.getCapacity();
    varint(c.getMaxTxBytesPerSec());
    varint(c.getMaxRxBytesPerSec());
    varint(c.getUploadSlotLimit());
    varint(c.getMaxTasks());
    varint(c.getCpuCores());
    varint(c.getMemoryBytes());
    varint(c.getDiskBytes());
    varint(c.getGpus());
    strings(c.getGpuModels());
    HostLoad l = s.getLoad();
    varint(l.getTxBytesPerSec());
    varint(l.getRxBytesPerSec());
    varint(l.getConcurrentUploads());
    varint(l.getRunningTasks());
    float64(l.getCpuUsage());
    varint(l.getMemoryUsedBytes());
    varint(l.getDiskUsedBytes());
    varint(s.getLastSequence());
    varint(s.getLastSeen().toEpochMilli());
    varint(s.getFirstSeen().toEpochMilli());
    varint(s.getLiveness().ordinal());
    varint(s.getLivenessChangedAt().toEpochMilli());
    string(s.getAgentVersion());
    byte[] out = Arrays.copyOf(buf, pos);
    if (buf.length > 64 * 1024) {
      buf = new byte[256]; // do not keep one huge state's buffer for the thread's life
    }
    return out;
  }

  private void ensure(int more) {
    if (buf.length - pos < more) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
    }
  }

  private void raw(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, pos, bytes.length);
    pos += bytes.length;
  }

  /**
   * Zig-zag varint, as Avro writes longs; an int's is the same bytes (its 32-bit zig-zag equals the
   * 64-bit one of the int widened).
   */
  private void varint(long n) {
    ensure(10);
    long v = (n << 1) ^ (n >> 63);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  private void bool(boolean b) {
    ensure(1);
    buf[pos++] = (byte) (b ? 1 : 0);
  }

  private void float64(double d) {
    ensure(8);
    long bits = Double.doubleToRawLongBits(d);
    for (int i = 0; i < 8; i++) {
      buf[pos++] = (byte) (bits >>> (8 * i));
    }
  }

  /** Length and UTF-8 bytes; ASCII straight from the chars, anything else as {@code getBytes}. */
  private void string(String s) {
    int n = s.length();
    ensure(5 + n);
    int start = pos;
    varint(n);
    int body = pos;
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      if (ch >= 0x80) {
        pos = start;
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        varint(utf8.length);
        raw(utf8);
        return;
      }
      buf[body + i] = (byte) ch;
    }
    pos = body + n;
  }

  private void strings(List<String> items) {
    int n = items.size();
    if (n > 0) {
      varint(n);
      int written = 0;
      for (String item : items) {
        string(item);
        written++;
      }
      if (written != n) {
        throw new IllegalStateException("the list changed while it was written");
      }
    }
    varint(0);
  }
}
