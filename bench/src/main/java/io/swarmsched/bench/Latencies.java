package io.swarmsched.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A latency histogram in microseconds (1 µs to 10 min, 3 significant digits) with the percentiles
 * the report uses.
 */
public final class Latencies {
  public static final double[] QUANTILES = {0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999};
  private final Histogram histogram = new Histogram(1, 600_000_000L, 3);

  public synchronized void recordNanos(long nanos) {
    long micros = Math.max(1, nanos / 1000);
    histogram.recordValue(Math.min(micros, histogram.getHighestTrackableValue()));
  }

  public synchronized void recordMillis(long millis) {
    recordNanos(Math.max(0, millis) * 1_000_000L);
  }

  public synchronized void reset() {
    histogram.reset();
  }

  public synchronized long count() {
    return histogram.getTotalCount();
  }

  /** Latency at quantile {@code q} (0..1) in milliseconds. */
  public synchronized double millisAt(double q) {
    return histogram.getValueAtPercentile(q * 100.0) / 1000.0;
  }

  public synchronized double maxMillis() {
    return histogram.getMaxValue() / 1000.0;
  }

  public synchronized double meanMillis() {
    return histogram.getMean() / 1000.0;
  }

  /** p50, p99, p999, max and count, for the JSON. */
  public synchronized Map<String, Object> summary() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", histogram.getTotalCount());
    for (double q : QUANTILES) {
      m.put("p" + label(q), millisAt(q));
    }
    m.put("max_ms", maxMillis());
    return m;
  }

  /** "50", "99", "999", "9999" as in p50, p99, p999. */
  public static String label(double q) {
    String s = String.valueOf(q * 100);
    s = s.replace(".0", "").replace(".", "");
    return s.endsWith("0") && s.length() > 2 ? s.substring(0, s.length() - 1) : s;
  }
}
