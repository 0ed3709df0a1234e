package io.swarmsched.replay;

import io.swarmsched.schemas.ScheduleDecision;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * When one task partition of the live dispatcher had a table's records, in that partition's stream
 * time, from its recorded decisions' provenance (the global table is filled once per instance, at
 * one wall-clock moment, but each partition's stream time is its own): a record dated {@code t} had
 * not arrived for a decision whose table was as of an earlier time, and had arrived for one whose
 * table was as of {@code t} or later (it can arrive before the requests dated earlier than it are
 * processed: stream time lags the wall clock).
 */
final class ArrivalTimes {
  private final long[] asOf;
  private final long[] latestBefore; // the latest moment among asOf[0..i]
  private final long[] earliestFrom; // the earliest moment among asOf[i..]

  /** {@code decisions}: {as of, the moment the decision was made} pairs. */
  ArrivalTimes(List<long[]> decisions) {
    List<long[]> pairs = new ArrayList<>(decisions);
    pairs.sort(Comparator.comparingLong(p -> p[0]));
    int n = pairs.size();
    asOf = new long[n];
    latestBefore = new long[n];
    earliestFrom = new long[n];
    long max = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      asOf[i] = pairs.get(i)[0];
      max = Math.max(max, pairs.get(i)[1]);
      latestBefore[i] = max;
    }
    long min = Long.MAX_VALUE;
    for (int i = n - 1; i >= 0; i--) {
      min = Math.min(min, pairs.get(i)[1]);
      earliestFrom[i] = min;
    }
  }

  /**
   * The pair of a recorded decision for the hosts or the scores table ({as of, moment}), or null
   * without provenance. A first-round decision was made when its request was processed, which may
   * be before its stream time.
   */
  static long[] pair(ScheduleDecision d, Map<String, RecordedRecord> requests, boolean hosts) {
    if (d.getProvenance() == null) return null;
    long a = hosts ? d.getProvenance().getHostsAsOf() : d.getProvenance().getScoresAsOf();
    long at = d.getDecidedAt().toEpochMilli();
    RecordedRecord req = requests.get(d.getRequestId());
    if (req != null && d.getAttempt() <= 1) at = Math.min(at, req.timestamp());
    return new long[] {a, at};
  }

  /**
   * After the last decision that did not have a record dated {@code t}, not after the first that
   * had it, and as near its timestamp as that allows.
   */
  long arrival(long t) {
    int lo = 0;
    int hi = asOf.length; // first index with asOf >= t
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (asOf[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    long f = t;
    if (lo < asOf.length) f = Math.min(f, earliestFrom[lo]);
    if (lo > 0) f = Math.max(f, latestBefore[lo - 1] + 1);
    return f;
  }
}
