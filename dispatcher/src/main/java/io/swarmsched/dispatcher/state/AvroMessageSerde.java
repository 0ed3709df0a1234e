package io.swarmsched.dispatcher.state;

import java.nio.ByteBuffer;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro single-object encoding for records kept in the dispatcher's own stores (the decision store):
 * self-describing by schema fingerprint, so no registry round trip on the hot path.
 */
public final class AvroMessageSerde<T extends SpecificRecord> implements Serde<T> {
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  private final String name;

  public AvroMessageSerde(Class<T> type) {
    SpecificData model = SpecificData.getForClass(type);
    org.apache.avro.Schema schema = model.getSchema(type);
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
    // entries written before a field was added (e.g. a decision's provenance) still decode
    for (org.apache.avro.Schema released :
        io.swarmsched.topics.ReleasedSchemas.of(type.getSimpleName())) {
      decoder.addSchema(released);
    }
    this.name = type.getSimpleName();
  }

  public byte[] encode(T value) {
    try {
      ByteBuffer b = encoder.encode(value);
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (Exception e) {
      throw new SerializationException("Cannot encode " + name, e);
    }
  }

  public T decode(byte[] bytes) {
    try {
      return decoder.decode(bytes);
    } catch (Exception e) {
      throw new SerializationException("Invalid " + name + " in store", e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : encode(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }
}
