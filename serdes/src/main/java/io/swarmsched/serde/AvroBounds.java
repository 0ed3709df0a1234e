package io.swarmsched.serde;

import java.util.List;
import org.apache.avro.Schema;

/**
 * A pass over an Avro binary body, against its writer schema, that allocates nothing and checks
 * every length and count against the bytes actually left before Avro's decoder sees them.
 *
 * <p>Why: Avro's decoder sizes an array or map from its block count before reading any element
 * ({@code new GenericData.Array(count)}), so a 20-byte record whose count says 2,147,483,000 throws
 * {@link OutOfMemoryError} on the stream thread, which Streams then replaces and which re-reads the
 * same record forever. Here a count is refused when its elements cannot fit: an element that needs
 * at least one byte bounds the count by the remaining bytes; elements of no bytes (null, an empty
 * record) are bounded by {@code maxItems}, which also bounds the total of items in one value.
 * Strings, bytes and fixed are bounded by the remaining bytes, union and enum indexes by the
 * schema, nesting by {@code maxDepth}.
 */
public final class AvroBounds {
  /** Default bound on the items of all arrays and maps of one value. */
  public static final int DEFAULT_MAX_ITEMS = 1_000_000;

  /** Nesting of recursive schemas (a linked list, a tree) deeper than this is refused. */
  public static final int MAX_DEPTH = 128;

  private final byte[] data;
  private final int end;
  private final long maxItems;
  private int pos;
  private long items;

  private AvroBounds(byte[] data, int offset, int length, long maxItems) {
    this.data = data;
    this.pos = offset;
    this.end = offset + length;
    this.maxItems = maxItems;
  }

  /**
   * Checks that {@code data[offset, offset + length)} is one value of {@code schema} whose every
   * length and count fits the bytes; returns the problem, or null when it does. Trailing bytes are
   * not this check's business (the deserializer reports them).
   */
  public static Problem problem(Schema schema, byte[] data, int offset, int length, long maxItems) {
    AvroBounds bounds = new AvroBounds(data, offset, length, maxItems);
    try {
      bounds.value(schema, 0);
      return null;
    } catch (OutOfBounds e) {
      return new Problem(e.getMessage(), e.truncated);
    }
  }

  /** What is wrong; {@code truncated} when a value or length runs past the last byte. */
  public record Problem(String message, boolean truncated) {}

  /** Thrown inside the walk only; carries the problem, without a stack trace. */
  private static final class OutOfBounds extends RuntimeException {
    final boolean truncated;

    OutOfBounds(String message) {
      this(message, false);
    }

    OutOfBounds(String message, boolean truncated) {
      super(message, null, false, false);
      this.truncated = truncated;
    }
  }

  private int remaining() {
    return end - pos;
  }

  private void value(Schema s, int depth) {
    if (depth > MAX_DEPTH) {
      throw new OutOfBounds("values nested deeper than " + MAX_DEPTH);
    }
    switch (s.getType()) {
      case NULL -> {}
      case BOOLEAN -> skip(1, "boolean");
      case INT -> varint(5, "int");
      case LONG -> varint(10, "long");
      case FLOAT -> skip(4, "float");
      case DOUBLE -> skip(8, "double");
      case STRING, BYTES -> skip(length(s.getType().getName()), s.getType().getName());
      case FIXED -> skip(s.getFixedSize(), "fixed " + s.getFullName());
      case ENUM -> index(s.getEnumSymbols().size(), "enum " + s.getFullName());
      case UNION -> {
        List<Schema> branches = s.getTypes();
        value(branches.get(index(branches.size(), "union")), depth + 1);
      }
      case RECORD -> {
        for (Schema.Field f : s.getFields()) {
          value(f.schema(), depth + 1);
        }
      }
      case ARRAY -> blocks(s, s.getElementType(), false, depth);
      case MAP -> blocks(s, s.getValueType(), true, depth);
      default -> throw new OutOfBounds("unsupported Avro type " + s.getType());
    }
  }

  /** Arrays and maps: blocks of (count, [byte size if count < 0], items) ending with count 0. */
  private void blocks(Schema container, Schema item, boolean map, int depth) {
    String what = map ? "map" : "array";
    // a map entry always has a key, whose length takes at least one byte
    int minItemBytes = map ? 1 : minBytes(item, 0);
    while (true) {
      long count = readLong(what + " block count");
      if (count == 0) {
        return;
      }
      if (count < 0) {
        if (count == Long.MIN_VALUE) {
          throw new OutOfBounds(what + " block count " + count + " is out of range");
        }
        count = -count;
        long size = readLong(what + " block size");
        if (size < 0 || size > remaining()) {
          throw new OutOfBounds(
              what + " block size " + size + " exceeds the " + remaining() + " bytes left");
        }
      }
      if (minItemBytes > 0 && count > remaining() / minItemBytes) {
        throw new OutOfBounds(
            what + " count " + count + " exceeds what the " + remaining() + " bytes left can hold");
      }
      items += count;
      if (items > maxItems) {
        throw new OutOfBounds(
            what + " items " + items + " exceed the maximum of " + maxItems + " per value");
      }
      for (long i = 0; i < count; i++) {
        if (map) {
          skip(length("map key"), "map key");
        }
        value(item, depth + 1);
      }
    }
  }

  /**
   * The fewest bytes a value of {@code s} can take (0 for null, an empty record, a union with a
   * null branch...).
   */
  private static int minBytes(Schema s, int depth) {
    if (depth > 16) {
      return 0; // a recursive schema: 0 is a sound lower bound
    }
    return switch (s.getType()) {
      case NULL -> 0;
      case FIXED -> Math.min(1, s.getFixedSize());
      case RECORD -> {
        int sum = 0;
        for (Schema.Field f : s.getFields()) {
          sum += minBytes(f.schema(), depth + 1);
          if (sum > 0) {
            break;
          }
        }
        yield Math.min(1, sum);
      }
      // a union's index takes one byte; every other type at least one
      default -> 1;
    };
  }

  private long length(String what) {
    long n = readLong(what + " length");
    if (n < 0) {
      throw new OutOfBounds(what + " length " + n + " is negative");
    }
    if (n > remaining()) {
      throw new OutOfBounds(
          what + " length " + n + " exceeds the " + remaining() + " bytes left", true);
    }
    return n;
  }

  private int index(int size, String what) {
    long i = readLong(what + " index");
    if (i < 0 || i >= size) {
      throw new OutOfBounds(what + " index " + i + " is not in [0, " + size + ")");
    }
    return (int) i;
  }

  private void skip(long n, String what) {
    if (n > remaining()) {
      throw new OutOfBounds(what + " needs " + n + " bytes, " + remaining() + " left", true);
    }
    pos += (int) n;
  }

  private void varint(int maxBytes, String what) {
    for (int i = 0; i < maxBytes; i++) {
      if (pos >= end) {
        throw new OutOfBounds(what + " ends after the last byte", true);
      }
      if ((data[pos++] & 0x80) == 0) {
        return;
      }
    }
    throw new OutOfBounds(what + " is longer than " + maxBytes + " bytes");
  }

  /** A zig-zag varint long, as Avro writes lengths and counts. */
  private long readLong(String what) {
    long raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (pos >= end) {
        throw new OutOfBounds(what + " ends after the last byte", true);
      }
      int b = data[pos++] & 0xff;
      raw |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new OutOfBounds(what + " is longer than 10 bytes");
  }
}
