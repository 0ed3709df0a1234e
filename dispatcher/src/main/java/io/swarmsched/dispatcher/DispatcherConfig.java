package io.swarmsched.dispatcher;

import io.swarmsched.scheduling.evaluator.EvaluatorWeights;
import io.swarmsched.scheduling.stats.BadParentRule;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Every number the dispatcher decides with, built once at start-up from {@code swarm.dispatcher.*}
 * keys. A wrong value fails fast with an {@link IllegalArgumentException} naming the key.
 *
 * <p>Defaults are those of DESIGN.md (Stage 1, back to source, seeds, retries, liveness).
 */
public record DispatcherConfig(
    String applicationId,
    String policy,
    int maxParents,
    Duration retryInterval,
    double retryJitter,
    int backToSourceAfterRounds,
    int failAfterRounds,
    int maxBackToSourcePerTask,
    Duration seedFailureMemory,
    Duration seedWaitTimeout,
    Duration tick,
    Duration patrolInterval,
    Duration peerIdleTimeout,
    double quarantineFailureRate,
    int quarantineMinSamples,
    Duration quarantineWindow,
    Duration quarantineDuration,
    Duration decisionRetention,
    boolean idleClockAdvance,
    Duration idleClockAfter,
    int jobMaxRounds,
    Duration httpDecisionWait,
    String schemaRegistryUrl,
    EvaluatorWeights weights,
    BadParentRule badParentRule,
    int defaultUploadSlotLimit,
    Duration maxClockAhead,
    Duration maxRecordAge) {

  public static final String PREFIX = "swarm.dispatcher.";
  public static final String APPLICATION_ID = PREFIX + "application-id";
  public static final String POLICY = PREFIX + "policy";
  public static final String MAX_PARENTS = PREFIX + "parents.max";
  public static final String RETRY_INTERVAL = PREFIX + "retry.interval";
  public static final String RETRY_JITTER = PREFIX + "retry.jitter";
  public static final String BACK_TO_SOURCE_AFTER = PREFIX + "retry.back-to-source-after";
  public static final String FAIL_AFTER = PREFIX + "retry.fail-after";
  public static final String MAX_BACK_TO_SOURCE = PREFIX + "back-to-source.max-per-task";
  public static final String SEED_FAILURE_MEMORY = PREFIX + "seed.failure-memory";
  public static final String SEED_WAIT_TIMEOUT = PREFIX + "seed.wait-timeout";
  public static final String TICK = PREFIX + "tick";
  public static final String PATROL_INTERVAL = PREFIX + "patrol.interval";
  public static final String PEER_IDLE_TIMEOUT = PREFIX + "patrol.peer-idle-timeout";
  public static final String QUARANTINE_FAILURE_RATE = PREFIX + "quarantine.failure-rate";
  public static final String QUARANTINE_MIN_SAMPLES = PREFIX + "quarantine.min-samples";
  public static final String QUARANTINE_WINDOW = PREFIX + "quarantine.window";
  public static final String QUARANTINE_DURATION = PREFIX + "quarantine.duration";
  public static final String DECISION_RETENTION = PREFIX + "decision.retention";
  public static final String IDLE_CLOCK_ADVANCE = PREFIX + "clock.idle-advance";
  public static final String IDLE_CLOCK_AFTER = PREFIX + "clock.idle-after";
  public static final String JOB_MAX_ROUNDS = PREFIX + "job.max-rounds";
  public static final String HTTP_DECISION_WAIT = PREFIX + "http.decision-wait";
  public static final String WEIGHT_IDC = PREFIX + "weight.idc";
  public static final String WEIGHT_LOCATION = PREFIX + "weight.location";
  public static final String WEIGHT_LOAD_QUALITY = PREFIX + "weight.load-quality";
  public static final String WEIGHT_HOST_TYPE = PREFIX + "weight.host-type";
  public static final String BAD_PARENT_SAMPLES = PREFIX + "bad-parent.normal-distribution-samples";
  public static final String BAD_PARENT_FACTOR = PREFIX + "bad-parent.small-sample-factor";
  public static final String BAD_PARENT_SIGMAS = PREFIX + "bad-parent.sigmas";
  public static final String DEFAULT_UPLOAD_SLOTS = PREFIX + "upload-slots.default";
  /** How far ahead of the dispatcher's wall clock a record or its timestamp field may be (producer clock skew). */
  public static final String MAX_CLOCK_AHEAD = PREFIX + "validation.max-clock-ahead";
  /** How far behind it: older is a corrupted or replayed record, not a late one. */
  public static final String MAX_RECORD_AGE = PREFIX + "validation.max-record-age";
  /** Shared with every service (CommonKeys.SCHEMA_REGISTRY_URL); mock://scope in tests. */
  public static final String SCHEMA_REGISTRY_URL = "swarm.schema.registry.url";

  public static final String POLICY_LOAD_AWARE = "load-aware";
  public static final String POLICY_RANDOM = "random";

  /** Every key with its default, in one place (also what the README lists). */
  public static final Map<String, String> DEFAULTS = defaultsMap();

  private static Map<String, String> defaultsMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(APPLICATION_ID, "swarm-dispatcher");
    m.put(POLICY, POLICY_LOAD_AWARE);
    m.put(MAX_PARENTS, "4");
    m.put(RETRY_INTERVAL, "500ms");
    m.put(RETRY_JITTER, "0.25");
    m.put(BACK_TO_SOURCE_AFTER, "4");
    m.put(FAIL_AFTER, "5");
    m.put(MAX_BACK_TO_SOURCE, "200");
    m.put(SEED_FAILURE_MEMORY, "30m");
    m.put(SEED_WAIT_TIMEOUT, "60s");
    m.put(TICK, "100ms");
    m.put(PATROL_INTERVAL, "5s");
    m.put(PEER_IDLE_TIMEOUT, "30m");
    m.put(QUARANTINE_FAILURE_RATE, "0.5");
    m.put(QUARANTINE_MIN_SAMPLES, "20");
    m.put(QUARANTINE_WINDOW, "60s");
    m.put(QUARANTINE_DURATION, "5m");
    m.put(DECISION_RETENTION, "1h");
    m.put(IDLE_CLOCK_ADVANCE, "true");
    m.put(IDLE_CLOCK_AFTER, "1s");
    m.put(JOB_MAX_ROUNDS, "120");
    m.put(HTTP_DECISION_WAIT, "5s");
    m.put(SCHEMA_REGISTRY_URL, "http://localhost:8081");
    m.put(WEIGHT_IDC, "0.2");
    m.put(WEIGHT_LOCATION, "0.1");
    m.put(WEIGHT_LOAD_QUALITY, "0.6");
    m.put(WEIGHT_HOST_TYPE, "0.1");
    m.put(BAD_PARENT_SAMPLES, "30");
    m.put(BAD_PARENT_FACTOR, "20");
    m.put(BAD_PARENT_SIGMAS, "3");
    m.put(DEFAULT_UPLOAD_SLOTS, "50");
    m.put(MAX_CLOCK_AHEAD, "5m");
    m.put(MAX_RECORD_AGE, "7d");
    return Map.copyOf(m);
  }

  public static DispatcherConfig defaults() {
    return from(Map.of());
  }

  /** Builds the config from flat {@code swarm.dispatcher.*} values; missing keys take their default. */
  public static DispatcherConfig from(Map<String, String> values) {
    return from(k -> values.get(k));
  }

  /** Builds the config from any key lookup (a Settings, a Properties, a Map); null = default. */
  public static DispatcherConfig from(Function<String, String> lookup) {
    Reader r = new Reader(lookup);
    String policy = r.string(POLICY).toLowerCase(Locale.ROOT);
    if (!policy.equals(POLICY_LOAD_AWARE) && !policy.equals(POLICY_RANDOM)) {
      throw new IllegalArgumentException(POLICY + ": must be load-aware or random, was '" + policy + "'");
    }
    DispatcherConfig c = new DispatcherConfig(
        r.string(APPLICATION_ID),
        policy,
        r.integer(MAX_PARENTS, 1, 64),
        r.duration(RETRY_INTERVAL),
        r.decimal(RETRY_JITTER, 0, 0.99),
        r.integer(BACK_TO_SOURCE_AFTER, 1, 10_000),
        r.integer(FAIL_AFTER, 1, 10_000),
        r.integer(MAX_BACK_TO_SOURCE, 1, 1_000_000),
        r.duration(SEED_FAILURE_MEMORY),
        r.duration(SEED_WAIT_TIMEOUT),
        r.duration(TICK),
        r.duration(PATROL_INTERVAL),
        r.duration(PEER_IDLE_TIMEOUT),
        r.decimal(QUARANTINE_FAILURE_RATE, 0, 1),
        r.integer(QUARANTINE_MIN_SAMPLES, 1, 1_000_000),
        r.duration(QUARANTINE_WINDOW),
        r.duration(QUARANTINE_DURATION),
        r.duration(DECISION_RETENTION),
        r.bool(IDLE_CLOCK_ADVANCE),
        r.duration(IDLE_CLOCK_AFTER),
        r.integer(JOB_MAX_ROUNDS, 1, 1_000_000),
        r.duration(HTTP_DECISION_WAIT),
        r.string(SCHEMA_REGISTRY_URL),
        r.weights(),
        r.badParentRule(),
        r.integer(DEFAULT_UPLOAD_SLOTS, 1, 1_000_000),
        r.duration(MAX_CLOCK_AHEAD),
        r.duration(MAX_RECORD_AGE));
    if (c.failAfterRounds < c.backToSourceAfterRounds) {
      throw new IllegalArgumentException(FAIL_AFTER + ": must be >= " + BACK_TO_SOURCE_AFTER);
    }
    return c;
  }

  /** Same config with one value replaced (tests, CLI overrides). */
  public DispatcherConfig with(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(asMap());
    m.put(key, value);
    return from(m);
  }

  /** This config as flat key/values (re-parsable by {@link #from(Map)}). */
  public Map<String, String> asMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(APPLICATION_ID, applicationId);
    m.put(POLICY, policy);
    m.put(MAX_PARENTS, Integer.toString(maxParents));
    m.put(RETRY_INTERVAL, retryInterval.toMillis() + "ms");
    m.put(RETRY_JITTER, Double.toString(retryJitter));
    m.put(BACK_TO_SOURCE_AFTER, Integer.toString(backToSourceAfterRounds));
    m.put(FAIL_AFTER, Integer.toString(failAfterRounds));
    m.put(MAX_BACK_TO_SOURCE, Integer.toString(maxBackToSourcePerTask));
    m.put(SEED_FAILURE_MEMORY, seedFailureMemory.toMillis() + "ms");
    m.put(SEED_WAIT_TIMEOUT, seedWaitTimeout.toMillis() + "ms");
    m.put(TICK, tick.toMillis() + "ms");
    m.put(PATROL_INTERVAL, patrolInterval.toMillis() + "ms");
    m.put(PEER_IDLE_TIMEOUT, peerIdleTimeout.toMillis() + "ms");
    m.put(QUARANTINE_FAILURE_RATE, Double.toString(quarantineFailureRate));
    m.put(QUARANTINE_MIN_SAMPLES, Integer.toString(quarantineMinSamples));
    m.put(QUARANTINE_WINDOW, quarantineWindow.toMillis() + "ms");
    m.put(QUARANTINE_DURATION, quarantineDuration.toMillis() + "ms");
    m.put(DECISION_RETENTION, decisionRetention.toMillis() + "ms");
    m.put(IDLE_CLOCK_ADVANCE, Boolean.toString(idleClockAdvance));
    m.put(IDLE_CLOCK_AFTER, idleClockAfter.toMillis() + "ms");
    m.put(JOB_MAX_ROUNDS, Integer.toString(jobMaxRounds));
    m.put(HTTP_DECISION_WAIT, httpDecisionWait.toMillis() + "ms");
    m.put(SCHEMA_REGISTRY_URL, schemaRegistryUrl);
    m.put(WEIGHT_IDC, Double.toString(weights.idc()));
    m.put(WEIGHT_LOCATION, Double.toString(weights.location()));
    m.put(WEIGHT_LOAD_QUALITY, Double.toString(weights.loadQuality()));
    m.put(WEIGHT_HOST_TYPE, Double.toString(weights.hostType()));
    m.put(BAD_PARENT_SAMPLES, Integer.toString(badParentRule.normalDistributionSamples()));
    m.put(BAD_PARENT_FACTOR, Double.toString(badParentRule.smallSampleFactor()));
    m.put(BAD_PARENT_SIGMAS, Double.toString(badParentRule.sigmas()));
    m.put(DEFAULT_UPLOAD_SLOTS, Integer.toString(defaultUploadSlotLimit));
    m.put(MAX_CLOCK_AHEAD, maxClockAhead.toMillis() + "ms");
    m.put(MAX_RECORD_AGE, maxRecordAge.toMillis() + "ms");
    return m;
  }

  /** Serde configuration for the Avro topics (registry url). */
  public Map<String, String> serdeConfig() {
    return Map.of("schema.registry.url", schemaRegistryUrl);
  }

  private record Reader(Function<String, String> lookup) {
    String string(String key) {
      String v = lookup.apply(key);
      return v == null || v.isBlank() ? DEFAULTS.get(key) : v.trim();
    }

    int integer(String key, int min, int max) {
      String v = string(key);
      try {
        int i = Integer.parseInt(v);
        if (i < min || i > max) {
          throw new IllegalArgumentException(key + ": must be in [" + min + ", " + max + "], was " + i);
        }
        return i;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": not an integer: '" + v + "'");
      }
    }

    double decimal(String key, double min, double max) {
      String v = string(key);
      try {
        double d = Double.parseDouble(v);
        if (!(d >= min && d <= max)) {
          throw new IllegalArgumentException(key + ": must be in [" + min + ", " + max + "], was " + d);
        }
        return d;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": not a number: '" + v + "'");
      }
    }

    EvaluatorWeights weights() {
      double idc = decimal(WEIGHT_IDC, 0, 1);
      double loc = decimal(WEIGHT_LOCATION, 0, 1);
      double lq = decimal(WEIGHT_LOAD_QUALITY, 0, 1);
      double type = decimal(WEIGHT_HOST_TYPE, 0, 1);
      try {
        return new EvaluatorWeights(idc, loc, lq, type);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(PREFIX + "weight.*: " + e.getMessage(), e);
      }
    }

    BadParentRule badParentRule() {
      int samples = integer(BAD_PARENT_SAMPLES, 2, 1_000_000);
      double factor = decimal(BAD_PARENT_FACTOR, 1, 1e9);
      double sigmas = decimal(BAD_PARENT_SIGMAS, 0, 1e3);
      try {
        return new BadParentRule(samples, factor, sigmas);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(PREFIX + "bad-parent.*: " + e.getMessage(), e);
      }
    }

    boolean bool(String key) {
      String v = string(key).toLowerCase(Locale.ROOT);
      if (v.equals("true") || v.equals("false")) {
        return Boolean.parseBoolean(v);
      }
      throw new IllegalArgumentException(key + ": must be true or false, was '" + v + "'");
    }

    Duration duration(String key) {
      String v = string(key).toLowerCase(Locale.ROOT);
      try {
        Duration d;
        if (v.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        else if (v.endsWith("s")) d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        else if (v.endsWith("m")) d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        else if (v.endsWith("h")) d = Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
        else if (v.endsWith("d")) d = Duration.ofDays(Long.parseLong(v.substring(0, v.length() - 1)));
        else d = Duration.ofMillis(Long.parseLong(v));
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException(key + ": must be positive, was '" + v + "'");
        }
        return d;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": not a duration (e.g. 500ms, 10s, 30m, 1h): '" + v + "'");
      }
    }
  }
}
