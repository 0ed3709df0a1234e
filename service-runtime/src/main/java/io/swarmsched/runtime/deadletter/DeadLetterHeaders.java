package io.swarmsched.runtime.deadletter;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Names of the headers a dead letter carries on top of the original record's headers. Every value
 * is a UTF-8 string; partition, offset and timestamp are decimal numbers (timestamp in epoch
 * milliseconds, when the record was dead-lettered).
 */
public final class DeadLetterHeaders {
  private DeadLetterHeaders() {}

  /** Which step refused the record, e.g. {@code deserialize}, {@code heartbeat-validate}. */
  public static final String STAGE = "swarm.dlq.stage";

  /** Why, in words a human can act on. */
  public static final String REASON = "swarm.dlq.reason";

  public static final String SOURCE_TOPIC = "swarm.dlq.source.topic";
  public static final String SOURCE_PARTITION = "swarm.dlq.source.partition";
  public static final String SOURCE_OFFSET = "swarm.dlq.source.offset";

  /** Fully qualified class name of the exception, when an exception was the cause. */
  public static final String EXCEPTION = "swarm.dlq.exception";

  public static final String TIMESTAMP = "swarm.dlq.timestamp";

  /** The last value of header {@code name} as a UTF-8 string. */
  public static Optional<String> lastValue(Headers headers, String name) {
    if (headers == null) {
      return Optional.empty();
    }
    Header header = headers.lastHeader(name);
    if (header == null || header.value() == null) {
      return Optional.empty();
    }
    return Optional.of(new String(header.value(), StandardCharsets.UTF_8));
  }

  static void put(Headers headers, String name, String value) {
    if (value == null) {
      return;
    }
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
