package io.swarmsched.dispatcher.state;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields of the dispatcher's binary store formats: zig-zag varints, and strings as UTF-8 with a
 * varint length (a nullable one behind a boolean).
 */
final class BinaryFields {
  private BinaryFields() {}

  static List<String> strings(DataInputStream in) throws IOException {
    int n = count(in);
    List<String> out = new ArrayList<>(Math.max(n, 4));
    for (int j = 0; j < n; j++) out.add(readStr(in));
    return out;
  }

  static int count(DataInputStream in) throws IOException {
    long n = varint(in);
    if (n < 0 || n > Integer.MAX_VALUE) throw new IOException("bad count " + n);
    return (int) n;
  }

  static void str(DataOutputStream out, String s) throws IOException {
    byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    varint(out, b.length);
    out.write(b);
  }

  static String readStr(DataInputStream in) throws IOException {
    int n = count(in);
    byte[] b = in.readNBytes(n);
    if (b.length != n) throw new IOException("truncated string");
    return new String(b, StandardCharsets.UTF_8);
  }

  static void nullable(DataOutputStream out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) str(out, s);
  }

  static String nullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? readStr(in) : null;
  }

  /** A zig-zag varint. */
  static void varint(DataOutputStream out, long v) throws IOException {
    long z = (v << 1) ^ (v >> 63);
    while ((z & ~0x7FL) != 0) {
      out.writeByte((int) ((z & 0x7F) | 0x80));
      z >>>= 7;
    }
    out.writeByte((int) z);
  }

  static long varint(DataInputStream in) throws IOException {
    long z = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      z |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) return (z >>> 1) ^ -(z & 1);
    }
    throw new IOException("varint too long");
  }
}
