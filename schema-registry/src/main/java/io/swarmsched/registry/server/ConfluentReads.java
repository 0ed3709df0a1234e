package io.swarmsched.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Read endpoints of Confluent's REST API that stock clients and UIs call at start-up and that the
 * registry's core routes do not cover: {@code GET /contexts} (this registry has only the default
 * context, {@code "."}), {@code GET /schemas} (every registered version, filtered as Confluent
 * filters) and {@code GET /v1/metadata/id} (the cluster ids a UI shows).
 */
final class ConfluentReads {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The id Confluent's registry reports for itself when it is not part of a named cluster. */
  static final String REGISTRY_CLUSTER_ID = "schema-registry";

  private ConfluentReads() {}

  static JsonNode contexts() {
    return JSON.createArrayNode().add(".");
  }

  /**
   * {@code GET /schemas?subjectPrefix=&latestOnly=&deleted=&offset=&limit=}: one entry per version,
   * subjects in order, as {@code {subject, version, id, schema}} (schemaType is omitted for AVRO,
   * as Confluent does).
   */
  static JsonNode schemas(
      RegistryService registry,
      String subjectPrefix,
      boolean latestOnly,
      boolean deleted,
      int offset,
      int limit) {
    if (offset < 0) {
      throw new RegistryError(422, 42202, "Invalid offset " + offset + ": must be >= 0");
    }
    ArrayNode out = JSON.createArrayNode();
    int skipped = 0;
    for (String subject : registry.subjects(deleted)) {
      if (subjectPrefix != null && !subject.startsWith(subjectPrefix)) {
        continue;
      }
      List<Integer> versions = registry.versions(subject, deleted);
      if (latestOnly && !versions.isEmpty()) {
        versions = List.of(versions.get(versions.size() - 1));
      }
      for (int v : versions) {
        if (skipped++ < offset) {
          continue;
        }
        if (limit > 0 && out.size() >= limit) {
          return out;
        }
        RegistryService.Registered r = registry.version(subject, Integer.toString(v), deleted);
        out.addObject()
            .put("subject", r.subject())
            .put("version", r.version())
            .put("id", r.id())
            .put("schema", r.schema());
      }
    }
    return out;
  }

  /** {@code GET /v1/metadata/id}: {@code {"scope": {"path": [], "clusters": {...}}}}. */
  static JsonNode metadataId(String kafkaClusterId) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode scope = body.putObject("scope");
    scope.putArray("path");
    ObjectNode clusters = scope.putObject("clusters");
    if (kafkaClusterId != null) {
      clusters.put("kafka-cluster", kafkaClusterId);
    }
    clusters.put("schema-registry-cluster", REGISTRY_CLUSTER_ID);
    return body;
  }
}
