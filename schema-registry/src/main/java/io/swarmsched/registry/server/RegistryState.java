package io.swarmsched.registry.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The registry's in-memory view, rebuilt by applying the records of the {@code _schemas} topic in
 * order. Only {@link RecordCodec} mutates it; everything else reads. Thread-safe by monitor.
 */
final class RegistryState {

  /** One version of one subject. {@code schema} is Avro's canonical text of the schema. */
  record Version(String subject, int version, int id, String schema, boolean deleted) {}

  private final Map<String, TreeMap<Integer, Version>> subjects = new TreeMap<>();
  private final Map<Integer, String> schemasById = new HashMap<>();
  private final Map<String, Integer> idsBySchema = new HashMap<>();
  private final Map<Integer, Integer> versionsUsingId = new HashMap<>();
  private final Map<String, Compatibility> subjectCompatibility = new HashMap<>();
  private Compatibility globalCompatibility;
  private int maxId;

  // ---- mutations (from the log) ----

  synchronized void putVersion(Version version) {
    TreeMap<Integer, Version> versions =
        subjects.computeIfAbsent(version.subject(), s -> new TreeMap<>());
    Version previous = versions.put(version.version(), version);
    if (previous != null) {
      release(previous.id());
    }
    schemasById.put(version.id(), version.schema());
    idsBySchema.putIfAbsent(version.schema(), version.id());
    versionsUsingId.merge(version.id(), 1, Integer::sum);
    maxId = Math.max(maxId, version.id());
  }

  synchronized void removeVersion(String subject, int version) {
    TreeMap<Integer, Version> versions = subjects.get(subject);
    if (versions == null) {
      return;
    }
    Version removed = versions.remove(version);
    if (removed != null) {
      release(removed.id());
    }
    if (versions.isEmpty()) {
      subjects.remove(subject);
    }
  }

  /** Confluent's DELETE_SUBJECT record: every version up to {@code upTo} is soft-deleted. */
  synchronized void softDeleteUpTo(String subject, int upTo) {
    TreeMap<Integer, Version> versions = subjects.get(subject);
    if (versions == null) {
      return;
    }
    versions
        .headMap(upTo, true)
        .replaceAll(
            (v, old) -> new Version(old.subject(), old.version(), old.id(), old.schema(), true));
  }

  synchronized void setCompatibility(String subject, Compatibility level) {
    if (subject == null) {
      globalCompatibility = level;
    } else if (level == null) {
      subjectCompatibility.remove(subject);
    } else {
      subjectCompatibility.put(subject, level);
    }
  }

  private void release(int id) {
    int left = versionsUsingId.merge(id, -1, Integer::sum);
    if (left <= 0) {
      versionsUsingId.remove(id);
      String schema = schemasById.remove(id);
      if (schema != null && idsBySchema.get(schema) == id) {
        idsBySchema.remove(schema);
      }
    }
  }

  // ---- queries ----

  synchronized List<String> subjects(boolean includeDeleted) {
    List<String> names = new ArrayList<>();
    subjects.forEach(
        (name, versions) -> {
          if (includeDeleted || versions.values().stream().anyMatch(v -> !v.deleted())) {
            names.add(name);
          }
        });
    return names;
  }

  /** Versions of a subject, oldest first; empty when the subject is unknown. */
  synchronized List<Version> versions(String subject, boolean includeDeleted) {
    TreeMap<Integer, Version> versions = subjects.get(subject);
    if (versions == null) {
      return List.of();
    }
    return versions.values().stream().filter(v -> includeDeleted || !v.deleted()).toList();
  }

  synchronized Optional<Version> version(String subject, int version) {
    TreeMap<Integer, Version> versions = subjects.get(subject);
    return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
  }

  /** Highest version number ever used by the subject (deleted ones included), 0 when none. */
  synchronized int highestVersion(String subject) {
    TreeMap<Integer, Version> versions = subjects.get(subject);
    return versions == null || versions.isEmpty() ? 0 : versions.lastKey();
  }

  synchronized Optional<String> schemaById(int id) {
    return Optional.ofNullable(schemasById.get(id));
  }

  synchronized Optional<Integer> idOf(String canonicalSchema) {
    return Optional.ofNullable(idsBySchema.get(canonicalSchema));
  }

  /** Every version, in any subject, that carries the id. */
  synchronized List<Version> usesOf(int id) {
    List<Version> uses = new ArrayList<>();
    subjects
        .values()
        .forEach(
            versions ->
                versions
                    .values()
                    .forEach(
                        v -> {
                          if (v.id() == id) {
                            uses.add(v);
                          }
                        }));
    return uses;
  }

  synchronized int maxId() {
    return maxId;
  }

  synchronized Optional<Compatibility> subjectCompatibility(String subject) {
    return Optional.ofNullable(subjectCompatibility.get(subject));
  }

  synchronized Compatibility globalCompatibility() {
    return globalCompatibility == null ? Compatibility.DEFAULT : globalCompatibility;
  }

  synchronized Compatibility effectiveCompatibility(String subject) {
    Compatibility level = subjectCompatibility.get(subject);
    return level != null ? level : globalCompatibility();
  }
}
