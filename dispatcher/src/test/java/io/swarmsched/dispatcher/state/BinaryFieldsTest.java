package io.swarmsched.dispatcher.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The fields' bytes are those the former {@code DataOutputStream} writer made (stored values of
 * every version must keep reading, and a value's bytes must not change with the writer), and a
 * reader past the end fails instead of inventing bytes.
 */
class BinaryFieldsTest {

  private static final long[] NUMBERS = {
    0,
    1,
    -1,
    63,
    -64,
    64,
    127,
    128,
    300,
    -300,
    1L << 31,
    Integer.MAX_VALUE,
    Integer.MIN_VALUE,
    1_700_000_000_000L,
    Long.MAX_VALUE,
    Long.MIN_VALUE
  };

  /** ASCII ids, an empty string, Latin-1, three-byte and four-byte UTF-8, a lone surrogate. */
  private static final String[] STRINGS = {
    "host-17-5f1c0ad2-0a1b2c3d", "", "café", "任务-42", "emoji \uD83D\uDE80 here", "bad \uD800 end"
  };

  private static final double[] DOUBLES = {0.0, -0.0, 1.5, Math.PI, Double.NaN, 1e300};

  @Test
  void writesTheBytesDataOutputStreamWrote() throws IOException {
    BinaryFields.Out out = BinaryFields.Out.scratch();
    ByteArrayOutputStream former = new ByteArrayOutputStream();
    DataOutputStream data = new DataOutputStream(former);
    for (long v : NUMBERS) {
      out.varint(v);
      formerVarint(data, v);
    }
    for (String s : STRINGS) {
      BinaryFields.str(out, s);
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      formerVarint(data, b.length);
      data.write(b);
    }
    BinaryFields.nullable(out, null);
    data.writeBoolean(false);
    BinaryFields.nullable(out, "x");
    data.writeBoolean(true);
    formerVarint(data, 1);
    data.write('x');
    for (double d : DOUBLES) {
      out.writeDouble(d);
      data.writeDouble(d);
    }
    out.writeByte(0xFE);
    data.writeByte(0xFE);
    data.flush();

    assertThat(out.toBytes()).isEqualTo(former.toByteArray());
  }

  @Test
  void readsBackWhatItWrote() throws IOException {
    BinaryFields.Out out = new BinaryFields.Out(1); // grows from almost nothing
    for (long v : NUMBERS) out.varint(v);
    for (String s : STRINGS) BinaryFields.str(out, s);
    BinaryFields.nullable(out, null);
    for (double d : DOUBLES) out.writeDouble(d);
    out.writeByte(0xFE);

    BinaryFields.In in = new BinaryFields.In(out.toBytes());
    for (long v : NUMBERS) assertThat(in.varint()).isEqualTo(v);
    for (String s : STRINGS) {
      // a lone surrogate has no UTF-8 form: written as '?', as getBytes always did
      String expected = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
      assertThat(BinaryFields.readStr(in)).isEqualTo(expected);
    }
    assertThat(BinaryFields.nullable(in)).isNull();
    for (double d : DOUBLES) {
      assertThat(Double.doubleToRawLongBits(in.readDouble()))
          .isEqualTo(Double.doubleToRawLongBits(d));
    }
    assertThat(in.readUnsignedByte()).isEqualTo(0xFE);
    assertThatThrownBy(in::readByte).isInstanceOf(EOFException.class);
  }

  @Test
  void aTruncatedValueFailsAtItsEnd() {
    BinaryFields.Out out = BinaryFields.Out.scratch();
    BinaryFields.str(out, "host-1");
    out.writeDouble(2.5);
    byte[] whole = out.toBytes();
    assertThatThrownBy(() -> BinaryFields.readStr(new BinaryFields.In(Arrays.copyOf(whole, 4))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("truncated");
    BinaryFields.In in = new BinaryFields.In(Arrays.copyOf(whole, whole.length - 1));
    assertThatThrownBy(
            () -> {
              BinaryFields.readStr(in);
              in.readDouble();
            })
        .isInstanceOf(EOFException.class);
    // a varint whose continuation bit runs off the end
    assertThatThrownBy(() -> new BinaryFields.In(new byte[] {(byte) 0x80}).varint())
        .isInstanceOf(EOFException.class);
  }

  @Test
  void theScratchBufferStartsEmptyForEachValue() {
    BinaryFields.Out first = BinaryFields.Out.scratch();
    BinaryFields.str(first, "a much longer first value than the second");
    byte[] one = first.toBytes();
    BinaryFields.Out second = BinaryFields.Out.scratch();
    BinaryFields.str(second, "b");
    assertThat(second.toBytes()).containsExactly(2, 'b');
    assertThat(one).hasSize(42);
  }

  /** The former writer's zig-zag varint, a byte per call. */
  private static void formerVarint(DataOutputStream out, long v) throws IOException {
    long z = (v << 1) ^ (v >> 63);
    while ((z & ~0x7FL) != 0) {
      out.writeByte((int) ((z & 0x7F) | 0x80));
      z >>>= 7;
    }
    out.writeByte((int) z);
  }
}
