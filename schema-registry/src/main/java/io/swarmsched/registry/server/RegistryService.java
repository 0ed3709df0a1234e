package io.swarmsched.registry.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The registry's rules (Confluent's semantics) over the state and the log, free of HTTP.
 *
 * <p>Writes are serialized by one lock per server and ids are the highest id seen plus one: correct
 * for a single writing server. Two servers on one topic agree on everything they read, but if both
 * take writes at the same moment they can hand out the same id or version (see README).
 */
final class RegistryService {

  private final RegistryState state;
  private final RegistryLog log;
  private final Object writeLock = new Object();

  RegistryService(RegistryState state, RegistryLog log) {
    this.state = state;
    this.log = log;
  }

  /** A version answer: the subject, its version, the global id and the canonical schema. */
  record Registered(String subject, int version, int id, String schema) {
    static Registered of(RegistryState.Version v) {
      return new Registered(v.subject(), v.version(), v.id(), v.schema());
    }
  }

  // ---- schemas ----

  Registered register(String subject, SchemaRequest request) {
    synchronized (writeLock) {
      List<RegistryState.Version> live = state.versions(subject, false);
      for (RegistryState.Version v : live) {
        if (v.schema().equals(request.canonical())) {
          return Registered.of(v);
        }
      }
      Compatibility level = state.effectiveCompatibility(subject);
      List<String> problems = CompatibilityChecker.check(level, request.schema(), parsed(live));
      if (!problems.isEmpty()) {
        throw RegistryError.incompatible(subject, problems);
      }
      int id = state.idOf(request.canonical()).orElseGet(() -> state.maxId() + 1);
      int version = state.highestVersion(subject) + 1;
      RegistryState.Version created =
          new RegistryState.Version(subject, version, id, request.canonical(), false);
      log.append(List.of(RecordCodec.schema(created)));
      return Registered.of(created);
    }
  }

  Registered lookup(String subject, SchemaRequest request, boolean includeDeleted) {
    List<RegistryState.Version> versions = state.versions(subject, includeDeleted);
    if (versions.isEmpty()) {
      throw RegistryError.subjectNotFound(subject);
    }
    return versions.stream()
        .filter(v -> v.schema().equals(request.canonical()))
        .reduce((first, second) -> second) // the newest version carrying the schema
        .map(Registered::of)
        .orElseThrow(RegistryError::schemaNotFound);
  }

  String schemaById(int id) {
    return state.schemaById(id).orElseThrow(() -> RegistryError.schemaIdNotFound(id));
  }

  List<RegistryState.Version> usesOfId(int id, boolean includeDeleted) {
    schemaById(id);
    return state.usesOf(id).stream().filter(v -> includeDeleted || !v.deleted()).toList();
  }

  // ---- subjects and versions ----

  List<String> subjects(boolean includeDeleted) {
    return state.subjects(includeDeleted);
  }

  List<Integer> versions(String subject, boolean includeDeleted) {
    List<RegistryState.Version> versions = state.versions(subject, includeDeleted);
    if (versions.isEmpty()) {
      throw RegistryError.subjectNotFound(subject);
    }
    return versions.stream().map(RegistryState.Version::version).toList();
  }

  Registered version(String subject, String versionText, boolean includeDeleted) {
    return Registered.of(resolve(subject, versionText, includeDeleted));
  }

  /**
   * Soft delete (or, after one, permanent delete) of every version; answers the version numbers.
   */
  List<Integer> deleteSubject(String subject, boolean permanent) {
    synchronized (writeLock) {
      List<RegistryState.Version> all = state.versions(subject, true);
      if (all.isEmpty()) {
        throw RegistryError.subjectNotFound(subject);
      }
      List<RegistryState.Version> live = state.versions(subject, false);
      List<RecordCodec.Entry> entries = new ArrayList<>();
      if (!permanent) {
        if (live.isEmpty()) {
          throw RegistryError.subjectSoftDeleted(subject);
        }
        for (RegistryState.Version v : live) {
          entries.add(
              RecordCodec.schema(
                  new RegistryState.Version(v.subject(), v.version(), v.id(), v.schema(), true)));
        }
        log.append(entries);
        return live.stream().map(RegistryState.Version::version).toList();
      }
      if (!live.isEmpty()) {
        throw RegistryError.subjectNotSoftDeleted(subject);
      }
      for (RegistryState.Version v : all) {
        entries.add(RecordCodec.schemaTombstone(subject, v.version()));
      }
      if (state.subjectCompatibility(subject).isPresent()) {
        entries.add(RecordCodec.config(subject, null));
      }
      log.append(entries);
      return all.stream().map(RegistryState.Version::version).toList();
    }
  }

  int deleteVersion(String subject, String versionText, boolean permanent) {
    synchronized (writeLock) {
      // a soft delete of "latest" means the newest live version; anything else may be deleted
      // already
      RegistryState.Version v =
          !permanent && parseVersion(versionText) == -1
              ? resolve(subject, versionText, false)
              : resolve(subject, versionText, true);
      if (!permanent) {
        if (v.deleted()) {
          throw RegistryError.versionSoftDeleted(subject, v.version());
        }
        log.append(
            List.of(
                RecordCodec.schema(
                    new RegistryState.Version(
                        v.subject(), v.version(), v.id(), v.schema(), true))));
      } else {
        if (!v.deleted()) {
          throw RegistryError.versionNotSoftDeleted(subject, v.version());
        }
        log.append(List.of(RecordCodec.schemaTombstone(subject, v.version())));
      }
      return v.version();
    }
  }

  // ---- compatibility ----

  /**
   * Checks a candidate against {@code versionText} ("latest": whatever the subject's level asks
   * for, every live version when transitive); answers the incompatibilities, empty when compatible.
   */
  List<String> checkCompatibility(String subject, String versionText, SchemaRequest request) {
    Compatibility level = state.effectiveCompatibility(subject);
    if (versionText == null || isLatest(versionText)) {
      parseVersion(versionText == null ? "latest" : versionText);
      List<RegistryState.Version> live = state.versions(subject, false);
      return CompatibilityChecker.check(level, request.schema(), parsed(live));
    }
    RegistryState.Version against = resolve(subject, versionText, false);
    return CompatibilityChecker.check(level, request.schema(), parsed(List.of(against)));
  }

  // ---- config ----

  Compatibility globalCompatibility() {
    return state.globalCompatibility();
  }

  Compatibility subjectCompatibility(String subject, boolean defaultToGlobal) {
    Optional<Compatibility> level = state.subjectCompatibility(subject);
    if (level.isPresent()) {
      return level.get();
    }
    if (defaultToGlobal) {
      return state.globalCompatibility();
    }
    throw RegistryError.subjectCompatibilityNotConfigured(subject);
  }

  /** {@code subject == null} sets the global level. */
  Compatibility setCompatibility(String subject, String levelText) {
    Compatibility level =
        Compatibility.parse(levelText)
            .orElseThrow(() -> RegistryError.invalidCompatibility(levelText));
    synchronized (writeLock) {
      log.append(List.of(RecordCodec.config(subject, level)));
    }
    return level;
  }

  /** Removes a subject's own level, answering the level it had. */
  Compatibility deleteSubjectCompatibility(String subject) {
    synchronized (writeLock) {
      Compatibility previous = subjectCompatibility(subject, false);
      log.append(List.of(RecordCodec.config(subject, null)));
      return previous;
    }
  }

  // ---- helpers ----

  private RegistryState.Version resolve(
      String subject, String versionText, boolean includeDeleted) {
    int requested = parseVersion(versionText);
    List<RegistryState.Version> versions = state.versions(subject, includeDeleted);
    if (versions.isEmpty()) {
      throw RegistryError.subjectNotFound(subject);
    }
    if (requested == -1) {
      return versions.get(versions.size() - 1);
    }
    return versions.stream()
        .filter(v -> v.version() == requested)
        .findFirst()
        .orElseThrow(() -> RegistryError.versionNotFound(subject, requested));
  }

  private static boolean isLatest(String versionText) {
    String v = versionText.trim().toLowerCase(Locale.ROOT);
    return v.equals("latest") || v.equals("-1");
  }

  /** "latest" and -1 answer -1; 1..2^31-1 answer themselves; anything else is error 42202. */
  static int parseVersion(String versionText) {
    if (versionText == null) {
      throw RegistryError.invalidVersion("null");
    }
    if (isLatest(versionText)) {
      return -1;
    }
    try {
      int version = Integer.parseInt(versionText.trim());
      if (version >= 1) {
        return version;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw RegistryError.invalidVersion(versionText);
  }

  private static List<Schema> parsed(List<RegistryState.Version> versions) {
    return versions.stream().map(v -> new Schema.Parser().parse(v.schema())).toList();
  }
}
