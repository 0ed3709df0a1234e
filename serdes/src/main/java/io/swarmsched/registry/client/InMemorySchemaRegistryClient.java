package io.swarmsched.registry.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * A schema registry held in memory, with the registry's semantics: ids are registry-wide (the same
 * schema under two subjects has one id), versions count up per subject, a schema that is not
 * compatible at the subject's level (default BACKWARD) is refused with 409, and lookups of unknown
 * things fail with Confluent's error codes. Thread-safe.
 *
 * <p>Use {@link MockSchemaRegistry#getClientForScope(String)} (or {@code
 * schema.registry.url=mock://scope}) to share one instance between the serdes of a test.
 */
public class InMemorySchemaRegistryClient implements SchemaRegistryClient {

  private record Version(int version, int id, Schema schema) {}

  private final Map<String, Integer> idsBySchemaText = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, List<Version>> subjects = new LinkedHashMap<>();
  private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
  private int nextId = 1;

  @Override
  public synchronized int register(String subject, Schema schema) {
    List<Version> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
    String text = schema.toString();
    for (Version v : versions) {
      if (v.schema().toString().equals(text)) {
        return v.id();
      }
    }
    List<String> problems = getCompatibility(subject).incompatibilities(schema, schemas(versions));
    if (!problems.isEmpty()) {
      if (versions.isEmpty()) {
        subjects.remove(subject);
      }
      throw new RegistryException(
          409,
          RegistryException.INCOMPATIBLE_SCHEMA,
          "Schema being registered is incompatible with an earlier schema for subject '"
              + subject
              + "': "
              + problems);
    }
    int id = idsBySchemaText.computeIfAbsent(text, t -> nextId++);
    schemasById.putIfAbsent(id, schema);
    int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
    versions.add(new Version(version, id, schema));
    return id;
  }

  @Override
  public synchronized SchemaMetadata lookup(String subject, Schema schema) {
    String text = schema.toString();
    for (Version v : existing(subject)) {
      if (v.schema().toString().equals(text)) {
        return new SchemaMetadata(v.id(), v.version(), subject, v.schema());
      }
    }
    throw RegistryException.schemaNotFound("under subject '" + subject + "'");
  }

  @Override
  public synchronized Schema getById(int id) {
    Schema schema = schemasById.get(id);
    if (schema == null) {
      throw RegistryException.schemaNotFound("with id " + id);
    }
    return schema;
  }

  @Override
  public synchronized SchemaMetadata getLatest(String subject) {
    List<Version> versions = existing(subject);
    Version v = versions.get(versions.size() - 1);
    return new SchemaMetadata(v.id(), v.version(), subject, v.schema());
  }

  @Override
  public synchronized SchemaMetadata getVersion(String subject, int version) {
    for (Version v : existing(subject)) {
      if (v.version() == version) {
        return new SchemaMetadata(v.id(), v.version(), subject, v.schema());
      }
    }
    throw RegistryException.versionNotFound(subject, version);
  }

  @Override
  public synchronized List<String> subjects() {
    return List.copyOf(subjects.keySet());
  }

  @Override
  public synchronized List<Integer> versions(String subject) {
    return existing(subject).stream().map(Version::version).toList();
  }

  @Override
  public synchronized boolean testCompatibility(String subject, Schema schema) {
    List<Version> versions = subjects.getOrDefault(subject, List.of());
    return getCompatibility(subject).isCompatible(schema, schemas(versions));
  }

  @Override
  public synchronized CompatibilityLevel getCompatibility(String subject) {
    if (subject == null) {
      return globalLevel;
    }
    return subjectLevels.getOrDefault(subject, globalLevel);
  }

  @Override
  public synchronized void setCompatibility(String subject, CompatibilityLevel level) {
    if (subject == null) {
      globalLevel = level;
    } else {
      subjectLevels.put(subject, level);
    }
  }

  @Override
  public synchronized List<Integer> deleteSubject(String subject) {
    List<Integer> versions = versions(subject);
    subjects.remove(subject);
    subjectLevels.remove(subject);
    return versions;
  }

  private List<Version> existing(String subject) {
    List<Version> versions = subjects.get(subject);
    if (versions == null || versions.isEmpty()) {
      throw RegistryException.subjectNotFound(subject);
    }
    return versions;
  }

  private static List<Schema> schemas(List<Version> versions) {
    return versions.stream().map(Version::schema).toList();
  }
}
