package io.swarmsched.dispatcher.topology;

import java.time.Duration;

/**
 * A task partition's decision clock: stream time, less any jump that a record dated past the clock
 * bound ({@code validation.max.clock.ahead}) made. Kafka Streams' own stream time takes every
 * record's timestamp, so one record dated an hour ahead would otherwise age every peer of the
 * partition by an hour (issue 13, finding 5). Plain Java: the caller passes Streams' stream time
 * and the wall clock.
 */
final class PartitionClock {
  private final long maxAheadMs;

  /** The largest timestamp of a record dated within the clock bound; -1 before the first one. */
  private long trustedTime = -1;

  PartitionClock(Duration maxClockAhead) {
    this.maxAheadMs = maxClockAhead.toMillis();
  }

  /**
   * Takes in one record's timestamp and returns the time its decision uses: the record's own time
   * when it is within the bound (and not behind the clock), otherwise the clock.
   */
  long observe(long recordTimestamp, long streamTime, long wallNow) {
    boolean ahead = ahead(recordTimestamp, wallNow);
    if (trustedTime < 0 && !ahead(streamTime, wallNow)) {
      trustedTime = streamTime; // after a restart: the restored stream time
    }
    if (!ahead) {
      trustedTime = Math.max(trustedTime, recordTimestamp);
    }
    long now = now(streamTime, wallNow);
    return ahead ? now : Math.max(now, recordTimestamp);
  }

  /** Stream time, capped at the trusted time (or at the clock bound before any record). */
  long now(long streamTime, long wallNow) {
    long cap = trustedTime >= 0 ? trustedTime : wallNow + maxAheadMs;
    return Math.min(streamTime, cap);
  }

  private boolean ahead(long timestamp, long wallNow) {
    return timestamp > wallNow + maxAheadMs;
  }
}
