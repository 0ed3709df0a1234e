package io.swarmsched.ingest.liveness;

import io.swarmsched.schemas.Liveness;
import java.time.Duration;

/**
 * How long a host may stay silent: SUSPICIOUS after {@code suspiciousAfter} without a heartbeat,
 * OFFLINE after {@code offlineAfter}, forgotten (tombstoned) once OFFLINE for {@code offlineTtl}.
 */
public record LivenessPolicy(Duration suspiciousAfter, Duration offlineAfter, Duration offlineTtl) {

  public LivenessPolicy {
    if (suspiciousAfter.isNegative() || suspiciousAfter.isZero()) {
      throw new IllegalArgumentException("suspiciousAfter must be positive");
    }
    if (offlineAfter.compareTo(suspiciousAfter) <= 0) {
      throw new IllegalArgumentException(
          "offlineAfter ("
              + offlineAfter
              + ") must be longer than suspiciousAfter ("
              + suspiciousAfter
              + ")");
    }
    if (offlineTtl.isNegative() || offlineTtl.isZero()) {
      throw new IllegalArgumentException("offlineTtl must be positive");
    }
  }

  public static LivenessPolicy defaults() {
    return new LivenessPolicy(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofHours(1));
  }

  /** The liveness a host has after this much silence. */
  public Liveness livenessAfterSilence(long silenceMs) {
    if (silenceMs >= offlineAfter.toMillis()) {
      return Liveness.OFFLINE;
    }
    if (silenceMs >= suspiciousAfter.toMillis()) {
      return Liveness.SUSPICIOUS;
    }
    return Liveness.ONLINE;
  }
}
