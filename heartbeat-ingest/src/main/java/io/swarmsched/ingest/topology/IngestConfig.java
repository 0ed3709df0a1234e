package io.swarmsched.ingest.topology;

import io.swarmsched.ingest.liveness.LivenessPolicy;
import io.swarmsched.ingest.validation.ValidationLimits;
import java.time.Duration;
import java.util.Map;

/**
 * Everything the ingest topology and gateway need, built and validated once at start-up (see {@code
 * IngestSettings} for the keys it is read from).
 *
 * @param applicationId Kafka Streams application.id (and consumer group)
 * @param limits validation bounds
 * @param liveness silence thresholds and offline TTL
 * @param patrolInterval how often the wall-clock liveness patrol runs
 * @param serdeConfig serde configuration ({@code schema.registry.url} and friends)
 * @param maxHttpBodyBytes largest accepted HTTP request body; larger ones get 413
 * @param requireSigned refuse unsigned heartbeats of unbound hosts from Kafka too
 * @param publishRefresh a heartbeat that changes nothing but a host's {@code last_sequence} and
 *     {@code last_seen} is published only when the host's last publication is at least this old
 *     (zero: every accepted heartbeat is published)
 * @param principalSeal seals the gateway's principal header and checks it in the stream ({@link
 *     io.swarmsched.runtime.auth.PrincipalSeal}; null: off)
 */
public record IngestConfig(
    String applicationId,
    ValidationLimits limits,
    LivenessPolicy liveness,
    Duration patrolInterval,
    Map<String, Object> serdeConfig,
    int maxHttpBodyBytes,
    boolean requireSigned,
    Duration publishRefresh,
    io.swarmsched.runtime.auth.PrincipalSeal principalSeal) {

  public static final String DEFAULT_APPLICATION_ID = "swarm-heartbeat-ingest";
  public static final Duration DEFAULT_PATROL_INTERVAL = Duration.ofSeconds(1);

  /**
   * Half of scoring-streams' default {@code swarm.scoring.reported.hold} (10 s), so that a host
   * reporting the same non-zero upload rate heartbeat after heartbeat is re-reported before scoring
   * stops holding its last report; and short against the dispatcher's use of {@code last_seen} as
   * the "as of" of the load (see heartbeat-ingest/README.md, "What is published when").
   */
  public static final Duration DEFAULT_PUBLISH_REFRESH = Duration.ofSeconds(5);

  /** A heartbeat is a few hundred bytes; anything near this is not one. */
  public static final int DEFAULT_MAX_HTTP_BODY_BYTES = 64 * 1024;

  public IngestConfig {
    principalSeal =
        principalSeal == null ? io.swarmsched.runtime.auth.PrincipalSeal.OFF : principalSeal;
    serdeConfig = Map.copyOf(serdeConfig);
    if (patrolInterval.isNegative() || patrolInterval.isZero()) {
      throw new IllegalArgumentException("patrolInterval must be positive");
    }
    if (publishRefresh.isNegative()) {
      throw new IllegalArgumentException("publishRefresh must not be negative");
    }
  }

  /** Defaults everywhere, with this registry url (e.g. {@code mock://ingest-test}). */
  public static IngestConfig defaults(String schemaRegistryUrl) {
    return new IngestConfig(
        DEFAULT_APPLICATION_ID,
        ValidationLimits.defaults(),
        LivenessPolicy.defaults(),
        DEFAULT_PATROL_INTERVAL,
        Map.of("schema.registry.url", schemaRegistryUrl),
        DEFAULT_MAX_HTTP_BODY_BYTES,
        false,
        DEFAULT_PUBLISH_REFRESH,
        io.swarmsched.runtime.auth.PrincipalSeal.OFF);
  }

  public IngestConfig withLiveness(LivenessPolicy policy) {
    return copy(c -> c.liveness = policy);
  }

  public IngestConfig withLimits(ValidationLimits newLimits) {
    return copy(c -> c.limits = newLimits);
  }

  public IngestConfig withPrincipalSeal(io.swarmsched.runtime.auth.PrincipalSeal seal) {
    return copy(c -> c.principalSeal = seal);
  }

  public IngestConfig withRequireSigned(boolean required) {
    return copy(c -> c.requireSigned = required);
  }

  public IngestConfig withApplicationId(String id) {
    return copy(c -> c.applicationId = id);
  }

  public IngestConfig withPublishRefresh(Duration refresh) {
    return copy(c -> c.publishRefresh = refresh);
  }

  /** The fields of a copy that one {@code with*} call changes: every field is listed once here. */
  private static final class Copy {
    String applicationId;
    ValidationLimits limits;
    LivenessPolicy liveness;
    Duration patrolInterval;
    Map<String, Object> serdeConfig;
    int maxHttpBodyBytes;
    boolean requireSigned;
    Duration publishRefresh;
    io.swarmsched.runtime.auth.PrincipalSeal principalSeal;
  }

  private IngestConfig copy(java.util.function.Consumer<Copy> change) {
    Copy c = new Copy();
    c.applicationId = applicationId;
    c.limits = limits;
    c.liveness = liveness;
    c.patrolInterval = patrolInterval;
    c.serdeConfig = serdeConfig;
    c.maxHttpBodyBytes = maxHttpBodyBytes;
    c.requireSigned = requireSigned;
    c.publishRefresh = publishRefresh;
    c.principalSeal = principalSeal;
    change.accept(c);
    return new IngestConfig(
        c.applicationId,
        c.limits,
        c.liveness,
        c.patrolInterval,
        c.serdeConfig,
        c.maxHttpBodyBytes,
        c.requireSigned,
        c.publishRefresh,
        c.principalSeal);
  }
}
