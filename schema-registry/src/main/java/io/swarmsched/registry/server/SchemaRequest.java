package io.swarmsched.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The body Confluent's clients send to register, look up or check a schema: {@code {"schema":
 * "<avro json>", "schemaType": "AVRO"?, "references": []?, ...}}. Unknown properties (metadata,
 * ruleSet, id, version) are accepted and ignored, as Confluent's clients send {@code
 * Confluent-Accept-Unknown-Properties: true} and some of them.
 */
record SchemaRequest(Schema schema, String canonical) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static SchemaRequest parse(byte[] body) {
    if (body == null || body.length == 0) {
      throw RegistryError.invalidSchema(
          "the request body is empty; expected {\"schema\": \"...\"}");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw RegistryError.badRequest("The request body is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw RegistryError.invalidSchema(
          "the request body must be a JSON object with field 'schema'");
    }
    JsonNode type = root.get("schemaType");
    if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
      throw new RegistryError(
          422,
          42201,
          "Invalid schema: field 'schemaType' is '"
              + type.asText()
              + "'; this registry serves AVRO schemas only");
    }
    JsonNode references = root.get("references");
    if (references != null
        && !references.isNull()
        && (!references.isArray() || references.size() > 0)) {
      throw new RegistryError(
          422,
          42201,
          "Invalid schema: field 'references' is not supported by this registry (send [] or omit it)");
    }
    JsonNode text = root.get("schema");
    if (text == null || text.isNull()) {
      throw RegistryError.invalidSchema("field 'schema' is missing");
    }
    if (!text.isTextual() || text.asText().isBlank()) {
      throw RegistryError.invalidSchema(
          "field 'schema' must be a non-empty string holding the Avro schema JSON");
    }
    return fromText(text.asText());
  }

  /** Parses Avro schema text; the canonical form is what the registry stores and compares. */
  static SchemaRequest fromText(String text) {
    try {
      Schema schema = new Schema.Parser().parse(text);
      return new SchemaRequest(schema, schema.toString());
    } catch (SchemaParseException | NullPointerException | IllegalArgumentException e) {
      throw RegistryError.invalidSchema(
          "field 'schema' is not a valid Avro schema: " + e.getMessage());
    }
  }
}
