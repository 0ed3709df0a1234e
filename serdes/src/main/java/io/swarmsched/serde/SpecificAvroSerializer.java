package io.swarmsched.serde;

import io.swarmsched.registry.client.SchemaRegistryClient;
import org.apache.avro.specific.SpecificRecord;

/**
 * Serializes generated Avro classes in the Confluent wire format. See {@link
 * AbstractAvroSerializer}.
 */
public class SpecificAvroSerializer<T extends SpecificRecord> extends AbstractAvroSerializer<T> {
  public SpecificAvroSerializer() {}

  public SpecificAvroSerializer(SchemaRegistryClient client) {
    super(client);
  }
}
