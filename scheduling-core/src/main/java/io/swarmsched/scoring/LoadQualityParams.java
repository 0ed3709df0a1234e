package io.swarmsched.scoring;

/**
 * Parameters of the load-quality score (docs/design.md, Stage 1). Validated on construction: a
 * wrong value fails fast with an {@link IllegalArgumentException} naming the parameter.
 *
 * @param peakWeight weight of PeakBandwidthUsage (default 0.5)
 * @param durationWeight weight of BandwidthDurationRatio (default 0.3)
 * @param concurrencyWeight weight of ConcurrentEfficiency (default 0.2)
 * @param horizonBuckets buckets in the sliding horizon (default 60)
 * @param bucketMillis length of one bucket (default 1000 ms)
 * @param saturationRatio a bucket with tx_b >= saturationRatio * maxTx counts as saturated (default
 *     0.8)
 * @param streamRateBytesPerSec the upload rate one child stream needs (default 16 MiB/s)
 */
public record LoadQualityParams(
    double peakWeight,
    double durationWeight,
    double concurrencyWeight,
    int horizonBuckets,
    long bucketMillis,
    double saturationRatio,
    long streamRateBytesPerSec) {

  public static final double DEFAULT_PEAK_WEIGHT = 0.5;
  public static final double DEFAULT_DURATION_WEIGHT = 0.3;
  public static final double DEFAULT_CONCURRENCY_WEIGHT = 0.2;
  public static final int DEFAULT_HORIZON_BUCKETS = 60;
  public static final long DEFAULT_BUCKET_MILLIS = 1000L;
  public static final double DEFAULT_SATURATION_RATIO = 0.8;
  public static final long DEFAULT_STREAM_RATE_BYTES_PER_SEC = 16L * 1024 * 1024;

  /** Weights must add up to 1 within this tolerance, so that LoadQuality stays in [0, 1]. */
  static final double WEIGHT_SUM_TOLERANCE = 1e-6;

  public LoadQualityParams {
    requireUnit("peakWeight", peakWeight);
    requireUnit("durationWeight", durationWeight);
    requireUnit("concurrencyWeight", concurrencyWeight);
    double sum = peakWeight + durationWeight + concurrencyWeight;
    if (Math.abs(sum - 1.0) > WEIGHT_SUM_TOLERANCE) {
      throw new IllegalArgumentException(
          "peakWeight + durationWeight + concurrencyWeight must be 1, was " + sum);
    }
    if (horizonBuckets < 1 || horizonBuckets > 86_400) {
      throw new IllegalArgumentException(
          "horizonBuckets must be in [1, 86400], was " + horizonBuckets);
    }
    if (bucketMillis < 1 || bucketMillis > 3_600_000L) {
      throw new IllegalArgumentException(
          "bucketMillis must be in [1, 3600000], was " + bucketMillis);
    }
    if (!(saturationRatio > 0.0 && saturationRatio <= 1.0)) {
      throw new IllegalArgumentException(
          "saturationRatio must be in (0, 1], was " + saturationRatio);
    }
    if (streamRateBytesPerSec < 1) {
      throw new IllegalArgumentException(
          "streamRateBytesPerSec must be positive, was " + streamRateBytesPerSec);
    }
  }

  public static LoadQualityParams defaults() {
    return new LoadQualityParams(
        DEFAULT_PEAK_WEIGHT,
        DEFAULT_DURATION_WEIGHT,
        DEFAULT_CONCURRENCY_WEIGHT,
        DEFAULT_HORIZON_BUCKETS,
        DEFAULT_BUCKET_MILLIS,
        DEFAULT_SATURATION_RATIO,
        DEFAULT_STREAM_RATE_BYTES_PER_SEC);
  }

  public LoadQualityParams withWeights(double peak, double duration, double concurrency) {
    return new LoadQualityParams(
        peak,
        duration,
        concurrency,
        horizonBuckets,
        bucketMillis,
        saturationRatio,
        streamRateBytesPerSec);
  }

  public LoadQualityParams withHorizon(int buckets, long millisPerBucket) {
    return new LoadQualityParams(
        peakWeight,
        durationWeight,
        concurrencyWeight,
        buckets,
        millisPerBucket,
        saturationRatio,
        streamRateBytesPerSec);
  }

  public LoadQualityParams withSaturationRatio(double ratio) {
    return new LoadQualityParams(
        peakWeight,
        durationWeight,
        concurrencyWeight,
        horizonBuckets,
        bucketMillis,
        ratio,
        streamRateBytesPerSec);
  }

  public LoadQualityParams withStreamRate(long bytesPerSec) {
    return new LoadQualityParams(
        peakWeight,
        durationWeight,
        concurrencyWeight,
        horizonBuckets,
        bucketMillis,
        saturationRatio,
        bytesPerSec);
  }

  /** Length of the whole horizon in milliseconds. */
  public long horizonMillis() {
    return horizonBuckets * bucketMillis;
  }

  /** A short, stable description of these parameters, e.g. for a policy id. */
  public String describe() {
    return "lq(w="
        + peakWeight
        + "/"
        + durationWeight
        + "/"
        + concurrencyWeight
        + ",h="
        + horizonBuckets
        + "x"
        + bucketMillis
        + "ms,sat="
        + saturationRatio
        + ",stream="
        + streamRateBytesPerSec
        + ")";
  }

  private static void requireUnit(String name, double value) {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], was " + value);
    }
  }
}
