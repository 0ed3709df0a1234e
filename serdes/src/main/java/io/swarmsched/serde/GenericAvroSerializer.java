package io.swarmsched.serde;

import io.swarmsched.registry.client.SchemaRegistryClient;
import org.apache.avro.generic.GenericRecord;

/**
 * Serializes Avro {@link GenericRecord}s in the Confluent wire format. See {@link
 * AbstractAvroSerializer}.
 */
public class GenericAvroSerializer extends AbstractAvroSerializer<GenericRecord> {
  public GenericAvroSerializer() {}

  public GenericAvroSerializer(SchemaRegistryClient client) {
    super(client);
  }
}
