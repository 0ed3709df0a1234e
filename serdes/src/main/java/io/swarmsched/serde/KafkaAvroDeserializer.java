package io.swarmsched.serde;

import io.swarmsched.registry.client.SchemaRegistryClient;

/**
 * Deserializes Confluent wire-format Avro to generated classes when {@code specific.avro.reader} is
 * true, else to {@code GenericRecord}s; the drop-in for Confluent's class of the same name.
 */
public class KafkaAvroDeserializer extends AbstractAvroDeserializer<Object> {
  public KafkaAvroDeserializer() {}

  public KafkaAvroDeserializer(SchemaRegistryClient client) {
    super(client, null);
  }

  @Override
  protected boolean specific(SerdeConfig configured) {
    return configured.specificReader();
  }

  @Override
  public Object deserialize(String topic, byte[] data) {
    return read(topic, data);
  }
}
