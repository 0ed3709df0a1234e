package io.swarmsched.scheduling.retry;

/**
 * Retry configuration (docs/design.md defaults): retry every {@code baseDelayMillis} ± {@code
 * jitterRatio}; after {@code backToSourceAfterEmptyRounds} empty rounds go back to source; after
 * {@code failAfterEmptyRounds}, fail; at most {@code maxBackToSourcePerTask} peers of a task
 * back-to-source at once.
 */
public record RetryParams(
    long baseDelayMillis,
    double jitterRatio,
    int backToSourceAfterEmptyRounds,
    int failAfterEmptyRounds,
    int maxBackToSourcePerTask) {

  public static final RetryParams DEFAULT = new RetryParams(500, 0.25, 4, 5, 200);

  public RetryParams {
    if (baseDelayMillis < 1) {
      throw new IllegalArgumentException("baseDelayMillis must be >= 1, was " + baseDelayMillis);
    }
    if (!(jitterRatio >= 0.0 && jitterRatio < 1.0)) {
      throw new IllegalArgumentException("jitterRatio must be in [0, 1), was " + jitterRatio);
    }
    if (backToSourceAfterEmptyRounds < 1) {
      throw new IllegalArgumentException(
          "backToSourceAfterEmptyRounds must be >= 1, was " + backToSourceAfterEmptyRounds);
    }
    if (failAfterEmptyRounds < backToSourceAfterEmptyRounds) {
      throw new IllegalArgumentException(
          "failAfterEmptyRounds must be >= backToSourceAfterEmptyRounds ("
              + backToSourceAfterEmptyRounds
              + "), was "
              + failAfterEmptyRounds);
    }
    if (maxBackToSourcePerTask < 1) {
      throw new IllegalArgumentException(
          "maxBackToSourcePerTask must be >= 1, was " + maxBackToSourcePerTask);
    }
  }
}
