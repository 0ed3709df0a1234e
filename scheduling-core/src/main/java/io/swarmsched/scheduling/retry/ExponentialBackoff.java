package io.swarmsched.scheduling.retry;

import io.swarmsched.scheduling.StableHash;

/**
 * Exponential backoff with jitter drawn from a key (e.g. a job id), for reassigning jobs whose
 * worker went away: {@code min(max, initial·multiplier^(attempt−1))·(1 ± jitter)}.
 */
public record ExponentialBackoff(
    long initialMillis, double multiplier, long maxMillis, double jitterRatio, int maxAttempts) {

  public static final ExponentialBackoff DEFAULT =
      new ExponentialBackoff(1_000, 2.0, 60_000, 0.25, 5);

  public ExponentialBackoff {
    if (initialMillis < 1) {
      throw new IllegalArgumentException("initialMillis must be >= 1, was " + initialMillis);
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be >= 1, was " + multiplier);
    }
    if (maxMillis < initialMillis) {
      throw new IllegalArgumentException("maxMillis must be >= initialMillis, was " + maxMillis);
    }
    if (!(jitterRatio >= 0.0 && jitterRatio < 1.0)) {
      throw new IllegalArgumentException("jitterRatio must be in [0, 1), was " + jitterRatio);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
  }

  /** True when another attempt is allowed after {@code attemptsSoFar}. */
  public boolean canRetry(int attemptsSoFar) {
    return attemptsSoFar < maxAttempts;
  }

  /** Delay before attempt number {@code attempt} (1-based). */
  public long delayMillis(String key, int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
    }
    double base = Math.min((double) maxMillis, initialMillis * Math.pow(multiplier, attempt - 1));
    double u =
        StableHash.unit(StableHash.hash(key == null ? "" : key, "backoff#" + attempt)) * 2.0 - 1.0;
    return Math.max(1L, Math.round(base * (1.0 + jitterRatio * u)));
  }
}
