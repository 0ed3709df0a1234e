package io.swarmsched.serde.subject;

import org.apache.avro.Schema;

/**
 * The record's full name ({@code io.swarmsched.schemas.HostState}): one lineage per record type,
 * across topics.
 */
public final class RecordNameStrategy implements SubjectNameStrategy {
  @Override
  public String subjectName(String topic, boolean isKey, Schema schema) {
    return SubjectNameStrategies.recordName(schema);
  }
}
