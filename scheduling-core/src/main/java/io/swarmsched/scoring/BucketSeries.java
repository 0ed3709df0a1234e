package io.swarmsched.scoring;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The per-bucket upload rate tx_b of one host over the horizon: the larger of what its piece events
 * show it served and what its heartbeat reports (docs/design.md, Stage 1).
 *
 * <p>Served traffic arrives as bytes per bucket and is turned into a rate (bytes/s) with the bucket
 * length; with the default 1000 ms buckets the two are the same number. Reported traffic is already
 * a rate.
 */
public final class BucketSeries {

  private final long[] tx;

  private BucketSeries(long[] tx) {
    this.tx = tx;
  }

  /**
   * Index-aligned combination: {@code tx[b] = max(servedBytes[b] → rate, reportedTx[b])}. The
   * arrays may have different lengths; a missing entry is 0.
   *
   * @throws IllegalArgumentException on a negative value or a non-positive bucket length
   */
  public static BucketSeries of(long[] servedBytes, long[] reportedTx, long bucketMillis) {
    Objects.requireNonNull(servedBytes, "servedBytes");
    Objects.requireNonNull(reportedTx, "reportedTx");
    if (bucketMillis < 1) {
      throw new IllegalArgumentException("bucketMillis must be >= 1, was " + bucketMillis);
    }
    int n = Math.max(servedBytes.length, reportedTx.length);
    long[] tx = new long[n];
    for (int b = 0; b < n; b++) {
      long served = b < servedBytes.length ? servedBytes[b] : 0L;
      long reported = b < reportedTx.length ? reportedTx[b] : 0L;
      if (served < 0) {
        throw new IllegalArgumentException("servedBytes[" + b + "] must be >= 0, was " + served);
      }
      if (reported < 0) {
        throw new IllegalArgumentException("reportedTx[" + b + "] must be >= 0, was " + reported);
      }
      tx[b] = Math.max(servedRate(served, bucketMillis), reported);
    }
    return new BucketSeries(tx);
  }

  /**
   * The horizon ending with the bucket that holds {@code nowMillis}: exactly {@code horizonBuckets}
   * entries, oldest first, built from sparse maps keyed by bucket start time (what a window store
   * returns). Buckets outside the horizon — aged out, or in the future — are ignored; missing
   * buckets are idle.
   */
  public static BucketSeries ofHorizon(
      Map<Long, Long> servedBytesByBucketStart,
      Map<Long, Long> reportedTxByBucketStart,
      long nowMillis,
      int horizonBuckets,
      long bucketMillis) {
    Objects.requireNonNull(servedBytesByBucketStart, "servedBytesByBucketStart");
    Objects.requireNonNull(reportedTxByBucketStart, "reportedTxByBucketStart");
    if (horizonBuckets < 1) {
      throw new IllegalArgumentException("horizonBuckets must be >= 1, was " + horizonBuckets);
    }
    if (bucketMillis < 1) {
      throw new IllegalArgumentException("bucketMillis must be >= 1, was " + bucketMillis);
    }
    long first = horizonStartBucket(nowMillis, horizonBuckets, bucketMillis);
    long[] served = new long[horizonBuckets];
    long[] reported = new long[horizonBuckets];
    fill(served, servedBytesByBucketStart, first, bucketMillis, "servedBytes");
    fill(reported, reportedTxByBucketStart, first, bucketMillis, "reportedTx");
    return of(served, reported, bucketMillis);
  }

  private static void fill(
      long[] target, Map<Long, Long> byStart, long firstBucket, long bucketMillis, String what) {
    for (Map.Entry<Long, Long> e : byStart.entrySet()) {
      long slot = bucketIndex(e.getKey(), bucketMillis) - firstBucket;
      if (slot < 0 || slot >= target.length) {
        continue;
      }
      long v = e.getValue() == null ? 0L : e.getValue();
      if (v < 0) {
        throw new IllegalArgumentException(what + " at " + e.getKey() + " must be >= 0, was " + v);
      }
      // Two entries in one bucket (e.g. unaligned timestamps): served bytes add up, reports keep
      // the max.
      target[(int) slot] =
          what.equals("servedBytes")
              ? saturatingAdd(target[(int) slot], v)
              : Math.max(target[(int) slot], v);
    }
  }

  private static long saturatingAdd(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }

  /** {@link #of(long[], long[], long)} with 1000 ms buckets. */
  public static BucketSeries of(long[] servedBytes, long[] reportedTx) {
    return of(servedBytes, reportedTx, LoadQualityParams.DEFAULT_BUCKET_MILLIS);
  }

  /** Bytes served in one bucket as a rate in bytes/s (saturating on overflow). */
  public static long servedRate(long servedBytes, long bucketMillis) {
    if (bucketMillis == 1000L) {
      return servedBytes;
    }
    double rate = (double) servedBytes * 1000.0 / (double) bucketMillis;
    return rate >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(rate);
  }

  /** tx_b = max(served rate, reported rate) for a single bucket. */
  public static long tx(long servedBytes, long reportedTx, long bucketMillis) {
    return Math.max(servedRate(servedBytes, bucketMillis), reportedTx);
  }

  /**
   * Index of the bucket that holds a timestamp (bucket b covers [b·bucketMillis,
   * (b+1)·bucketMillis)).
   */
  public static long bucketIndex(long timestampMillis, long bucketMillis) {
    return Math.floorDiv(timestampMillis, bucketMillis);
  }

  /**
   * First bucket index inside a horizon of {@code horizonBuckets} ending with the bucket holding
   * {@code nowMillis}.
   */
  public static long horizonStartBucket(long nowMillis, int horizonBuckets, long bucketMillis) {
    return bucketIndex(nowMillis, bucketMillis) - horizonBuckets + 1;
  }

  /** A copy of tx_b per bucket. */
  public long[] tx() {
    return tx.clone();
  }

  public int size() {
    return tx.length;
  }

  public long peak() {
    long p = 0;
    for (long v : tx) {
      p = Math.max(p, v);
    }
    return p;
  }

  /** Scores this series with the calculator's horizon. */
  public LoadQuality score(LoadQualityCalculator calculator, long maxTx, int concurrentUploads) {
    return calculator.compute(tx, maxTx, concurrentUploads);
  }

  @Override
  public String toString() {
    return "BucketSeries" + Arrays.toString(tx);
  }
}
