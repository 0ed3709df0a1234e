package io.swarmsched.scoring;

/**
 * A host's load-quality score and the parts behind it. Every part is in [0, 1], higher meaning less
 * loaded.
 *
 * @param loadQuality weighted sum of the three parts
 * @param peakBandwidthUsage max(0, 1 − max_b(tx_b)/maxTx)
 * @param bandwidthDurationRatio 1 − saturatedBuckets/bucketsInHorizon
 * @param concurrentEfficiency 1 with no concurrent upload, else min(1, need/c)
 * @param peakTx max_b(tx_b) over the horizon, bytes per second
 * @param saturatedBuckets buckets with tx_b ≥ saturationRatio·maxTx
 */
public record LoadQuality(
    double loadQuality,
    double peakBandwidthUsage,
    double bandwidthDurationRatio,
    double concurrentEfficiency,
    long peakTx,
    int saturatedBuckets) {

  /** The score of a host whose capacity is unknown: 0 everywhere. */
  public static LoadQuality unknownCapacity(long peakTx) {
    return new LoadQuality(0.0, 0.0, 0.0, 0.0, peakTx, 0);
  }
}
