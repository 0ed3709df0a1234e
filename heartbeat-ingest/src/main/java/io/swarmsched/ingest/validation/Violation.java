package io.swarmsched.ingest.validation;

/**
 * Why a heartbeat was refused: the field at fault (dotted Avro path, e.g. {@code load.cpu_usage})
 * and a reason a human can act on.
 */
public record Violation(String field, String reason) {

  /** One line for dead-letter headers, logs and HTTP error bodies: {@code field: reason}. */
  public String message() {
    return field + ": " + reason;
  }

  @Override
  public String toString() {
    return message();
  }
}
