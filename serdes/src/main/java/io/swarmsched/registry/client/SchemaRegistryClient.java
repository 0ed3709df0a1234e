package io.swarmsched.registry.client;

import java.util.List;
import org.apache.avro.Schema;

/**
 * The operations of a Confluent-compatible schema registry that swarmsched uses. Every failure is a
 * {@link RegistryException} carrying the HTTP status and Confluent error code.
 *
 * <p>Implementations: {@link RestSchemaRegistryClient} (HTTP) and {@link
 * InMemorySchemaRegistryClient} (tests, {@code mock://scope} URLs). Both cache ids and schemas,
 * which never change once assigned.
 */
public interface SchemaRegistryClient {

  /** Registers {@code schema} under {@code subject} (idempotent) and returns its schema id. */
  int register(String subject, Schema schema);

  /** The id and version of {@code schema} under {@code subject}; 40401/40403 when absent. */
  SchemaMetadata lookup(String subject, Schema schema);

  /** The schema with registry-wide id {@code id}; 40403 when unknown. */
  Schema getById(int id);

  /** The latest version registered under {@code subject}; 40401 when the subject does not exist. */
  SchemaMetadata getLatest(String subject);

  /** Version {@code version} of {@code subject}; 40401/40402 when absent. */
  SchemaMetadata getVersion(String subject, int version);

  /** Every (not deleted) subject. */
  List<String> subjects();

  /** The versions of {@code subject}, ascending; 40401 when the subject does not exist. */
  List<Integer> versions(String subject);

  /**
   * True when {@code schema} could be registered under {@code subject} at its compatibility level
   * (always true for a subject with no versions).
   */
  boolean testCompatibility(String subject, Schema schema);

  /** The compatibility level in effect for {@code subject}; {@code null} means the global level. */
  CompatibilityLevel getCompatibility(String subject);

  /** Sets the level of {@code subject}; {@code null} sets the global level. */
  void setCompatibility(String subject, CompatibilityLevel level);

  /** Deletes {@code subject} and returns the versions it had. Ids stay resolvable by id. */
  List<Integer> deleteSubject(String subject);
}
