package io.swarmsched.serde;

import io.swarmsched.registry.client.SchemaRegistryClient;

/**
 * Serializes any Avro record (generic or generated) in the Confluent wire format; the drop-in for
 * Confluent's class of the same name in {@code value.serializer} settings.
 */
public class KafkaAvroSerializer extends AbstractAvroSerializer<Object> {
  public KafkaAvroSerializer() {}

  public KafkaAvroSerializer(SchemaRegistryClient client) {
    super(client);
  }
}
