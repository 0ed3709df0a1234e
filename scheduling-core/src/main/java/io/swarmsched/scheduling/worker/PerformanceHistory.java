package io.swarmsched.scheduling.worker;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-worker job outcomes, used to break load-ratio ties: the smoothed success rate (s + 1) / (n +
 * 2), so a worker with no history scores 0.5. Not thread-safe.
 */
public final class PerformanceHistory {

  private final Map<String, long[]> outcomes = new HashMap<>();

  public void recordSuccess(String hostId) {
    outcomes.computeIfAbsent(hostId, h -> new long[2])[0]++;
  }

  public void recordFailure(String hostId) {
    outcomes.computeIfAbsent(hostId, h -> new long[2])[1]++;
  }

  /** Higher is better, in (0, 1). */
  public double score(String hostId) {
    long[] o = outcomes.get(hostId);
    if (o == null) {
      return 0.5;
    }
    return (o[0] + 1.0) / (o[0] + o[1] + 2.0);
  }
}
