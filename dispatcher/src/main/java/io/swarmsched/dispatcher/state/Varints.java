package io.swarmsched.dispatcher.state;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Zig-zag varints, the numbers of the dispatcher's binary store formats. */
final class Varints {
  private Varints() {}

  static void write(DataOutputStream out, long v) throws IOException {
    long z = (v << 1) ^ (v >> 63);
    while ((z & ~0x7FL) != 0) {
      out.writeByte((int) ((z & 0x7F) | 0x80));
      z >>>= 7;
    }
    out.writeByte((int) z);
  }

  static long read(DataInputStream in) throws IOException {
    long z = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      z |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) return (z >>> 1) ^ -(z & 1);
    }
    throw new IOException("varint too long");
  }
}
