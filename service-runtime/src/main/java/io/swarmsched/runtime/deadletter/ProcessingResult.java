package io.swarmsched.runtime.deadletter;

import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;

/**
 * The outcome of one processing step: a value to continue with, or a {@link DeadLetter} that {@link
 * DeadLetterRouting} sends to the dead-letter topic. Failures travel as values so the happy path of
 * a topology stays readable (Michelin kstreamplify's idea).
 *
 * <p>Lives only between processors of one sub-topology; it has no serde and is never written to a
 * topic.
 */
public final class ProcessingResult<V> {
  private final V value;
  private final DeadLetter deadLetter;

  private ProcessingResult(V value, DeadLetter deadLetter) {
    this.value = value;
    this.deadLetter = deadLetter;
  }

  public static <V> ProcessingResult<V> ok(V value) {
    return new ProcessingResult<>(value, null);
  }

  public static <V> ProcessingResult<V> failed(DeadLetter deadLetter) {
    return new ProcessingResult<>(null, Objects.requireNonNull(deadLetter, "deadLetter"));
  }

  public static <V> ProcessingResult<V> failed(
      String stage,
      String reason,
      byte[] rawKey,
      byte[] rawValue,
      Headers headers,
      String topic,
      int partition,
      long offset) {
    return failed(
        DeadLetter.builder(stage, reason)
            .rawKey(rawKey)
            .rawValue(rawValue)
            .headers(headers)
            .source(topic, partition, offset)
            .build());
  }

  public boolean isOk() {
    return deadLetter == null;
  }

  public boolean isFailed() {
    return deadLetter != null;
  }

  /** The value; throws if this result failed. */
  public V value() {
    if (deadLetter != null) {
      throw new IllegalStateException("failed result has no value: " + deadLetter.reason());
    }
    return value;
  }

  /** The dead letter; throws if this result is ok. */
  public DeadLetter deadLetter() {
    if (deadLetter == null) {
      throw new IllegalStateException("ok result has no dead letter");
    }
    return deadLetter;
  }

  /** Applies {@code step} to an ok value; a failure passes through unchanged. */
  public <R> ProcessingResult<R> flatMap(Function<? super V, ProcessingResult<R>> step) {
    if (deadLetter != null) {
      return failed(deadLetter);
    }
    return step.apply(value);
  }

  public <R> ProcessingResult<R> map(Function<? super V, ? extends R> mapper) {
    if (deadLetter != null) {
      return failed(deadLetter);
    }
    return ok(mapper.apply(value));
  }

  @Override
  public String toString() {
    return deadLetter == null
        ? "ProcessingResult.ok(" + value + ")"
        : "ProcessingResult.failed(" + deadLetter.stage() + ": " + deadLetter.reason() + ")";
  }
}
