package io.swarmsched.scoring.streams;

import io.swarmsched.scoring.LoadQualityParams;
import io.swarmsched.topics.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything {@link ScoringTopology#build(ScoringConfig)} depends on, validated once. Built from
 * {@code swarm.scoring.*} settings by {@link ScoringSettings}; tests build it directly.
 *
 * @param params the load-quality formula's weights, horizon and thresholds
 * @param grace how late (behind stream time) a piece event may arrive and still count
 * @param reportedHold how long a heartbeat's reported tx rate fills buckets when no newer report
 *     follows
 * @param epsilon a score is republished when load_quality moves by more than this
 * @param minPublishInterval at most one published score per host per this much stream time
 * @param repartitionPartitions partitions of the served-bytes repartition topic; must equal those
 *     of the hosts topic
 * @param policyId written into every HostScore; empty = derived from {@code params}
 * @param pieceEventsTopic input: piece events keyed by task id
 * @param hostsTopic input: host states keyed by host id
 * @param hostScoresTopic output: scores keyed by host id
 * @param deadLettersTopic output: refused records
 * @param serdeConfig configuration of the Avro serdes (at least {@code schema.registry.url})
 * @param inMemory each host's horizon (about 16 bytes per bucket held; see {@link HorizonCache})
 *     and what a punctuation needs of its last published score (about 100 bytes) also kept in
 *     memory, so that re-scoring a host reads no store; false reads the stores on every evaluation
 */
public record ScoringConfig(
    LoadQualityParams params,
    Duration grace,
    Duration reportedHold,
    double epsilon,
    Duration minPublishInterval,
    int repartitionPartitions,
    String policyId,
    String pieceEventsTopic,
    String hostsTopic,
    String hostScoresTopic,
    String deadLettersTopic,
    Map<String, Object> serdeConfig,
    boolean inMemory) {

  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_REPORTED_HOLD = Duration.ofSeconds(10);
  public static final double DEFAULT_EPSILON = 0.01;
  public static final Duration DEFAULT_MIN_PUBLISH_INTERVAL = Duration.ofSeconds(1);
  public static final boolean DEFAULT_IN_MEMORY = true;

  public ScoringConfig {
    Objects.requireNonNull(params, "params");
    requireNonNegative(ScoringSettings.GRACE, grace);
    requireNonNegative(ScoringSettings.REPORTED_HOLD, reportedHold);
    requireNonNegative(ScoringSettings.MIN_PUBLISH_INTERVAL, minPublishInterval);
    if (!(epsilon >= 0.0 && epsilon < 1.0)) {
      throw new IllegalArgumentException(
          ScoringSettings.EPSILON + " must be in [0, 1), was " + epsilon);
    }
    if (repartitionPartitions < 1) {
      throw new IllegalArgumentException(
          ScoringSettings.REPARTITION_PARTITIONS + " must be >= 1, was " + repartitionPartitions);
    }
    policyId = policyId == null || policyId.isBlank() ? params.describe() : policyId;
    Objects.requireNonNull(pieceEventsTopic, "pieceEventsTopic");
    Objects.requireNonNull(hostsTopic, "hostsTopic");
    Objects.requireNonNull(hostScoresTopic, "hostScoresTopic");
    Objects.requireNonNull(deadLettersTopic, "deadLettersTopic");
    serdeConfig = Map.copyOf(Objects.requireNonNull(serdeConfig, "serdeConfig"));
  }

  /** Defaults of docs/design.md and the topic catalog, with the given Avro serde configuration. */
  public static ScoringConfig defaults(Map<String, ?> serdeConfig) {
    return new ScoringConfig(
        LoadQualityParams.defaults(),
        DEFAULT_GRACE,
        DEFAULT_REPORTED_HOLD,
        DEFAULT_EPSILON,
        DEFAULT_MIN_PUBLISH_INTERVAL,
        Topics.HOSTS.partitions(),
        "",
        Topics.PIECE_EVENTS.name(),
        Topics.HOSTS.name(),
        Topics.HOST_SCORES.name(),
        Topics.DEAD_LETTERS.name(),
        Map.copyOf(serdeConfig),
        DEFAULT_IN_MEMORY);
  }

  /** Defaults with an in-memory registry of that scope ({@code mock://scope}), for tests. */
  public static ScoringConfig forMockRegistry(String scope) {
    return defaults(Map.of("schema.registry.url", "mock://" + scope));
  }

  /** Window stores keep this much: two horizons (or horizon + hold), plus the grace period. */
  public Duration windowRetention() {
    long horizon = params.horizonMillis();
    long keep = Math.max(2 * horizon, horizon + reportedHold.toMillis() + params.bucketMillis());
    return Duration.ofMillis(keep + grace.toMillis());
  }

  public ScoringConfig withParams(LoadQualityParams p) {
    // a policy id derived from the old params is derived again from the new ones
    String derivedOrOwn = policyId.equals(params.describe()) ? "" : policyId;
    return copy(
        c -> {
          c.params = p;
          c.policyId = derivedOrOwn;
        });
  }

  public ScoringConfig withGrace(Duration g) {
    return copy(c -> c.grace = g);
  }

  public ScoringConfig withReportedHold(Duration h) {
    return copy(c -> c.reportedHold = h);
  }

  public ScoringConfig withEpsilon(double e) {
    return copy(c -> c.epsilon = e);
  }

  public ScoringConfig withMinPublishInterval(Duration i) {
    return copy(c -> c.minPublishInterval = i);
  }

  public ScoringConfig withRepartitionPartitions(int n) {
    return copy(c -> c.repartitionPartitions = n);
  }

  public ScoringConfig withInMemory(boolean inMemory) {
    return copy(c -> c.inMemory = inMemory);
  }

  public ScoringConfig withHostScoresTopic(String topic) {
    return copy(c -> c.hostScoresTopic = topic);
  }

  /** The fields of a copy that one {@code with*} call changes: every field is listed once here. */
  private static final class Copy {
    LoadQualityParams params;
    Duration grace;
    Duration reportedHold;
    double epsilon;
    Duration minPublishInterval;
    int repartitionPartitions;
    String policyId;
    String pieceEventsTopic;
    String hostsTopic;
    String hostScoresTopic;
    String deadLettersTopic;
    Map<String, Object> serdeConfig;
    boolean inMemory;
  }

  private ScoringConfig copy(java.util.function.Consumer<Copy> change) {
    Copy c = new Copy();
    c.params = params;
    c.grace = grace;
    c.reportedHold = reportedHold;
    c.epsilon = epsilon;
    c.minPublishInterval = minPublishInterval;
    c.repartitionPartitions = repartitionPartitions;
    c.policyId = policyId;
    c.pieceEventsTopic = pieceEventsTopic;
    c.hostsTopic = hostsTopic;
    c.hostScoresTopic = hostScoresTopic;
    c.deadLettersTopic = deadLettersTopic;
    c.serdeConfig = serdeConfig;
    c.inMemory = inMemory;
    change.accept(c);
    return new ScoringConfig(
        c.params,
        c.grace,
        c.reportedHold,
        c.epsilon,
        c.minPublishInterval,
        c.repartitionPartitions,
        c.policyId,
        c.pieceEventsTopic,
        c.hostsTopic,
        c.hostScoresTopic,
        c.deadLettersTopic,
        c.serdeConfig,
        c.inMemory);
  }

  private static void requireNonNegative(String key, Duration d) {
    if (d == null || d.isNegative()) {
      throw new IllegalArgumentException(key + " must be a non-negative duration, was " + d);
    }
  }
}
