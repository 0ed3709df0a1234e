package io.swarmsched.scheduling.health;

/**
 * A host is quarantined for {@code durationMillis} when, over a window of {@code windowMillis}, at
 * least {@code minSamples} of its uploads were counted and more than {@code failureRate} of them
 * failed.
 */
public record QuarantineParams(
    long windowMillis, int minSamples, double failureRate, long durationMillis) {

  public QuarantineParams {
    if (windowMillis < 1) {
      throw new IllegalArgumentException("windowMillis must be >= 1, was " + windowMillis);
    }
    if (minSamples < 1) {
      throw new IllegalArgumentException("minSamples must be >= 1, was " + minSamples);
    }
    if (!(failureRate >= 0.0 && failureRate <= 1.0)) {
      throw new IllegalArgumentException("failureRate must be in [0, 1], was " + failureRate);
    }
    if (durationMillis < 0) {
      throw new IllegalArgumentException("durationMillis must be >= 0, was " + durationMillis);
    }
  }
}
