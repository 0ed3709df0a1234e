package io.swarmsched.replay;

/**
 * One Kafka record as recorded: where it was, when, and its key and value bytes as written (the
 * value in the Confluent wire format, {@code schemaId} its writer schema's registry id, -1 when the
 * value is not in that format or is a tombstone).
 */
public record RecordedRecord(
    String topic,
    int partition,
    long offset,
    long timestamp,
    byte[] key,
    byte[] value,
    int schemaId) {

  /** "topic-partition@offset", as logs and reports name a record. */
  public String coordinates() {
    return topic + "-" + partition + "@" + offset;
  }
}
