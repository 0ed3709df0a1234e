package io.swarmsched.serde.subject;

import org.apache.avro.Schema;

/** {@code <topic>-<record full name>}: several record types per topic, one lineage each. */
public final class TopicRecordNameStrategy implements SubjectNameStrategy {
  @Override
  public String subjectName(String topic, boolean isKey, Schema schema) {
    return topic + "-" + SubjectNameStrategies.recordName(schema);
  }
}
