package io.swarmsched.serde;

import io.swarmsched.registry.client.SchemaRegistryClient;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serde for Avro {@link GenericRecord}s in the Confluent wire format. */
public class GenericAvroSerde implements Serde<GenericRecord> {
  private final GenericAvroSerializer serializer;
  private final GenericAvroDeserializer deserializer;

  public GenericAvroSerde() {
    this.serializer = new GenericAvroSerializer();
    this.deserializer = new GenericAvroDeserializer();
  }

  public GenericAvroSerde(SchemaRegistryClient client) {
    this.serializer = new GenericAvroSerializer(client);
    this.deserializer = new GenericAvroDeserializer(client);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    serializer.configure(configs, isKey);
    deserializer.configure(configs, isKey);
  }

  @Override
  public Serializer<GenericRecord> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<GenericRecord> deserializer() {
    return deserializer;
  }

  @Override
  public void close() {
    serializer.close();
    deserializer.close();
  }
}
