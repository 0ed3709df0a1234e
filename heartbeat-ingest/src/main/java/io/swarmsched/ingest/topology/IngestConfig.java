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
    io.swarmsched.runtime.auth.PrincipalSeal principalSeal) {

  public static final String DEFAULT_APPLICATION_ID = "swarm-heartbeat-ingest";
  public static final Duration DEFAULT_PATROL_INTERVAL = Duration.ofSeconds(1);

  /** A heartbeat is a few hundred bytes; anything near this is not one. */
  public static final int DEFAULT_MAX_HTTP_BODY_BYTES = 64 * 1024;

  public IngestConfig {
    principalSeal =
        principalSeal == null ? io.swarmsched.runtime.auth.PrincipalSeal.OFF : principalSeal;
    serdeConfig = Map.copyOf(serdeConfig);
    if (patrolInterval.isNegative() || patrolInterval.isZero()) {
      throw new IllegalArgumentException("patrolInterval must be positive");
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
        io.swarmsched.runtime.auth.PrincipalSeal.OFF);
  }

  public IngestConfig withLiveness(LivenessPolicy policy) {
    return new IngestConfig(
        applicationId,
        limits,
        policy,
        patrolInterval,
        serdeConfig,
        maxHttpBodyBytes,
        requireSigned,
        principalSeal);
  }

  public IngestConfig withLimits(ValidationLimits newLimits) {
    return new IngestConfig(
        applicationId,
        newLimits,
        liveness,
        patrolInterval,
        serdeConfig,
        maxHttpBodyBytes,
        requireSigned,
        principalSeal);
  }

  public IngestConfig withPrincipalSeal(io.swarmsched.runtime.auth.PrincipalSeal seal) {
    return new IngestConfig(
        applicationId,
        limits,
        liveness,
        patrolInterval,
        serdeConfig,
        maxHttpBodyBytes,
        requireSigned,
        seal);
  }

  public IngestConfig withRequireSigned(boolean required) {
    return new IngestConfig(
        applicationId,
        limits,
        liveness,
        patrolInterval,
        serdeConfig,
        maxHttpBodyBytes,
        required,
        principalSeal);
  }

  public IngestConfig withApplicationId(String id) {
    return new IngestConfig(
        id,
        limits,
        liveness,
        patrolInterval,
        serdeConfig,
        maxHttpBodyBytes,
        requireSigned,
        principalSeal);
  }
}
