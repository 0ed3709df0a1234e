package io.swarmsched.runtime.deadletter;

import io.swarmsched.topics.Topics;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One refused record: its original bytes and headers, and why it was refused.
 *
 * <p>{@code sourcePartition} and {@code sourceOffset} are -1 when the record did not come from a
 * topic (an HTTP body, say); {@code sourceTopic} may then name the origin
 * ("http:/api/v1/heartbeat").
 */
public record DeadLetter(
    String stage,
    String reason,
    String exceptionClass,
    String sourceTopic,
    int sourcePartition,
    long sourceOffset,
    long deadLetteredAtMs,
    byte[] rawKey,
    byte[] rawValue,
    Headers originalHeaders) {

  public DeadLetter {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(reason, "reason");
    originalHeaders = copy(originalHeaders);
  }

  /**
   * The dead-letter topic a Streams handler was configured with: {@code
   * errors.dead.letter.queue.topic.name} when set, else {@code Topics.DEAD_LETTERS}.
   */
  public static String topicFrom(Map<String, ?> configs) {
    Object topic =
        configs == null
            ? null
            : configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    return topic != null && !topic.toString().isBlank()
        ? topic.toString()
        : Topics.DEAD_LETTERS.name();
  }

  public static Builder builder(String stage, String reason) {
    return new Builder(stage, reason);
  }

  /** The original headers followed by the {@link DeadLetterHeaders}. */
  public Headers headers() {
    Headers headers = copy(originalHeaders);
    DeadLetterHeaders.put(headers, DeadLetterHeaders.STAGE, stage);
    DeadLetterHeaders.put(headers, DeadLetterHeaders.REASON, reason);
    DeadLetterHeaders.put(headers, DeadLetterHeaders.SOURCE_TOPIC, sourceTopic);
    if (sourcePartition >= 0) {
      DeadLetterHeaders.put(
          headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(sourcePartition));
    }
    if (sourceOffset >= 0) {
      DeadLetterHeaders.put(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(sourceOffset));
    }
    DeadLetterHeaders.put(headers, DeadLetterHeaders.EXCEPTION, exceptionClass);
    DeadLetterHeaders.put(headers, DeadLetterHeaders.TIMESTAMP, Long.toString(deadLetteredAtMs));
    return headers;
  }

  /** The record to produce to {@code topic}: original key and value bytes, all headers. */
  public ProducerRecord<byte[], byte[]> toProducerRecord(String topic) {
    return new ProducerRecord<>(topic, null, null, rawKey, rawValue, headers());
  }

  private static Headers copy(Headers headers) {
    RecordHeaders copy = new RecordHeaders();
    if (headers != null) {
      for (Header header : headers) {
        copy.add(header.key(), header.value());
      }
    }
    return copy;
  }

  /** Builds a {@link DeadLetter}; only stage and reason are required. */
  public static final class Builder {
    private final String stage;
    private final String reason;
    private String exceptionClass;
    private String sourceTopic;
    private int sourcePartition = -1;
    private long sourceOffset = -1;
    private Long deadLetteredAtMs;
    private byte[] rawKey;
    private byte[] rawValue;
    private Headers headers;
    private Clock clock = Clock.systemUTC();

    private Builder(String stage, String reason) {
      this.stage = stage;
      this.reason = reason;
    }

    public Builder exception(Throwable exception) {
      this.exceptionClass = exception == null ? null : exception.getClass().getName();
      return this;
    }

    public Builder source(String topic, int partition, long offset) {
      this.sourceTopic = topic;
      this.sourcePartition = partition;
      this.sourceOffset = offset;
      return this;
    }

    public Builder sourceTopic(String topic) {
      this.sourceTopic = topic;
      return this;
    }

    public Builder rawKey(byte[] rawKey) {
      this.rawKey = rawKey;
      return this;
    }

    public Builder rawValue(byte[] rawValue) {
      this.rawValue = rawValue;
      return this;
    }

    public Builder headers(Headers headers) {
      this.headers = headers;
      return this;
    }

    public Builder deadLetteredAtMs(long epochMs) {
      this.deadLetteredAtMs = epochMs;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public DeadLetter build() {
      long at = deadLetteredAtMs != null ? deadLetteredAtMs : clock.millis();
      return new DeadLetter(
          stage,
          reason,
          exceptionClass,
          sourceTopic,
          sourcePartition,
          sourceOffset,
          at,
          rawKey,
          rawValue,
          headers);
    }
  }
}
