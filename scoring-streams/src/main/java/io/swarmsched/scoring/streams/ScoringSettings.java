package io.swarmsched.scoring.streams;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.scoring.LoadQualityParams;
import io.swarmsched.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The {@code swarm.scoring.*} keys and their defaults: the one place they are written down. */
public final class ScoringSettings {
  private ScoringSettings() {}

  public static final String PREFIX = "swarm.scoring.";
  public static final String APPLICATION_ID = PREFIX + "application.id";
  public static final String WEIGHT_PEAK = PREFIX + "weight.peak";
  public static final String WEIGHT_DURATION = PREFIX + "weight.duration";
  public static final String WEIGHT_CONCURRENCY = PREFIX + "weight.concurrency";
  public static final String HORIZON_BUCKETS = PREFIX + "horizon.buckets";
  public static final String BUCKET = PREFIX + "bucket";
  public static final String SATURATION_RATIO = PREFIX + "saturation.ratio";
  public static final String STREAM_RATE = PREFIX + "stream.rate";
  public static final String GRACE = PREFIX + "grace";
  public static final String REPORTED_HOLD = PREFIX + "reported.hold";
  public static final String EPSILON = PREFIX + "epsilon";
  public static final String MIN_PUBLISH_INTERVAL = PREFIX + "publish.min-interval";
  public static final String REPARTITION_PARTITIONS = PREFIX + "repartition.partitions";
  public static final String POLICY_ID = PREFIX + "policy.id";
  public static final String HOST_SCORES_TOPIC = PREFIX + "topic.host-scores";

  public static final String DEFAULT_APPLICATION_ID = "swarm-scoring";

  /** Every key with its default, as a service-defaults layer for {@link Settings#load}. */
  public static final Map<String, String> DEFAULTS = Map.ofEntries(
      Map.entry(APPLICATION_ID, DEFAULT_APPLICATION_ID),
      Map.entry(WEIGHT_PEAK, Double.toString(LoadQualityParams.DEFAULT_PEAK_WEIGHT)),
      Map.entry(WEIGHT_DURATION, Double.toString(LoadQualityParams.DEFAULT_DURATION_WEIGHT)),
      Map.entry(WEIGHT_CONCURRENCY, Double.toString(LoadQualityParams.DEFAULT_CONCURRENCY_WEIGHT)),
      Map.entry(HORIZON_BUCKETS, Integer.toString(LoadQualityParams.DEFAULT_HORIZON_BUCKETS)),
      Map.entry(BUCKET, LoadQualityParams.DEFAULT_BUCKET_MILLIS + "ms"),
      Map.entry(SATURATION_RATIO, Double.toString(LoadQualityParams.DEFAULT_SATURATION_RATIO)),
      Map.entry(STREAM_RATE, "16MiB"),
      Map.entry(GRACE, ScoringConfig.DEFAULT_GRACE.toSeconds() + "s"),
      Map.entry(REPORTED_HOLD, ScoringConfig.DEFAULT_REPORTED_HOLD.toSeconds() + "s"),
      Map.entry(EPSILON, Double.toString(ScoringConfig.DEFAULT_EPSILON)),
      Map.entry(MIN_PUBLISH_INTERVAL, ScoringConfig.DEFAULT_MIN_PUBLISH_INTERVAL.toMillis() + "ms"),
      Map.entry(REPARTITION_PARTITIONS, Integer.toString(Topics.HOSTS.partitions())),
      Map.entry(POLICY_ID, ""),
      Map.entry(HOST_SCORES_TOPIC, Topics.HOST_SCORES.name()));

  public static String applicationId(Settings settings) {
    return settings.string(APPLICATION_ID, DEFAULT_APPLICATION_ID);
  }

  /** The validated scoring configuration; a wrong value throws a {@link ConfigException} naming its key. */
  public static ScoringConfig config(Settings s) {
    double peak = s.decimal(WEIGHT_PEAK, LoadQualityParams.DEFAULT_PEAK_WEIGHT, 0.0, 1.0);
    double duration = s.decimal(WEIGHT_DURATION, LoadQualityParams.DEFAULT_DURATION_WEIGHT, 0.0, 1.0);
    double concurrency = s.decimal(WEIGHT_CONCURRENCY, LoadQualityParams.DEFAULT_CONCURRENCY_WEIGHT, 0.0, 1.0);
    int horizon = s.integer(HORIZON_BUCKETS, LoadQualityParams.DEFAULT_HORIZON_BUCKETS, 1, 86_400);
    Duration bucket = s.duration(BUCKET, Duration.ofMillis(LoadQualityParams.DEFAULT_BUCKET_MILLIS),
        Duration.ofMillis(1), Duration.ofHours(1));
    double saturation = s.decimal(SATURATION_RATIO, LoadQualityParams.DEFAULT_SATURATION_RATIO, 0.0, 1.0);
    long streamRate = s.bytes(STREAM_RATE, LoadQualityParams.DEFAULT_STREAM_RATE_BYTES_PER_SEC, 1, Long.MAX_VALUE);
    LoadQualityParams params;
    try {
      params = new LoadQualityParams(peak, duration, concurrency, horizon, bucket.toMillis(), saturation, streamRate);
    } catch (IllegalArgumentException e) {
      String key = e.getMessage().contains("Weight") || e.getMessage().contains("weight") ? WEIGHT_PEAK
          : e.getMessage().startsWith("saturation") ? SATURATION_RATIO : PREFIX + "params";
      throw new ConfigException(key, e.getMessage(), e);
    }

    Map<String, Object> serde = new HashMap<>();
    s.optional(CommonKeys.SCHEMA_REGISTRY_URL).ifPresent(url -> serde.put("schema.registry.url", url));
    try {
      return new ScoringConfig(params,
          s.duration(GRACE, ScoringConfig.DEFAULT_GRACE),
          s.duration(REPORTED_HOLD, ScoringConfig.DEFAULT_REPORTED_HOLD),
          s.decimal(EPSILON, ScoringConfig.DEFAULT_EPSILON, 0.0, 0.999_999),
          s.duration(MIN_PUBLISH_INTERVAL, ScoringConfig.DEFAULT_MIN_PUBLISH_INTERVAL),
          s.integer(REPARTITION_PARTITIONS, Topics.HOSTS.partitions(), 1, 10_000),
          s.string(POLICY_ID, ""),
          Topics.PIECE_EVENTS.name(),
          Topics.HOSTS.name(),
          s.string(HOST_SCORES_TOPIC, Topics.HOST_SCORES.name()),
          Topics.DEAD_LETTERS.name(),
          serde);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(null, e.getMessage(), e);
    }
  }
}
