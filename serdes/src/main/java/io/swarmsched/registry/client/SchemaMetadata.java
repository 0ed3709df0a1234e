package io.swarmsched.registry.client;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One registered version of a schema under a subject.
 *
 * @param id the registry-wide schema id written in the wire format
 * @param version the version of the schema within {@code subject} (1, 2, ...)
 * @param subject the subject it is registered under
 * @param schema the parsed Avro schema
 */
public record SchemaMetadata(int id, int version, String subject, Schema schema) {
  public SchemaMetadata {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(schema, "schema");
  }
}
