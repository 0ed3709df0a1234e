package io.swarmsched.scheduling.stats;

/**
 * Piece-download costs of one peer, in constant memory: the last cost, and the count, mean and sum
 * of squared deviations (Welford) of all the earlier ones. That is all the bad-parent rule needs.
 * Not thread-safe.
 */
public final class PieceCostStats {

  private long samples;
  private long last;
  private double earlierMean;
  private double earlierM2;

  public PieceCostStats() {}

  /** Rebuilds stats from stored fields (see the getters). */
  public static PieceCostStats restore(
      long samples, long last, double earlierMean, double earlierM2) {
    if (samples < 0) {
      throw new IllegalArgumentException("samples must be >= 0, was " + samples);
    }
    PieceCostStats s = new PieceCostStats();
    s.samples = samples;
    s.last = last;
    s.earlierMean = earlierMean;
    s.earlierM2 = earlierM2;
    return s;
  }

  /** Stats of a list of costs, oldest first. */
  public static PieceCostStats of(Iterable<Long> costsMillis) {
    PieceCostStats s = new PieceCostStats();
    for (Long c : costsMillis) {
      s.add(c);
    }
    return s;
  }

  /** Adds the cost of one more piece (milliseconds, ≥ 0). */
  public void add(long costMillis) {
    if (costMillis < 0) {
      throw new IllegalArgumentException("costMillis must be >= 0, was " + costMillis);
    }
    if (samples > 0) {
      // The previous "last" joins the earlier samples.
      long n = samples; // earlier count after folding = samples
      double delta = last - earlierMean;
      earlierMean += delta / n;
      earlierM2 += delta * (last - earlierMean);
    }
    last = costMillis;
    samples++;
  }

  /** Samples seen, the last one included. */
  public long samples() {
    return samples;
  }

  /** The last cost; meaningless while {@link #samples()} is 0. */
  public long last() {
    return last;
  }

  /** Mean of every sample but the last; 0 with fewer than 2 samples. */
  public double earlierMean() {
    return earlierMean;
  }

  /** Sum of squared deviations of every sample but the last (the stored Welford state). */
  public double earlierM2() {
    return earlierM2;
  }

  /** Population standard deviation of every sample but the last. */
  public double earlierStdDev() {
    long n = samples - 1;
    return n <= 0 ? 0.0 : Math.sqrt(earlierM2 / n);
  }

  @Override
  public String toString() {
    return "PieceCostStats{n="
        + samples
        + ", last="
        + last
        + ", mean="
        + earlierMean
        + ", sd="
        + earlierStdDev()
        + "}";
  }
}
