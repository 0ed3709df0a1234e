package io.swarmsched.dispatcher.state;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fields of the dispatcher's binary store formats: zig-zag varints, and strings as UTF-8 with a
 * varint length (a nullable one behind a boolean), written to an {@link Out} and read from an
 * {@link In}. The bytes are those {@code DataOutputStream} wrote (booleans as one byte, doubles as
 * their 8 IEEE bits big-endian), so values written before read the same; the two classes exist
 * because {@code DataOutputStream} over a {@code ByteArrayOutputStream} paid a synchronized call
 * per byte, which made encoding a 1,000-peer task cost ~3 ns per byte (docs/benchmarks.md).
 */
final class BinaryFields {
  private BinaryFields() {}

  /**
   * A growable byte array without locks. {@link #scratch()} hands out one per thread, reused from
   * value to value (the dispatcher encodes a changed task at every commit), and {@link #toBytes()}
   * copies out exactly what was written.
   */
  static final class Out {
    /** A scratch buffer grown past this is not kept, so one huge task does not pin its size. */
    private static final int KEEP_AT_MOST = 4 << 20;

    private static final ThreadLocal<Out> SCRATCH = ThreadLocal.withInitial(() -> new Out(1024));

    private byte[] buf;
    private int size;

    Out(int capacity) {
      buf = new byte[Math.max(16, capacity)];
    }

    /** This thread's buffer, emptied; not reentrant (an encoder must not call another inside). */
    static Out scratch() {
      Out out = SCRATCH.get();
      if (out.buf.length > KEEP_AT_MOST) {
        out = new Out(1024);
        SCRATCH.set(out);
      }
      out.size = 0;
      return out;
    }

    private void room(int n) {
      if (size + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
    }

    void writeByte(int b) {
      room(1);
      buf[size++] = (byte) b;
    }

    void writeBoolean(boolean b) {
      writeByte(b ? 1 : 0);
    }

    void write(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
    }

    void writeLong(long v) {
      room(8);
      for (int shift = 56; shift >= 0; shift -= 8) buf[size++] = (byte) (v >>> shift);
    }

    void writeDouble(double v) {
      writeLong(Double.doubleToLongBits(v));
    }

    /** A zig-zag varint. */
    void varint(long v) {
      room(10);
      long z = (v << 1) ^ (v >> 63);
      while ((z & ~0x7FL) != 0) {
        buf[size++] = (byte) ((z & 0x7F) | 0x80);
        z >>>= 7;
      }
      buf[size++] = (byte) z;
    }

    /**
     * UTF-8 with a varint length. Ids are ASCII, whose UTF-8 bytes are their chars: those are
     * written straight from the string in one pass, without the byte array {@code getBytes} would
     * make; any other string is written again from the start with {@code getBytes}.
     */
    void str(String s) {
      if (s == null) s = "";
      int n = s.length();
      int start = size;
      varint(n);
      room(n);
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) { // not ASCII after all: its UTF-8 length differs, so start again
          size = start;
          byte[] b = s.getBytes(StandardCharsets.UTF_8);
          varint(b.length);
          write(b);
          return;
        }
        buf[size++] = (byte) c;
      }
    }

    byte[] toBytes() {
      return Arrays.copyOf(buf, size);
    }
  }

  /** A reader over a byte array; running past its end is an {@link EOFException}. */
  static final class In {
    private final byte[] buf;
    private int pos;

    In(byte[] buf) {
      this.buf = buf;
    }

    private void need(int n) throws EOFException {
      if (n > buf.length - pos) throw new EOFException("truncated value");
    }

    byte readByte() throws IOException {
      need(1);
      return buf[pos++];
    }

    int readUnsignedByte() throws IOException {
      return readByte() & 0xFF;
    }

    boolean readBoolean() throws IOException {
      return readByte() != 0;
    }

    long readLong() throws IOException {
      need(8);
      long v = 0;
      for (int i = 0; i < 8; i++) v = (v << 8) | (buf[pos++] & 0xFF);
      return v;
    }

    double readDouble() throws IOException {
      return Double.longBitsToDouble(readLong());
    }

    long varint() throws IOException {
      long z = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = readUnsignedByte();
        z |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) return (z >>> 1) ^ -(z & 1);
      }
      throw new IOException("varint too long");
    }

    String str() throws IOException {
      int n = count(this);
      if (n > buf.length - pos) throw new IOException("truncated string");
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }
  }

  static List<String> strings(In in) throws IOException {
    int n = count(in);
    List<String> out = new ArrayList<>(Math.max(n, 4));
    for (int j = 0; j < n; j++) out.add(in.str());
    return out;
  }

  static int count(In in) throws IOException {
    long n = in.varint();
    if (n < 0 || n > Integer.MAX_VALUE) throw new IOException("bad count " + n);
    return (int) n;
  }

  static void str(Out out, String s) {
    out.str(s);
  }

  static String readStr(In in) throws IOException {
    return in.str();
  }

  static void nullable(Out out, String s) {
    out.writeBoolean(s != null);
    if (s != null) out.str(s);
  }

  static String nullable(In in) throws IOException {
    return in.readBoolean() ? in.str() : null;
  }

  /** A zig-zag varint. */
  static void varint(Out out, long v) {
    out.varint(v);
  }

  static long varint(In in) throws IOException {
    return in.varint();
  }
}
