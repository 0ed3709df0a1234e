package io.swarmsched.serde;

import io.swarmsched.registry.client.RegistryException;
import io.swarmsched.registry.client.SchemaRegistryClient;
import io.swarmsched.registry.client.SchemaRegistryClients;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format Avro. The writer schema comes from the registry by the id in the
 * header (cached per id). In specific mode the reader schema is that of the configured class, or of
 * the generated class named by the writer schema's full name, so bytes written with an older schema
 * are resolved to the current class. In generic mode records are read with the writer schema.
 *
 * <p>Failures are {@link SerializationException}s whose message starts with "Unknown magic byte",
 * "Unknown schema id", "Truncated record" or "Invalid Avro body". Null in, null out (tombstones).
 * Before decoding, {@link AvroBounds} checks every array and map count and every length against the
 * bytes left, so a forged count fails as "Invalid Avro body" instead of exhausting the heap.
 * Thread-safe.
 */
public abstract class AbstractAvroDeserializer<T> implements Deserializer<T> {

  /** The reader for one writer schema id, or why there is none. */
  private record Reading(DatumReader<Object> reader, String error) {}

  private final Map<Integer, Schema> writerSchemas = new ConcurrentHashMap<>();
  private final Map<Integer, Reading> readings = new ConcurrentHashMap<>();
  private SchemaRegistryClient client;
  private Class<?> readerType;
  private boolean specific;
  private boolean configured;
  private long maxItems = AvroBounds.DEFAULT_MAX_ITEMS;

  protected AbstractAvroDeserializer() {}

  protected AbstractAvroDeserializer(SchemaRegistryClient client, Class<?> readerType) {
    this.client = client;
    this.readerType = readerType;
  }

  /** Whether to read generated classes; {@code configured} is what specific.avro.reader says. */
  protected abstract boolean specific(SerdeConfig configured);

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    SerdeConfig config = new SerdeConfig(configs);
    this.specific = specific(config);
    this.maxItems = config.maxItems();
    if (readerType == null) {
      readerType = config.specificType(isKey);
    }
    if (client == null) {
      client = SchemaRegistryClients.fromConfig(configs);
    }
    configured = true;
  }

  /** The registry client in use (after {@link #configure}). */
  public SchemaRegistryClient registryClient() {
    return client;
  }

  /**
   * Reads {@code data}; the result is a SpecificRecord in specific mode, else a GenericRecord (or
   * Avro datum).
   */
  protected Object read(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (!configured) {
      throw new IllegalStateException(
          getClass().getSimpleName() + " is not configured; call configure(...) first");
    }
    int id = WireFormat.schemaId(topic, data);
    Reading reading = readingFor(id, topic);
    if (reading.error() != null) {
      throw new SerializationException(reading.error());
    }
    // every count and length checked against the bytes left before Avro allocates for it
    AvroBounds.Problem outOfBounds =
        AvroBounds.problem(
            writerSchemas.get(id),
            data,
            WireFormat.HEADER_SIZE,
            data.length - WireFormat.HEADER_SIZE,
            maxItems);
    if (outOfBounds != null) {
      throw new SerializationException(
          (outOfBounds.truncated()
                  ? WireFormat.TRUNCATED_RECORD + " from topic "
                  : WireFormat.INVALID_AVRO_BODY + " in record from topic ")
              + topic
              + " (schema id "
              + id
              + ", "
              + writerSchemas.get(id).getFullName()
              + "): "
              + outOfBounds.message());
    }
    BinaryDecoder decoder =
        DecoderFactory.get()
            .binaryDecoder(
                data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null);
    Object value;
    try {
      value = reading.reader().read(null, decoder);
    } catch (EOFException e) {
      throw new SerializationException(
          WireFormat.TRUNCATED_RECORD
              + " from topic "
              + topic
              + ": the Avro body of "
              + (data.length - WireFormat.HEADER_SIZE)
              + " bytes ended before the value of schema id "
              + id
              + " was complete",
          e);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          WireFormat.INVALID_AVRO_BODY
              + " in record from topic "
              + topic
              + " (schema id "
              + id
              + ", "
              + writerSchemas.get(id).getFullName()
              + "): "
              + e,
          e);
    }
    try {
      if (!decoder.isEnd()) {
        throw new SerializationException(
            WireFormat.INVALID_AVRO_BODY
                + " in record from topic "
                + topic
                + " (schema id "
                + id
                + "): bytes left over after the value; the body does not match its schema id");
      }
    } catch (IOException e) {
      throw new SerializationException(
          WireFormat.INVALID_AVRO_BODY + " in record from topic " + topic + ": " + e, e);
    }
    return value;
  }

  private Reading readingFor(int id, String topic) {
    Reading cached = readings.get(id);
    if (cached != null) {
      return cached;
    }
    Schema writer = writerSchema(id, topic);
    Reading reading =
        specific
            ? specificReading(id, writer)
            : new Reading(new GenericDatumReader<>(writer, writer, GenericData.get()), null);
    readings.put(id, reading);
    return reading;
  }

  private Schema writerSchema(int id, String topic) {
    Schema cached = writerSchemas.get(id);
    if (cached != null) {
      return cached;
    }
    Schema schema;
    try {
      schema = client.getById(id);
    } catch (RegistryException e) {
      if (e.isNotFound()) {
        throw new SerializationException(
            WireFormat.UNKNOWN_SCHEMA_ID
                + " "
                + id
                + " in record from topic "
                + topic
                + ": the schema registry has no schema with that id",
            e);
      }
      // not the record's fault: a registry outage must not look like bad input
      throw new SerializationException(
          "Schema registry error fetching schema id "
              + id
              + " for a record from topic "
              + topic
              + ": "
              + e.getMessage(),
          e);
    }
    writerSchemas.put(id, schema);
    return schema;
  }

  private Reading specificReading(int id, Schema writer) {
    Class<?> type = readerType;
    if (type == null) {
      type = SpecificData.get().getClass(writer);
      if (type == null || writer.getType() != Schema.Type.RECORD) {
        return new Reading(
            null,
            WireFormat.INVALID_AVRO_BODY
                + ": the writer schema of id "
                + id
                + " ("
                + writer.getFullName()
                + ") has no generated SpecificRecord class on the classpath to read it as");
      }
    }
    SpecificData model = SpecificData.getForClass(type);
    Schema reader = model.getSchema(type);
    SchemaCompatibility.SchemaPairCompatibility compat =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (compat.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return new Reading(
          null,
          WireFormat.INVALID_AVRO_BODY
              + ": data written with schema id "
              + id
              + " ("
              + writer.getFullName()
              + ") cannot be read as "
              + type.getName()
              + ": "
              + compat.getResult().getIncompatibilities());
    }
    return new Reading(new SpecificDatumReader<>(writer, reader, model), null);
  }

  @Override
  public void close() {
    // nothing to release
  }
}
