package io.swarmsched.dispatcher.state;

import io.swarmsched.schemas.ScheduleDecision;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The decision store's value format: a format byte ({@value #FORMAT}), the decision time as 8 bytes
 * (big-endian epoch milliseconds), then the decision in Avro single-object encoding. The time in
 * front lets the expiry sweep read it without decoding the decision, so one record per decision
 * serves both idempotency and expiry (the store of time-ordered keys it replaces cost a second
 * RocksDB put and changelog record per decision). Values written before (a bare single-object
 * encoding, whose first byte is Avro's marker {@code 0xC3}) are still read: their time is the
 * decision's {@code decided_at}.
 */
public final class StoredDecisionSerde implements Serde<StoredDecision> {
  static final byte FORMAT = 1;
  private static final byte AVRO_SINGLE_OBJECT_MARKER = (byte) 0xC3;

  private final AvroMessageSerde<ScheduleDecision> avro =
      new AvroMessageSerde<>(ScheduleDecision.class);

  /** Where a decision's bytes are left for the decisions topic's serializer; may be null. */
  private final DecisionBytes bytes;

  public StoredDecisionSerde() {
    this(null);
  }

  /** A serde that leaves each new decision's Avro bytes in {@code bytes} (see there). */
  public StoredDecisionSerde(DecisionBytes bytes) {
    this.bytes = bytes;
  }

  public byte[] encode(StoredDecision value) {
    byte[] body = value.encoded();
    if (body == null) {
      body = avro.encode(value.decision());
      if (bytes != null) {
        bytes.encoded(value.decision(), body);
      }
    }
    return ByteBuffer.allocate(9 + body.length)
        .put(FORMAT)
        .putLong(value.decidedAt())
        .put(body)
        .array();
  }

  public StoredDecision decode(byte[] bytes) {
    if (bytes.length > 0 && bytes[0] == AVRO_SINGLE_OBJECT_MARKER) {
      ScheduleDecision d = avro.decode(bytes);
      return new StoredDecision(d.getDecidedAt().toEpochMilli(), d);
    }
    if (bytes.length < 9 || bytes[0] != FORMAT) {
      throw new SerializationException(
          "Invalid stored decision: "
              + (bytes.length == 0 ? "empty" : "format byte " + bytes[0] + ", " + bytes.length)
              + " bytes");
    }
    byte[] body = new byte[bytes.length - 9];
    System.arraycopy(bytes, 9, body, 0, body.length);
    return new StoredDecision(ByteBuffer.wrap(bytes, 1, 8).getLong(), body, avro);
  }

  @Override
  public Serializer<StoredDecision> serializer() {
    return (topic, value) -> value == null ? null : encode(value);
  }

  @Override
  public Deserializer<StoredDecision> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }
}
