package io.swarmsched.scheduling.worker;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-worker job outcomes, used to break load-ratio ties (docs/design.md, "Worker pools"): the
 * smoothed success rate (s + 1) / (n + 2), so a worker with no history scores 0.5; then the mean
 * run time of its successful jobs, shorter first (unknown counts as the longest). Not thread-safe.
 */
public final class PerformanceHistory {

  private final Map<String, long[]> outcomes = new HashMap<>();

  /** Per worker: successful jobs whose run time is known, and the sum of those run times (ms). */
  private final Map<String, long[]> runTimes = new HashMap<>();

  public void recordSuccess(String hostId) {
    outcomes.computeIfAbsent(hostId, h -> new long[2])[0]++;
  }

  /** A success that ran {@code runMillis} (from assignment to the worker's report). */
  public void recordSuccess(String hostId, long runMillis) {
    recordSuccess(hostId);
    if (runMillis >= 0) {
      long[] r = runTimes.computeIfAbsent(hostId, h -> new long[2]);
      r[0]++;
      r[1] += runMillis;
    }
  }

  /** Mean run time of the worker's successful jobs, ms; +infinity when none is known. */
  public double meanRunMillis(String hostId) {
    long[] r = runTimes.get(hostId);
    return r == null || r[0] == 0 ? Double.POSITIVE_INFINITY : (double) r[1] / r[0];
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
