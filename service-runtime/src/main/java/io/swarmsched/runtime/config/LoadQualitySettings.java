package io.swarmsched.runtime.config;

import io.swarmsched.scoring.LoadQualityParams;
import java.time.Duration;
import java.util.Map;

/**
 * The keys of the load-quality formula's parameters (docs/design.md, Stage 1), read by two
 * services: scoring-streams computes LoadQuality with them, and the dispatcher's optimistic
 * estimate (a host's score after one more child stream) must use the same weights, horizon and
 * stream rate, or it would rank hosts by a formula nobody publishes. Hence one definition here,
 * under the {@code swarm.scoring.} prefix scoring has always used; the defaults are {@link
 * LoadQualityParams}'s own.
 */
public final class LoadQualitySettings {
  private LoadQualitySettings() {}

  public static final String PREFIX = "swarm.scoring.";
  public static final String WEIGHT_PEAK = PREFIX + "weight.peak";
  public static final String WEIGHT_DURATION = PREFIX + "weight.duration";
  public static final String WEIGHT_CONCURRENCY = PREFIX + "weight.concurrency";
  public static final String HORIZON_BUCKETS = PREFIX + "horizon.buckets";
  public static final String BUCKET = PREFIX + "bucket";
  public static final String SATURATION_RATIO = PREFIX + "saturation.ratio";
  public static final String STREAM_RATE = PREFIX + "stream.rate";

  /** Every key with its default, as written in {@link LoadQualityParams}. */
  public static final Map<String, String> DEFAULTS =
      Map.of(
          WEIGHT_PEAK, Double.toString(LoadQualityParams.DEFAULT_PEAK_WEIGHT),
          WEIGHT_DURATION, Double.toString(LoadQualityParams.DEFAULT_DURATION_WEIGHT),
          WEIGHT_CONCURRENCY, Double.toString(LoadQualityParams.DEFAULT_CONCURRENCY_WEIGHT),
          HORIZON_BUCKETS, Integer.toString(LoadQualityParams.DEFAULT_HORIZON_BUCKETS),
          BUCKET, LoadQualityParams.DEFAULT_BUCKET_MILLIS + "ms",
          SATURATION_RATIO, Double.toString(LoadQualityParams.DEFAULT_SATURATION_RATIO),
          STREAM_RATE, Long.toString(LoadQualityParams.DEFAULT_STREAM_RATE_BYTES_PER_SEC));

  /** The validated parameters; a wrong value throws {@link ConfigException} naming its key. */
  public static LoadQualityParams params(Settings s) {
    double peak = s.decimal(WEIGHT_PEAK, LoadQualityParams.DEFAULT_PEAK_WEIGHT, 0.0, 1.0);
    double duration =
        s.decimal(WEIGHT_DURATION, LoadQualityParams.DEFAULT_DURATION_WEIGHT, 0.0, 1.0);
    double concurrency =
        s.decimal(WEIGHT_CONCURRENCY, LoadQualityParams.DEFAULT_CONCURRENCY_WEIGHT, 0.0, 1.0);
    double sum = peak + duration + concurrency;
    if (Math.abs(sum - 1.0) > 1e-6) {
      throw new ConfigException(
          WEIGHT_PEAK,
          "with "
              + WEIGHT_DURATION
              + " and "
              + WEIGHT_CONCURRENCY
              + " must add up to 1, they add up to "
              + sum
              + " ("
              + origins(s)
              + ")");
    }
    int horizon = s.integer(HORIZON_BUCKETS, LoadQualityParams.DEFAULT_HORIZON_BUCKETS, 1, 86_400);
    Duration bucket =
        s.duration(
            BUCKET,
            Duration.ofMillis(LoadQualityParams.DEFAULT_BUCKET_MILLIS),
            Duration.ofMillis(1),
            Duration.ofHours(1));
    // (0, 1]: a ratio of 0 would count every bucket as saturated
    double saturation =
        s.decimal(
            SATURATION_RATIO, LoadQualityParams.DEFAULT_SATURATION_RATIO, Double.MIN_VALUE, 1.0);
    long streamRate =
        s.bytes(
            STREAM_RATE, LoadQualityParams.DEFAULT_STREAM_RATE_BYTES_PER_SEC, 1, Long.MAX_VALUE);
    return new LoadQualityParams(
        peak, duration, concurrency, horizon, bucket.toMillis(), saturation, streamRate);
  }

  private static String origins(Settings s) {
    StringBuilder b = new StringBuilder();
    for (String key : new String[] {WEIGHT_PEAK, WEIGHT_DURATION, WEIGHT_CONCURRENCY}) {
      s.optional(key)
          .ifPresent(
              v ->
                  b.append(b.length() == 0 ? "" : ", ")
                      .append(key)
                      .append('=')
                      .append(v)
                      .append(" from ")
                      .append(s.origin(key).orElse("given")));
    }
    return b.length() == 0 ? "defaults" : b.toString();
  }
}
