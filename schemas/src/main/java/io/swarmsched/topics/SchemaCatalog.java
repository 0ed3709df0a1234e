package io.swarmsched.topics;

import io.swarmsched.registry.client.SchemaRegistryClient;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The value schema of every catalog topic, by registry subject (TopicNameStrategy: {@code
 * <topic>-value}), read from {@link Topics#ALL}. Topics with opaque values (dead letters) have no
 * subject.
 */
public final class SchemaCatalog {
  private SchemaCatalog() {}

  /** Every value subject and its current schema, in catalog order. */
  public static Map<String, Schema> valueSubjects() {
    Map<String, Schema> subjects = new LinkedHashMap<>();
    for (Topic topic : Topics.ALL) {
      topic.valueSchema().ifPresent(schema -> subjects.put(topic.valueSubject(), schema));
    }
    return Collections.unmodifiableMap(subjects);
  }

  /** The distinct top-level record schemas of the catalog, by full name. */
  public static Map<String, Schema> recordSchemas() {
    Map<String, Schema> records = new LinkedHashMap<>();
    valueSubjects().values().forEach(schema -> records.putIfAbsent(schema.getFullName(), schema));
    return Collections.unmodifiableMap(records);
  }

  /**
   * Registers every value schema under its subject (idempotent: an already registered schema keeps
   * its id) and returns the ids by subject. A schema the registry refuses (e.g. not compatible with
   * what is registered) fails with the registry's {@code RegistryException}.
   */
  public static Map<String, Integer> registerAll(SchemaRegistryClient client) {
    Map<String, Integer> ids = new LinkedHashMap<>();
    valueSubjects()
        .forEach((subject, schema) -> ids.put(subject, client.register(subject, schema)));
    return Collections.unmodifiableMap(ids);
  }
}
