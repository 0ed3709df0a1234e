package io.swarmsched.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records of the {@code _schemas} topic, in Confluent Schema Registry's own JSON layout so the
 * topic stays readable by either implementation. Keys are deterministic JSON (compaction keeps the
 * last record per key); a null value is a tombstone (permanent delete).
 *
 * <pre>
 * key {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}
 *   value {"subject":"s","version":1,"id":7,"schema":"...","deleted":false}
 * key {"keytype":"CONFIG","subject":null|"s","magic":0}   value {"compatibilityLevel":"FULL"}
 * key {"keytype":"DELETE_SUBJECT","subject":"s","magic":0} value {"subject":"s","version":3}
 * </pre>
 */
final class RecordCodec {

  private static final Logger log = LoggerFactory.getLogger(RecordCodec.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One record to append to the log. */
  record Entry(byte[] key, byte[] value) {}

  private RecordCodec() {}

  static Entry schema(RegistryState.Version v) {
    ObjectNode key = JSON.createObjectNode();
    key.put("keytype", "SCHEMA")
        .put("subject", v.subject())
        .put("version", v.version())
        .put("magic", 1);
    ObjectNode value = JSON.createObjectNode();
    value
        .put("subject", v.subject())
        .put("version", v.version())
        .put("id", v.id())
        .put("schema", v.schema())
        .put("deleted", v.deleted());
    return new Entry(bytes(key), bytes(value));
  }

  static Entry schemaTombstone(String subject, int version) {
    ObjectNode key = JSON.createObjectNode();
    key.put("keytype", "SCHEMA").put("subject", subject).put("version", version).put("magic", 1);
    return new Entry(bytes(key), null);
  }

  /** {@code subject == null} is the global config; {@code level == null} clears a subject's. */
  static Entry config(String subject, Compatibility level) {
    ObjectNode key = JSON.createObjectNode();
    key.put("keytype", "CONFIG");
    if (subject == null) {
      key.putNull("subject");
    } else {
      key.put("subject", subject);
    }
    key.put("magic", 0);
    if (level == null) {
      return new Entry(bytes(key), null);
    }
    ObjectNode value = JSON.createObjectNode().put("compatibilityLevel", level.name());
    return new Entry(bytes(key), bytes(value));
  }

  /**
   * Applies one log record to the state. Records this server does not understand (other schema
   * types, modes, Confluent's NOOP) are skipped with a log line: the log is shared and must never
   * stop the server from starting.
   */
  static void apply(RegistryState state, byte[] keyBytes, byte[] valueBytes, long offset) {
    if (keyBytes == null) {
      log.warn("Skipping record at offset {}: no key", offset);
      return;
    }
    try {
      JsonNode key = JSON.readTree(keyBytes);
      JsonNode value = valueBytes == null ? null : JSON.readTree(valueBytes);
      String keytype = key.path("keytype").asText("");
      String subject = key.hasNonNull("subject") ? key.get("subject").asText() : null;
      switch (keytype) {
        case "SCHEMA" -> applySchema(state, key, value, subject, offset);
        case "CONFIG" -> applyConfig(state, value, subject, offset);
        case "DELETE_SUBJECT" -> {
          if (value != null && subject != null) {
            state.softDeleteUpTo(subject, value.path("version").asInt(Integer.MAX_VALUE));
          }
        }
        default -> log.debug("Skipping {} record at offset {}", keytype, offset);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Skipping unreadable record at offset {}: {}", offset, e.toString());
    }
  }

  private static void applySchema(
      RegistryState state, JsonNode key, JsonNode value, String subject, long offset) {
    int version = key.path("version").asInt(-1);
    if (subject == null || version < 1) {
      log.warn("Skipping SCHEMA record at offset {}: key lacks subject or version", offset);
      return;
    }
    if (value == null) {
      state.removeVersion(subject, version);
      return;
    }
    String type = value.path("schemaType").asText("AVRO");
    if (!"AVRO".equalsIgnoreCase(type)) {
      log.warn(
          "Skipping {} schema {} v{} at offset {}: only AVRO is served",
          type,
          subject,
          version,
          offset);
      return;
    }
    state.putVersion(
        new RegistryState.Version(
            subject,
            version,
            value.path("id").asInt(),
            value.path("schema").asText(),
            value.path("deleted").asBoolean(false)));
  }

  private static void applyConfig(
      RegistryState state, JsonNode value, String subject, long offset) {
    if (value == null) {
      state.setCompatibility(subject, null);
      return;
    }
    String text = value.path("compatibilityLevel").asText(null);
    if (text == null) {
      return; // Confluent's config records may carry only other settings
    }
    Compatibility.parse(text)
        .ifPresentOrElse(
            level -> state.setCompatibility(subject, level),
            () -> log.warn("Skipping CONFIG record at offset {}: unknown level {}", offset, text));
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
