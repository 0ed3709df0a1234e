package io.swarmsched.runtime.streams;

import io.swarmsched.runtime.http.HealthCheck;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Whether a Streams application is really serving, for {@code /health} (issue 13: it said {@code UP
 * ... RUNNING} while a stream thread died on the same record every 45 s, and while the broker was
 * down). Down when any of:
 *
 * <ul>
 *   <li>the state is not RUNNING or REBALANCING (ERROR, PENDING_ERROR, shutting down, not started);
 *   <li>stream threads were replaced {@code maxReplacements} times or more within {@code
 *       replacementWindow}: a thread dying repeatedly, typically on one record it cannot get past;
 *   <li>the broker has been unreachable for longer than {@code brokerUnreachableAfter}.
 * </ul>
 *
 * Plain Java with an injected clock, so each rule is unit-tested; {@link StreamsService} feeds it.
 */
public final class StreamsHealth {
  /** The thresholds. */
  public record Policy(
      int maxReplacements, Duration replacementWindow, Duration brokerUnreachableAfter) {
    public Policy {
      if (maxReplacements < 1) {
        throw new IllegalArgumentException("maxReplacements must be >= 1, was " + maxReplacements);
      }
      if (replacementWindow.isNegative()
          || replacementWindow.isZero()
          || brokerUnreachableAfter.isNegative()
          || brokerUnreachableAfter.isZero()) {
        throw new IllegalArgumentException(
            "health windows must be positive: "
                + replacementWindow
                + ", "
                + brokerUnreachableAfter);
      }
    }

    /** Two thread deaths in 10 minutes; the broker unreachable for 30 s. */
    public static Policy defaults() {
      return new Policy(2, Duration.ofMinutes(10), Duration.ofSeconds(30));
    }
  }

  private final Policy policy;
  private final LongSupplier clockMs;
  private final Deque<Long> replacements = new ArrayDeque<>();
  private long totalReplacements;

  /** When the broker was last reached, or when watching began. */
  private long lastReachedMs;

  public StreamsHealth(Policy policy, LongSupplier clockMs) {
    this.policy = policy;
    this.clockMs = clockMs;
    this.lastReachedMs = clockMs.getAsLong();
  }

  public synchronized void threadReplaced() {
    replacements.addLast(clockMs.getAsLong());
    totalReplacements++;
  }

  public synchronized void brokerReached() {
    lastReachedMs = clockMs.getAsLong();
  }

  /** Stream threads replaced since start. */
  public synchronized long totalReplacements() {
    return totalReplacements;
  }

  public synchronized HealthCheck.Status status(KafkaStreams.State state, String applicationId) {
    long now = clockMs.getAsLong();
    while (!replacements.isEmpty()
        && replacements.peekFirst() <= now - policy.replacementWindow().toMillis()) {
      replacements.removeFirst();
    }
    long unreachableMs = now - lastReachedMs;
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("application_id", String.valueOf(applicationId));
    data.put("state", state.name());
    data.put("thread_replacements_in_window", replacements.size());
    data.put("thread_replacements_total", totalReplacements);
    data.put("broker_unreachable_ms", unreachableMs);
    String problem = null;
    if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
      problem = state.name();
    } else if (replacements.size() >= policy.maxReplacements()) {
      problem =
          state.name()
              + ", but "
              + replacements.size()
              + " stream threads died in the last "
              + policy.replacementWindow().toSeconds()
              + " s";
    } else if (unreachableMs > policy.brokerUnreachableAfter().toMillis()) {
      problem =
          state.name() + ", but the broker has been unreachable for " + unreachableMs / 1000 + " s";
    }
    return problem == null
        ? new HealthCheck.Status(true, state.name(), data)
        : new HealthCheck.Status(false, problem, data);
  }
}
