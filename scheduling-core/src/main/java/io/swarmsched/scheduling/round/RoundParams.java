package io.swarmsched.scheduling.round;

/**
 * The round's own settings (the selector's, the retry policy's and the seed selector's are theirs):
 *
 * @param seedWaitTimeoutMillis how long requests wait for a triggered seed before counting empty
 *     rounds
 * @param seedFailureMemoryMillis how long a seed that failed a task is skipped for it
 * @param copyLostRule the copy-lost rule ({@link SchedulingRound}; on by default)
 */
public record RoundParams(
    long seedWaitTimeoutMillis, long seedFailureMemoryMillis, boolean copyLostRule) {

  /** With the copy-lost rule on. */
  public RoundParams(long seedWaitTimeoutMillis, long seedFailureMemoryMillis) {
    this(seedWaitTimeoutMillis, seedFailureMemoryMillis, true);
  }

  public RoundParams {
    if (seedWaitTimeoutMillis < 0) {
      throw new IllegalArgumentException(
          "seedWaitTimeoutMillis must be >= 0, was " + seedWaitTimeoutMillis);
    }
    if (seedFailureMemoryMillis < 0) {
      throw new IllegalArgumentException(
          "seedFailureMemoryMillis must be >= 0, was " + seedFailureMemoryMillis);
    }
  }
}
