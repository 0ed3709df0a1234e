package io.swarmsched.scoring.streams;

import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.serde.WireFormat;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A piece that the keyed host served, as it crosses the repartition topic to its host's task: the
 * one number the scorer adds ({@code bytes}) and the piece event's bytes as read from
 * swarm.piece-events.v1, which only a late piece's dead letter needs. Neither side encodes nor
 * decodes Avro for it (issue 17: the repartition carried whole re-encoded piece events, an Avro
 * encode and a checked decode per served piece).
 *
 * <p>Wire form ({@link #serde}): a format byte ({@link #FORMAT_V1}), {@code bytes} as 8 big-endian
 * bytes, then the event's bytes. A value that starts with the Confluent wire format's magic byte is
 * a whole {@code PieceEvent}, as the repartition carried before; it is decoded, so records in
 * flight across an upgrade are counted.
 *
 * @param bytes what the host uploaded for the piece
 * @param event the piece event's value bytes as read (Confluent wire format)
 */
record ServedPiece(long bytes, byte[] event) {
  static final byte FORMAT_V1 = 0x01;
  private static final int PREFIX = 1 + Long.BYTES;

  /** A piece event decoded from {@code raw}, keeping {@code raw} for a dead letter. */
  record Read(PieceEvent event, byte[] raw) {}

  /** Reads piece events as {@link Read}s with {@code avro}; null in, null out. */
  static Deserializer<Read> reading(Deserializer<PieceEvent> avro) {
    return new Deserializer<>() {
      @Override
      public Read deserialize(String topic, byte[] data) {
        return deserialize(topic, null, data);
      }

      @Override
      public Read deserialize(String topic, Headers headers, byte[] data) {
        PieceEvent e = avro.deserialize(topic, headers, data);
        return e == null ? null : new Read(e, data);
      }
    };
  }

  /** The repartition topic's serde; {@code legacy} reads the whole piece events it carried. */
  static Serde<ServedPiece> serde(Deserializer<PieceEvent> legacy) {
    Serializer<ServedPiece> out =
        (topic, p) -> {
          if (p == null) {
            return null;
          }
          byte[] b = new byte[PREFIX + p.event().length];
          b[0] = FORMAT_V1;
          ByteBuffer.wrap(b, 1, Long.BYTES).putLong(p.bytes());
          System.arraycopy(p.event(), 0, b, PREFIX, p.event().length);
          return b;
        };
    Deserializer<ServedPiece> in =
        (topic, data) -> {
          if (data == null) {
            return null;
          }
          if (data.length > 0 && data[0] == WireFormat.MAGIC_BYTE) {
            return new ServedPiece(legacy.deserialize(topic, data).getBytes(), data);
          }
          if (data.length < PREFIX || data[0] != FORMAT_V1) {
            throw new SerializationException(
                "Not a served piece in "
                    + topic
                    + ": "
                    + data.length
                    + " bytes starting with "
                    + (data.length == 0 ? "nothing" : String.format("0x%02x", data[0]))
                    + " (expected format 0x01 or a PieceEvent)");
          }
          return new ServedPiece(
              ByteBuffer.wrap(data, 1, Long.BYTES).getLong(),
              Arrays.copyOfRange(data, PREFIX, data.length));
        };
    return org.apache.kafka.common.serialization.Serdes.serdeFrom(out, in);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServedPiece p && p.bytes == bytes && Arrays.equals(p.event, event);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(bytes) * 31 + Arrays.hashCode(event);
  }

  @Override
  public String toString() {
    return "ServedPiece[bytes=" + bytes + ", event=" + event.length + " bytes]";
  }
}
