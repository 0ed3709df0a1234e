package io.swarmsched.dispatcher;

import static io.swarmsched.dispatcher.DispatcherConfig.*;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.LoadQualitySettings;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.scheduling.evaluator.EvaluatorWeights;
import io.swarmsched.scheduling.stats.BadParentRule;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a {@link DispatcherConfig} from a service's {@link Settings}: each key through the getter
 * of its type, within its bounds, its default from {@link DispatcherConfig#DEFAULTS}, then the
 * checks that span keys. A wrong value fails with a {@link ConfigException} naming the key and
 * where its value came from.
 */
final class DispatcherConfigReader {
  private static final Logger log = LoggerFactory.getLogger(DispatcherConfig.class);

  /** The defaults, parsed by the same getters as any other value. */
  private static final Settings DEFAULT_SETTINGS = Settings.of(DEFAULTS);

  private DispatcherConfigReader() {}

  static DispatcherConfig read(Settings settings) {
    Settings s = settings.withRenamedKeys(DEPRECATED_KEYS, warning -> log.warn("{}", warning));
    s.unknownKeys(PREFIX, DEFAULTS.keySet())
        .forEach(
            key ->
                log.warn(
                    "{} is not a dispatcher setting and is ignored (see dispatcher/README.md)",
                    key));
    DispatcherConfig c =
        new DispatcherConfig(
            s.string(APPLICATION_ID, DEFAULTS.get(APPLICATION_ID)),
            s.oneOf(
                POLICY,
                DEFAULTS.get(POLICY),
                io.swarmsched.scheduling.evaluator.Evaluators.names()
                    .toArray(String[]::new)), // any registered policy
            integer(s, MAX_PARENTS, 1, 64),
            duration(s, RETRY_INTERVAL),
            s.decimal(RETRY_JITTER, DEFAULT_SETTINGS.decimal(RETRY_JITTER, 0), 0, 0.99),
            integer(s, BACK_TO_SOURCE_AFTER, 1, 10_000),
            integer(s, FAIL_AFTER, 1, 10_000),
            integer(s, MAX_BACK_TO_SOURCE, 1, 1_000_000),
            duration(s, SEED_FAILURE_MEMORY),
            duration(s, SEED_WAIT_TIMEOUT),
            s.bool(COPY_LOST_RULE, DEFAULT_SETTINGS.bool(COPY_LOST_RULE, true)),
            duration(s, TICK),
            duration(s, PATROL_INTERVAL),
            duration(s, PEER_IDLE_TIMEOUT),
            decimal(s, QUARANTINE_FAILURE_RATE, 0, 1),
            integer(s, QUARANTINE_MIN_SAMPLES, 1, 1_000_000),
            duration(s, QUARANTINE_WINDOW),
            duration(s, QUARANTINE_DURATION),
            duration(s, DECISION_RETENTION),
            s.bool(IDLE_CLOCK_ADVANCE, DEFAULT_SETTINGS.bool(IDLE_CLOCK_ADVANCE, true)),
            duration(s, IDLE_CLOCK_AFTER),
            duration(s, HTTP_DECISION_WAIT),
            s.string(SCHEMA_REGISTRY_URL, CommonKeys.DEFAULTS.get(SCHEMA_REGISTRY_URL)),
            weights(s),
            badParentRule(s),
            integer(s, DEFAULT_UPLOAD_SLOTS, 1, 1_000_000),
            duration(s, ALLOCATION_TTL),
            io.swarmsched.scheduling.filter.CycleRule.byName(
                s.oneOf(
                    CYCLE_RULE,
                    DEFAULTS.get(CYCLE_RULE),
                    java.util.Arrays.stream(io.swarmsched.scheduling.filter.CycleRule.values())
                        .map(io.swarmsched.scheduling.filter.CycleRule::configName)
                        .toArray(String[]::new))),
            LoadQualitySettings.params(s),
            duration(s, MAX_CLOCK_AHEAD),
            duration(s, MAX_RECORD_AGE),
            integer(s, CANDIDATE_LIMIT, 0, 1_000_000),
            s.duration(
                SIGNED_REPLAY_WINDOW,
                DEFAULT_SETTINGS.duration(SIGNED_REPLAY_WINDOW, null),
                Duration.ZERO,
                null),
            new io.swarmsched.dispatcher.jobs.JobParams(
                integer(s, JOBS_QUEUE_MAX, 1, 10_000_000),
                duration(s, JOBS_TIMEOUT),
                duration(s, JOBS_TIMEOUT_GRACE),
                integer(
                    s,
                    JOBS_MAX_ATTEMPTS,
                    1,
                    io.swarmsched.dispatcher.jobs.JobSubmission.MAX_ATTEMPTS),
                duration(s, JOBS_BACKOFF_BASE),
                duration(s, JOBS_BACKOFF_MAX),
                duration(s, JOBS_RETENTION),
                duration(s, TICK)),
            // the token the dispatcher registers its schemas with (a secured registry); kept out
            // of toSettings(), which replays record
            io.swarmsched.runtime.config.RegistryCredentials.from(s),
            // keyed by the dispatcher's Kafka password: its HTTP gateway seals the principal
            // header of the requests it writes, its stream believes only sealed ones
            io.swarmsched.runtime.auth.PrincipalSeal.from(s));
    if (c.jobs().backoffMax().compareTo(c.jobs().backoffBase()) < 0) {
      throw new ConfigException(
          JOBS_BACKOFF_MAX,
          c.jobs().backoffMax().toMillis()
              + "ms must be >= "
              + JOBS_BACKOFF_BASE
              + origin(s, JOBS_BACKOFF_MAX));
    }
    if (c.failAfterRounds() < c.backToSourceAfterRounds()) {
      throw new ConfigException(
          FAIL_AFTER,
          c.failAfterRounds()
              + " must be >= "
              + BACK_TO_SOURCE_AFTER
              + " ("
              + c.backToSourceAfterRounds()
              + "): a task goes back to source before it fails"
              + origin(s, FAIL_AFTER));
    }
    return c;
  }

  private static int integer(Settings s, String key, int min, int max) {
    return s.integer(key, DEFAULT_SETTINGS.integer(key, 0), min, max);
  }

  private static double decimal(Settings s, String key, double min, double max) {
    return s.decimal(key, DEFAULT_SETTINGS.decimal(key, 0), min, max);
  }

  /**
   * Every dispatcher duration is positive: a zero tick, wait or window would spin or never hold.
   */
  private static Duration duration(Settings s, String key) {
    return s.duration(key, DEFAULT_SETTINGS.duration(key, null), Duration.ofMillis(1), null);
  }

  private static EvaluatorWeights weights(Settings s) {
    double idc = decimal(s, WEIGHT_IDC, 0, 1);
    double loc = decimal(s, WEIGHT_LOCATION, 0, 1);
    double lq = decimal(s, WEIGHT_LOAD_QUALITY, 0, 1);
    double type = decimal(s, WEIGHT_HOST_TYPE, 0, 1);
    try {
      return new EvaluatorWeights(idc, loc, lq, type);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          PREFIX + "weight.*",
          e.getMessage()
              + origin(s, WEIGHT_IDC, WEIGHT_LOCATION, WEIGHT_LOAD_QUALITY, WEIGHT_HOST_TYPE),
          e);
    }
  }

  private static BadParentRule badParentRule(Settings s) {
    int samples = integer(s, BAD_PARENT_SAMPLES, 2, 1_000_000);
    double factor = decimal(s, BAD_PARENT_FACTOR, 1, 1e9);
    double sigmas = decimal(s, BAD_PARENT_SIGMAS, 0, 1e3);
    try {
      return new BadParentRule(samples, factor, sigmas);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          PREFIX + "bad.parent.*",
          e.getMessage() + origin(s, BAD_PARENT_SAMPLES, BAD_PARENT_FACTOR, BAD_PARENT_SIGMAS),
          e);
    }
  }

  /**
   * " (key=value from origin, ...)" for the keys that were set, so a combined check still says
   * where.
   */
  private static String origin(Settings s, String... keys) {
    StringBuilder b = new StringBuilder();
    for (String key : keys) {
      s.optional(key)
          .ifPresent(
              v ->
                  b.append(b.length() == 0 ? " (" : ", ")
                      .append(key)
                      .append('=')
                      .append(v)
                      .append(" from ")
                      .append(s.origin(key).orElse("given")));
    }
    return b.length() == 0 ? "" : b.append(')').toString();
  }
}
