package io.swarmsched.dispatcher;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.LoadQualitySettings;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.scheduling.evaluator.EvaluatorWeights;
import io.swarmsched.scheduling.stats.BadParentRule;
import io.swarmsched.scoring.LoadQualityParams;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every number the dispatcher decides with, built once at start-up from {@code swarm.dispatcher.*}
 * keys (and the load-quality keys it shares with scoring, {@link LoadQualitySettings}) through
 * service-runtime's {@link Settings}: durations such as {@code 500ms}, {@code 1m30s} or {@code
 * PT10S}, sizes, booleans as Settings spells them. A wrong value fails fast with a {@link
 * ConfigException} naming the key and where its value came from (file, env var, flag).
 *
 * <p>Defaults are those of docs/design.md (Stage 1, back to source, seeds, retries, liveness),
 * written once, in {@link #DEFAULTS}.
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
    boolean copyLostRule,
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
    Duration httpDecisionWait,
    String schemaRegistryUrl,
    EvaluatorWeights weights,
    BadParentRule badParentRule,
    int defaultUploadSlotLimit,
    Duration allocationTtl,
    io.swarmsched.scheduling.filter.CycleRule cycleRule,
    LoadQualityParams loadQuality,
    Duration maxClockAhead,
    Duration maxRecordAge,
    int candidateLimit,
    Duration signedReplayWindow,
    io.swarmsched.dispatcher.jobs.JobParams jobs,
    io.swarmsched.runtime.config.RegistryCredentials registryCredentials,
    io.swarmsched.runtime.auth.PrincipalSeal principalSeal) {

  public static final String PREFIX = "swarm.dispatcher.";
  public static final String APPLICATION_ID = PREFIX + "application.id";
  public static final String POLICY = PREFIX + "policy";
  public static final String MAX_PARENTS = PREFIX + "parents.max";
  public static final String RETRY_INTERVAL = PREFIX + "retry.interval";
  public static final String RETRY_JITTER = PREFIX + "retry.jitter";
  public static final String BACK_TO_SOURCE_AFTER = PREFIX + "retry.back.to.source.after";
  public static final String FAIL_AFTER = PREFIX + "retry.fail.after";
  public static final String MAX_BACK_TO_SOURCE = PREFIX + "back.to.source.max.per.task";
  public static final String SEED_FAILURE_MEMORY = PREFIX + "seed.failure.memory";
  public static final String SEED_WAIT_TIMEOUT = PREFIX + "seed.wait.timeout";

  /**
   * The copy-lost rule (docs/design.md, "Back to source, seeds, retries"): when peers hold parts of
   * a task but nobody holds or reads the whole, the next request brings the copy back (another
   * seed, else BACK_TO_SOURCE {@code COPY_LOST}). On by default; false is the dispatcher before it,
   * for comparison.
   */
  public static final String COPY_LOST_RULE = PREFIX + "copy.lost.rule";

  public static final String TICK = PREFIX + "tick";
  public static final String PATROL_INTERVAL = PREFIX + "patrol.interval";
  public static final String PEER_IDLE_TIMEOUT = PREFIX + "patrol.peer.idle.timeout";
  public static final String QUARANTINE_FAILURE_RATE = PREFIX + "quarantine.failure.rate";
  public static final String QUARANTINE_MIN_SAMPLES = PREFIX + "quarantine.min.samples";
  public static final String QUARANTINE_WINDOW = PREFIX + "quarantine.window";
  public static final String QUARANTINE_DURATION = PREFIX + "quarantine.duration";
  public static final String DECISION_RETENTION = PREFIX + "decision.retention";
  public static final String IDLE_CLOCK_ADVANCE = PREFIX + "clock.idle.advance";
  public static final String IDLE_CLOCK_AFTER = PREFIX + "clock.idle.after";
  public static final String HTTP_DECISION_WAIT = PREFIX + "http.decision.wait";
  public static final String WEIGHT_IDC = PREFIX + "weight.idc";
  public static final String WEIGHT_LOCATION = PREFIX + "weight.location";
  public static final String WEIGHT_LOAD_QUALITY = PREFIX + "weight.load.quality";
  public static final String WEIGHT_HOST_TYPE = PREFIX + "weight.host.type";
  public static final String BAD_PARENT_SAMPLES = PREFIX + "bad.parent.normal.distribution.samples";
  public static final String BAD_PARENT_FACTOR = PREFIX + "bad.parent.small.sample.factor";
  public static final String BAD_PARENT_SIGMAS = PREFIX + "bad.parent.sigmas";
  public static final String DEFAULT_UPLOAD_SLOTS = PREFIX + "upload.slots.default";

  /**
   * How long an optimistic allocation (a child given a parent on a host) counts towards the host's
   * load when no newer score replaces it. scoring-streams publishes a host's score only when it
   * changed, so an allocation that never became an upload (the child took other parents, finished,
   * or went away) would otherwise count until the host's load changes for another reason, and an
   * idle host would look ever busier. An allocation that does become an upload changes the host's
   * concurrency, and with it the score, within a heartbeat and a scoring bucket.
   */
  public static final String ALLOCATION_TTL = PREFIX + "allocation.ttl";

  /**
   * When rule 5 lets a requester take a candidate that downloads from it ({@link
   * io.swarmsched.scheduling.filter.CycleRule}): {@code more-pieces} (default), {@code strict},
   * {@code source-fed}, {@code source-fed-or-more-pieces} or {@code off}.
   */
  public static final String CYCLE_RULE = PREFIX + "cycle.rule";

  /** Shared with every service; mock://scope in tests. */
  public static final String SCHEMA_REGISTRY_URL = CommonKeys.SCHEMA_REGISTRY_URL;

  /**
   * How far ahead of the dispatcher's wall clock a record or its timestamp field may be (producer
   * clock skew).
   */
  public static final String MAX_CLOCK_AHEAD = PREFIX + "validation.max.clock.ahead";

  /** How far behind it: older is a corrupted or replayed record, not a late one. */
  public static final String MAX_RECORD_AGE = PREFIX + "validation.max.record.age";

  /**
   * A bound host's signed request or event must be at most this old (by its timestamp field,
   * against the dispatcher's clock), and the same signed bytes seen again within it are a replay
   * (docs/design.md, "Security"). 0 turns both checks off, e.g. to run recorded input again.
   */
  public static final String SIGNED_REPLAY_WINDOW = PREFIX + "auth.replay.window";

  /**
   * Stage 1 examines at most this many candidates per request, a sample seeded by the request id
   * (0: all).
   */
  public static final String CANDIDATE_LIMIT = PREFIX + "candidate.limit";

  public static final String JOBS_QUEUE_MAX = PREFIX + "jobs.queue.max";
  public static final String JOBS_TIMEOUT = PREFIX + "jobs.timeout";
  public static final String JOBS_TIMEOUT_GRACE = PREFIX + "jobs.timeout.grace";
  public static final String JOBS_MAX_ATTEMPTS = PREFIX + "jobs.max.attempts";
  public static final String JOBS_BACKOFF_BASE = PREFIX + "jobs.backoff.base";
  public static final String JOBS_BACKOFF_MAX = PREFIX + "jobs.backoff.max";
  public static final String JOBS_RETENTION = PREFIX + "jobs.retention";

  public static final String POLICY_LOAD_AWARE = "load-aware";
  public static final String POLICY_RANDOM = "random";

  /**
   * The dispatcher's HTTP port when nothing else sets it: beside ingest (8082) and scoring (8083).
   */
  public static final int DEFAULT_HTTP_PORT = 8084;

  /** What the dispatcher lays over {@link CommonKeys#DEFAULTS} when run as its own process. */
  public static final Map<String, String> SERVICE_DEFAULTS =
      Map.of(CommonKeys.HTTP_PORT, Integer.toString(DEFAULT_HTTP_PORT));

  /**
   * Keys spelled with hyphens before every service settled on dots (so that {@code
   * SWARM_DISPATCHER_APPLICATION_ID} maps to a key without {@code __}). Still read, with a warning,
   * and their value goes to the new key.
   */
  public static final Map<String, String> DEPRECATED_KEYS =
      Map.ofEntries(
          Map.entry(PREFIX + "application-id", APPLICATION_ID),
          Map.entry(PREFIX + "retry.back-to-source-after", BACK_TO_SOURCE_AFTER),
          Map.entry(PREFIX + "retry.fail-after", FAIL_AFTER),
          Map.entry(PREFIX + "back-to-source.max-per-task", MAX_BACK_TO_SOURCE),
          Map.entry(PREFIX + "seed.failure-memory", SEED_FAILURE_MEMORY),
          Map.entry(PREFIX + "seed.wait-timeout", SEED_WAIT_TIMEOUT),
          Map.entry(PREFIX + "patrol.peer-idle-timeout", PEER_IDLE_TIMEOUT),
          Map.entry(PREFIX + "quarantine.failure-rate", QUARANTINE_FAILURE_RATE),
          Map.entry(PREFIX + "quarantine.min-samples", QUARANTINE_MIN_SAMPLES),
          Map.entry(PREFIX + "clock.idle-advance", IDLE_CLOCK_ADVANCE),
          Map.entry(PREFIX + "clock.idle-after", IDLE_CLOCK_AFTER),
          Map.entry(PREFIX + "http.decision-wait", HTTP_DECISION_WAIT),
          Map.entry(PREFIX + "weight.load-quality", WEIGHT_LOAD_QUALITY),
          Map.entry(PREFIX + "weight.host-type", WEIGHT_HOST_TYPE),
          Map.entry(PREFIX + "bad-parent.normal-distribution-samples", BAD_PARENT_SAMPLES),
          Map.entry(PREFIX + "bad-parent.small-sample-factor", BAD_PARENT_FACTOR),
          Map.entry(PREFIX + "bad-parent.sigmas", BAD_PARENT_SIGMAS),
          Map.entry(PREFIX + "upload-slots.default", DEFAULT_UPLOAD_SLOTS));

  /**
   * Every {@code swarm.dispatcher.*} key with its default: the one place they are written (the
   * README lists them).
   */
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
    m.put(COPY_LOST_RULE, "true");
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
    m.put(HTTP_DECISION_WAIT, "5s");
    m.put(WEIGHT_IDC, "0.2");
    m.put(WEIGHT_LOCATION, "0.1");
    m.put(WEIGHT_LOAD_QUALITY, "0.6");
    m.put(WEIGHT_HOST_TYPE, "0.1");
    m.put(BAD_PARENT_SAMPLES, "30");
    m.put(BAD_PARENT_FACTOR, "20");
    m.put(BAD_PARENT_SIGMAS, "3");
    m.put(DEFAULT_UPLOAD_SLOTS, "50");
    m.put(ALLOCATION_TTL, "10s");
    m.put(CYCLE_RULE, io.swarmsched.scheduling.filter.FilterParams.DEFAULT_CYCLE_RULE.configName());
    m.put(MAX_CLOCK_AHEAD, "5m");
    m.put(MAX_RECORD_AGE, "7d");
    m.put(SIGNED_REPLAY_WINDOW, "10m");
    m.put(
        CANDIDATE_LIMIT,
        Integer.toString(io.swarmsched.scheduling.ParentSelector.DEFAULT_CANDIDATE_LIMIT));
    m.put(JOBS_QUEUE_MAX, "10000");
    m.put(JOBS_TIMEOUT, "10m");
    m.put(JOBS_TIMEOUT_GRACE, "10s");
    m.put(JOBS_MAX_ATTEMPTS, "3");
    m.put(JOBS_BACKOFF_BASE, "2s");
    m.put(JOBS_BACKOFF_MAX, "60s");
    m.put(JOBS_RETENTION, "1h");
    return Map.copyOf(m);
  }

  public static DispatcherConfig defaults() {
    return from(Settings.of(Map.of()));
  }

  /** Built from exactly these values (tests, bench); missing keys take their default. */
  public static DispatcherConfig from(Map<String, String> values) {
    return from(Settings.of(values));
  }

  /**
   * The validated configuration from a service's settings; missing keys take their default,
   * deprecated spellings ({@link #DEPRECATED_KEYS}) are read with a warning.
   *
   * @throws ConfigException naming the key, the value and its origin
   */
  public static DispatcherConfig from(Settings settings) {
    return DispatcherConfigReader.read(settings);
  }

  /** Same config with one value replaced (tests, CLI overrides). */
  public DispatcherConfig with(String key, String value) {
    Map<String, String> m = new LinkedHashMap<>(asMap());
    m.put(key, value);
    return from(m);
  }

  /**
   * This config as flat key/values (re-parsable by {@link #from(Map)}; {@link
   * DispatcherConfigWriter}).
   */
  public Map<String, String> asMap() {
    return DispatcherConfigWriter.asMap(this);
  }

  /**
   * The settings each decision records in its provenance (see {@link DecisionSettings}), so that a
   * replay runs with what the live dispatcher ran with.
   */
  public Map<String, String> decisionSettings() {
    return DecisionSettings.of(this);
  }

  /** Serde configuration for the Avro topics (registry url, and the token that registers). */
  public Map<String, String> serdeConfig() {
    return registryCredentials == null
        ? Map.of("schema.registry.url", schemaRegistryUrl)
        : registryCredentials.serdeConfig(schemaRegistryUrl);
  }
}
