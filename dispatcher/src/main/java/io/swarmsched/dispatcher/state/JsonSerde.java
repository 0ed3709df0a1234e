package io.swarmsched.dispatcher.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * JSON serde for the dispatcher's own state-store values (never for topics others read): the retry
 * store, the host-health store and the job pool's job store.
 *
 * <p>Each value carries a format version ({@value #VERSION_FIELD}); a value without one was written
 * before the marker existed and has the same fields (version 0). A value from a newer format fails
 * with a clear error instead of decoding half. Golden values in {@code JsonStoreFormatTest} hold
 * every accepted shape, so a change that breaks stored state fails a test.
 */
public final class JsonSerde<T> implements Serde<T> {
  static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** The property holding the format version; no stored class has a field of that name. */
  public static final String VERSION_FIELD = "_format";

  /** Format written today. Bump it (and add golden values) when a field changes meaning. */
  public static final int VERSION = 1;

  private final Class<T> type;

  public JsonSerde(Class<T> type) {
    this.type = type;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      if (value == null) return null;
      try {
        ObjectNode node = MAPPER.valueToTree(value);
        node.put(VERSION_FIELD, VERSION);
        return MAPPER.writeValueAsBytes(node);
      } catch (IOException | IllegalArgumentException e) {
        throw new SerializationException("Cannot write " + type.getSimpleName() + " as JSON", e);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) return null;
      JsonNode node;
      try {
        node = MAPPER.readTree(bytes);
      } catch (IOException e) {
        throw new SerializationException("Invalid JSON " + type.getSimpleName() + " in store", e);
      }
      if (node == null || !node.isObject()) {
        throw new SerializationException(
            "Invalid JSON " + type.getSimpleName() + " in store: not an object");
      }
      int version = node.path(VERSION_FIELD).asInt(0);
      if (version > VERSION) {
        throw new SerializationException(
            type.getSimpleName()
                + " in store has format "
                + version
                + ", newer than this build reads ("
                + VERSION
                + ")");
      }
      try {
        return MAPPER.treeToValue(node, type);
      } catch (IOException | IllegalArgumentException e) {
        throw new SerializationException("Invalid JSON " + type.getSimpleName() + " in store", e);
      }
    };
  }
}
