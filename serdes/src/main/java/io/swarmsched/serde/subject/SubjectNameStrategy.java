package io.swarmsched.serde.subject;

import org.apache.avro.Schema;

/** Chooses the registry subject a record's schema is registered and looked up under. */
@FunctionalInterface
public interface SubjectNameStrategy {
  /**
   * @param topic the topic the record is written to or read from
   * @param isKey true for the key serde
   * @param schema the record's schema
   */
  String subjectName(String topic, boolean isKey, Schema schema);
}
