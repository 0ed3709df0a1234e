package io.swarmsched.serde;

import io.swarmsched.registry.client.RegistryException;
import io.swarmsched.registry.client.SchemaMetadata;
import io.swarmsched.registry.client.SchemaRegistryClient;
import io.swarmsched.registry.client.SchemaRegistryClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records in the Confluent wire format. The schema id for each (subject, schema) is
 * resolved once per serializer and cached: registered when {@code auto.register.schemas} is true
 * (default); otherwise the subject's latest version when {@code use.latest.version} is true (the
 * record is then written with that schema, which must be able to read it); otherwise looked up.
 * Thread-safe.
 */
public abstract class AbstractAvroSerializer<T> implements Serializer<T> {

  private record Key(String subject, Schema schema) {}

  private record Target(int id, Schema writerSchema, boolean project) {}

  private final Map<Key, Target> targets = new ConcurrentHashMap<>();
  private SchemaRegistryClient client;
  private SerdeConfig config;
  private boolean isKey;

  protected AbstractAvroSerializer() {}

  /** Uses {@code client} instead of the one {@code schema.registry.url} names. */
  protected AbstractAvroSerializer(SchemaRegistryClient client) {
    this.client = client;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    this.config = new SerdeConfig(configs);
    this.isKey = isKey;
    if (client == null) {
      client = SchemaRegistryClients.fromConfig(configs);
    }
  }

  /** The registry client in use (after {@link #configure}). */
  public SchemaRegistryClient registryClient() {
    return client;
  }

  @Override
  public byte[] serialize(String topic, T data) {
    if (data == null) {
      return null;
    }
    if (config == null) {
      throw new IllegalStateException(
          getClass().getSimpleName() + " is not configured; call configure(...) first");
    }
    if (!(data instanceof GenericContainer container)) {
      throw new SerializationException(
          "Cannot serialize "
              + data.getClass().getName()
              + " for topic "
              + topic
              + ": not an Avro record");
    }
    Schema schema = container.getSchema();
    String subject = config.subjectNameStrategy(isKey).subjectName(topic, isKey, schema);
    Target target = target(subject, schema);
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    out.writeBytes(WireFormat.header(target.id()));
    try {
      BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
      if (target.project()) {
        new GenericDatumWriter<Object>(target.writerSchema(), GenericData.get())
            .write(project(data, schema, target.writerSchema(), subject), encoder);
      } else {
        writerFor(data, schema).write(data, encoder);
      }
      encoder.flush();
    } catch (IOException | RuntimeException e) {
      if (e instanceof SerializationException se) {
        throw se;
      }
      throw new SerializationException(
          "Cannot serialize "
              + schema.getFullName()
              + " for topic "
              + topic
              + " (subject "
              + subject
              + "): "
              + e.getMessage(),
          e);
    }
    return out.toByteArray();
  }

  private Target target(String subject, Schema schema) {
    Key key = new Key(subject, schema);
    Target cached = targets.get(key);
    if (cached != null) {
      return cached;
    }
    Target resolved;
    try {
      if (config.autoRegister()) {
        resolved = new Target(client.register(subject, schema), schema, false);
      } else if (config.useLatestVersion()) {
        SchemaMetadata latest = client.getLatest(subject);
        boolean same = latest.schema().equals(schema);
        resolved = new Target(latest.id(), same ? schema : latest.schema(), !same);
      } else {
        resolved = new Target(client.lookup(subject, schema).id(), schema, false);
      }
    } catch (RegistryException e) {
      String mode =
          config.autoRegister()
              ? "registering"
              : config.useLatestVersion()
                  ? "fetching the latest schema of"
                  : "looking up the schema under";
      throw new SerializationException(
          "Schema registry error "
              + mode
              + " subject "
              + subject
              + " for "
              + schema.getFullName()
              + ": "
              + e.getMessage(),
          e);
    }
    targets.put(key, resolved);
    return resolved;
  }

  @SuppressWarnings("unchecked")
  private static DatumWriter<Object> writerFor(Object data, Schema schema) {
    if (data instanceof SpecificRecord) {
      return new SpecificDatumWriter<>(schema, SpecificData.getForClass(data.getClass()));
    }
    return new GenericDatumWriter<>(schema, GenericData.get());
  }

  /** Re-reads {@code data} (written with its own schema) as {@code latest}, filling defaults. */
  private static Object project(Object data, Schema own, Schema latest, String subject)
      throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(buf, null);
    writerFor(data, own).write(data, encoder);
    encoder.flush();
    try {
      return new GenericDatumReader<Object>(own, latest, GenericData.get())
          .read(null, DecoderFactory.get().binaryDecoder(buf.toByteArray(), null));
    } catch (RuntimeException e) {
      throw new SerializationException(
          "A "
              + own.getFullName()
              + " record cannot be written with the latest schema of subject "
              + subject
              + " (use.latest.version=true): "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public void close() {
    // the registry client is shared (mock scopes) or cheap; nothing to release
  }
}
