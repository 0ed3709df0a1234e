package io.swarmsched.scoring.streams;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.LoadQualitySettings;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.scoring.LoadQualityParams;
import io.swarmsched.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code swarm.scoring.*} keys and their defaults: the one place they are written down. The
 * load-quality formula's keys are {@link LoadQualitySettings}'s, shared with the dispatcher.
 */
public final class ScoringSettings {
  private static final Logger log = LoggerFactory.getLogger(ScoringSettings.class);

  private ScoringSettings() {}

  public static final String PREFIX = "swarm.scoring.";
  public static final String APPLICATION_ID = PREFIX + "application.id";
  public static final String WEIGHT_PEAK = LoadQualitySettings.WEIGHT_PEAK;
  public static final String WEIGHT_DURATION = LoadQualitySettings.WEIGHT_DURATION;
  public static final String WEIGHT_CONCURRENCY = LoadQualitySettings.WEIGHT_CONCURRENCY;
  public static final String HORIZON_BUCKETS = LoadQualitySettings.HORIZON_BUCKETS;
  public static final String BUCKET = LoadQualitySettings.BUCKET;
  public static final String SATURATION_RATIO = LoadQualitySettings.SATURATION_RATIO;
  public static final String STREAM_RATE = LoadQualitySettings.STREAM_RATE;
  public static final String GRACE = PREFIX + "grace";
  public static final String REPORTED_HOLD = PREFIX + "reported.hold";
  public static final String EPSILON = PREFIX + "epsilon";
  public static final String MIN_PUBLISH_INTERVAL = PREFIX + "publish.min.interval";
  public static final String REPARTITION_PARTITIONS = PREFIX + "repartition.partitions";
  public static final String POLICY_ID = PREFIX + "policy.id";
  public static final String HOST_SCORES_TOPIC = PREFIX + "topic.host.scores";
  public static final String IN_MEMORY = PREFIX + "in.memory";

  public static final String DEFAULT_APPLICATION_ID = "swarm-scoring";

  /**
   * scoring-streams' HTTP port when nothing else sets it: beside ingest (8082) and the dispatcher
   * (8084).
   */
  public static final int DEFAULT_HTTP_PORT = 8083;

  /** What scoring-streams lays over {@link CommonKeys#DEFAULTS} when run as its own process. */
  public static final Map<String, String> SERVICE_DEFAULTS =
      Map.of(CommonKeys.HTTP_PORT, Integer.toString(DEFAULT_HTTP_PORT));

  /** Keys spelled with hyphens before every service settled on dots; still read, with a warning. */
  public static final Map<String, String> DEPRECATED_KEYS =
      Map.of(
          PREFIX + "publish.min-interval", MIN_PUBLISH_INTERVAL,
          PREFIX + "topic.host-scores", HOST_SCORES_TOPIC);

  /**
   * Every key with its default, derived from where each default is written (for READMEs and tools).
   */
  public static final Map<String, String> DEFAULTS = defaultsMap();

  private static Map<String, String> defaultsMap() {
    Map<String, String> m = new TreeMap<>(LoadQualitySettings.DEFAULTS);
    m.put(APPLICATION_ID, DEFAULT_APPLICATION_ID);
    m.put(GRACE, ScoringConfig.DEFAULT_GRACE.toMillis() + "ms");
    m.put(REPORTED_HOLD, ScoringConfig.DEFAULT_REPORTED_HOLD.toMillis() + "ms");
    m.put(EPSILON, Double.toString(ScoringConfig.DEFAULT_EPSILON));
    m.put(MIN_PUBLISH_INTERVAL, ScoringConfig.DEFAULT_MIN_PUBLISH_INTERVAL.toMillis() + "ms");
    m.put(REPARTITION_PARTITIONS, Integer.toString(Topics.HOSTS.partitions()));
    m.put(POLICY_ID, "");
    m.put(HOST_SCORES_TOPIC, Topics.HOST_SCORES.name());
    m.put(IN_MEMORY, Boolean.toString(ScoringConfig.DEFAULT_IN_MEMORY));
    return Map.copyOf(m);
  }

  public static String applicationId(Settings settings) {
    return settings.string(APPLICATION_ID, DEFAULT_APPLICATION_ID);
  }

  /**
   * The validated scoring configuration; a wrong value throws a {@link ConfigException} naming its
   * key.
   */
  public static ScoringConfig config(Settings settings) {
    Settings s = settings.withRenamedKeys(DEPRECATED_KEYS, warning -> log.warn("{}", warning));
    s.unknownKeys(PREFIX, DEFAULTS.keySet())
        .forEach(
            key ->
                log.warn(
                    "{} is not a scoring setting and is ignored (see scoring-streams/README.md)",
                    key));
    LoadQualityParams params = LoadQualitySettings.params(s);
    Map<String, Object> serde = new HashMap<>();
    s.optional(CommonKeys.SCHEMA_REGISTRY_URL)
        .ifPresent(url -> serde.put("schema.registry.url", url));
    // the token scoring registers its schemas with (a secured registry)
    serde.putAll(io.swarmsched.runtime.config.RegistryCredentials.from(s).serdeKeys());
    Duration grace = s.duration(GRACE, ScoringConfig.DEFAULT_GRACE);
    Duration hold = s.duration(REPORTED_HOLD, ScoringConfig.DEFAULT_REPORTED_HOLD);
    double epsilon = s.decimal(EPSILON, ScoringConfig.DEFAULT_EPSILON, 0.0, 0.999_999);
    Duration minInterval =
        s.duration(MIN_PUBLISH_INTERVAL, ScoringConfig.DEFAULT_MIN_PUBLISH_INTERVAL);
    int partitions = s.integer(REPARTITION_PARTITIONS, Topics.HOSTS.partitions(), 1, 10_000);
    return new ScoringConfig(
        params,
        grace,
        hold,
        epsilon,
        minInterval,
        partitions,
        s.string(POLICY_ID, ""),
        Topics.PIECE_EVENTS.name(),
        Topics.HOSTS.name(),
        s.string(HOST_SCORES_TOPIC, Topics.HOST_SCORES.name()),
        Topics.DEAD_LETTERS.name(),
        serde,
        s.bool(IN_MEMORY, ScoringConfig.DEFAULT_IN_MEMORY));
  }
}
