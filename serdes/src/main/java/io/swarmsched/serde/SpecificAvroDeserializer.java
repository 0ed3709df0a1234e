package io.swarmsched.serde;

import io.swarmsched.registry.client.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Deserializes to generated Avro classes: to {@code type} when given (or {@code
 * specific.avro.value.type}), else to the class named by the writer schema. Older writer schemas
 * are resolved to the current class. See {@link AbstractAvroDeserializer}.
 */
public class SpecificAvroDeserializer<T extends SpecificRecord>
    extends AbstractAvroDeserializer<T> {
  public SpecificAvroDeserializer() {}

  public SpecificAvroDeserializer(Class<T> type) {
    super(null, type);
  }

  public SpecificAvroDeserializer(SchemaRegistryClient client) {
    super(client, null);
  }

  public SpecificAvroDeserializer(SchemaRegistryClient client, Class<T> type) {
    super(client, type);
  }

  @Override
  protected boolean specific(SerdeConfig configured) {
    return true;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T deserialize(String topic, byte[] data) {
    Object value = read(topic, data);
    if (value != null && !(value instanceof SpecificRecord)) {
      throw new SerializationException(
          WireFormat.INVALID_AVRO_BODY
              + " in record from topic "
              + topic
              + ": read a "
              + value.getClass().getName()
              + ", not a generated Avro record");
    }
    return (T) value;
  }
}
