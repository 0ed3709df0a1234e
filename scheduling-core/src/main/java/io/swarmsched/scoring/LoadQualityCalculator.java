package io.swarmsched.scoring;

import java.util.Objects;

/**
 * The load-quality arithmetic of docs/design.md (Stage 1), shared by scoring-streams, the
 * dispatcher's optimistic ledger and any replay tool. Pure and thread-safe.
 *
 * <pre>
 * PeakBandwidthUsage     = max(0, 1 − max_b(tx_b) / maxTx)
 * BandwidthDurationRatio = 1 − (buckets with tx_b ≥ saturationRatio·maxTx) / (buckets in the horizon)
 * ConcurrentEfficiency   = 1 when c = 0, else min(1, need / c), need = maxTx / streamRate
 * LoadQuality            = peakWeight·Peak + durationWeight·Duration + concurrencyWeight·Concurrent
 * </pre>
 *
 * A host with unknown capacity (maxTx ≤ 0) scores 0 on all three parts.
 */
public final class LoadQualityCalculator {

  private final LoadQualityParams params;

  public LoadQualityCalculator(LoadQualityParams params) {
    this.params = Objects.requireNonNull(params, "params");
  }

  public LoadQualityCalculator() {
    this(LoadQualityParams.defaults());
  }

  public LoadQualityParams params() {
    return params;
  }

  /** Same as {@link #compute(long[], int, long, int)} with the configured horizon. */
  public LoadQuality compute(long[] txPerBucket, long maxTx, int concurrentUploads) {
    return compute(txPerBucket, params.horizonBuckets(), maxTx, concurrentUploads);
  }

  /**
   * @param txPerBucket upload rate (bytes/s) of each bucket in the horizon that has data; buckets
   *     absent from the array are idle. At most {@code bucketsInHorizon} entries.
   * @param bucketsInHorizon the denominator of BandwidthDurationRatio (≥ 1)
   * @param maxTx upload capacity in bytes/s; ≤ 0 means unknown
   * @param concurrentUploads concurrent uploads (reported plus optimistically assigned), ≥ 0
   * @throws IllegalArgumentException on a negative rate or concurrency, or more buckets than the
   *     horizon
   */
  public LoadQuality compute(
      long[] txPerBucket, int bucketsInHorizon, long maxTx, int concurrentUploads) {
    Objects.requireNonNull(txPerBucket, "txPerBucket");
    if (bucketsInHorizon < 1) {
      throw new IllegalArgumentException("bucketsInHorizon must be >= 1, was " + bucketsInHorizon);
    }
    if (txPerBucket.length > bucketsInHorizon) {
      throw new IllegalArgumentException(
          "txPerBucket has "
              + txPerBucket.length
              + " buckets, more than the horizon of "
              + bucketsInHorizon);
    }
    if (concurrentUploads < 0) {
      throw new IllegalArgumentException(
          "concurrentUploads must be >= 0, was " + concurrentUploads);
    }
    long peak = 0;
    for (int i = 0; i < txPerBucket.length; i++) {
      long tx = txPerBucket[i];
      if (tx < 0) {
        throw new IllegalArgumentException("txPerBucket[" + i + "] must be >= 0, was " + tx);
      }
      peak = Math.max(peak, tx);
    }
    if (maxTx <= 0) {
      return LoadQuality.unknownCapacity(peak);
    }
    double threshold = params.saturationRatio() * (double) maxTx;
    int saturated = 0;
    for (long tx : txPerBucket) {
      if ((double) tx >= threshold) {
        saturated++;
      }
    }
    double peakUsage = Math.max(0.0, 1.0 - (double) peak / (double) maxTx);
    double duration = 1.0 - (double) saturated / (double) bucketsInHorizon;
    double concurrent = concurrentEfficiency(maxTx, concurrentUploads);
    double lq =
        params.peakWeight() * peakUsage
            + params.durationWeight() * duration
            + params.concurrencyWeight() * concurrent;
    return new LoadQuality(clampUnit(lq), peakUsage, duration, concurrent, peak, saturated);
  }

  /**
   * ConcurrentEfficiency alone: 1 with no concurrent upload, else min(1, need/c); 0 for unknown
   * capacity.
   */
  public double concurrentEfficiency(long maxTx, int concurrentUploads) {
    if (maxTx <= 0) {
      return 0.0;
    }
    if (concurrentUploads <= 0) {
      return 1.0;
    }
    return Math.min(1.0, need(maxTx) / concurrentUploads);
  }

  /** need = maxTx / streamRate: how many full-rate streams the host's capacity carries. */
  public double need(long maxTx) {
    return (double) maxTx / (double) params.streamRateBytesPerSec();
  }

  /**
   * Recomputes the weighted sum after replacing the concurrency part — used by the dispatcher's
   * optimistic ledger, which knows a published score's parts and adds children assigned since.
   */
  public LoadQuality withConcurrency(LoadQuality published, long maxTx, int concurrentUploads) {
    if (maxTx <= 0) {
      return LoadQuality.unknownCapacity(published.peakTx());
    }
    double concurrent = concurrentEfficiency(maxTx, concurrentUploads);
    double lq =
        params.peakWeight() * published.peakBandwidthUsage()
            + params.durationWeight() * published.bandwidthDurationRatio()
            + params.concurrencyWeight() * concurrent;
    return new LoadQuality(
        clampUnit(lq),
        published.peakBandwidthUsage(),
        published.bandwidthDurationRatio(),
        concurrent,
        published.peakTx(),
        published.saturatedBuckets());
  }

  /** Builds a score from its three parts with the configured weights. */
  public LoadQuality fromParts(
      double peakBandwidthUsage,
      double bandwidthDurationRatio,
      double concurrentEfficiency,
      long peakTx,
      int saturatedBuckets) {
    double lq =
        params.peakWeight() * peakBandwidthUsage
            + params.durationWeight() * bandwidthDurationRatio
            + params.concurrencyWeight() * concurrentEfficiency;
    return new LoadQuality(
        clampUnit(lq),
        peakBandwidthUsage,
        bandwidthDurationRatio,
        concurrentEfficiency,
        peakTx,
        saturatedBuckets);
  }

  private static double clampUnit(double v) {
    return Math.max(0.0, Math.min(1.0, v));
  }
}
