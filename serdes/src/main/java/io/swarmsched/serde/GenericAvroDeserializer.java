package io.swarmsched.serde;

import io.swarmsched.registry.client.SchemaRegistryClient;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Deserializes to {@link GenericRecord}s read with the writer's schema. See {@link
 * AbstractAvroDeserializer}.
 */
public class GenericAvroDeserializer extends AbstractAvroDeserializer<GenericRecord> {
  public GenericAvroDeserializer() {}

  public GenericAvroDeserializer(SchemaRegistryClient client) {
    super(client, null);
  }

  @Override
  protected boolean specific(SerdeConfig configured) {
    return false;
  }

  @Override
  public GenericRecord deserialize(String topic, byte[] data) {
    Object value = read(topic, data);
    if (value != null && !(value instanceof GenericRecord)) {
      throw new SerializationException(
          WireFormat.INVALID_AVRO_BODY
              + " in record from topic "
              + topic
              + ": read a "
              + value.getClass().getName()
              + ", not an Avro record");
    }
    return (GenericRecord) value;
  }
}
