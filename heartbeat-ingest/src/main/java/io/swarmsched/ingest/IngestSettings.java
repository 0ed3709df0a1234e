package io.swarmsched.ingest;

import io.swarmsched.ingest.liveness.LivenessPolicy;
import io.swarmsched.ingest.topology.IngestConfig;
import io.swarmsched.ingest.validation.ValidationLimits;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration keys of heartbeat-ingest and their defaults: the one place they are written
 * down.
 */
public final class IngestSettings {
  private static final Logger log = LoggerFactory.getLogger(IngestSettings.class);

  private IngestSettings() {}

  public static final String APPLICATION_ID = "swarm.ingest.application.id";
  public static final String SUSPICIOUS_AFTER = "swarm.ingest.liveness.suspicious.after";
  public static final String OFFLINE_AFTER = "swarm.ingest.liveness.offline.after";
  public static final String OFFLINE_TTL = "swarm.ingest.liveness.offline.ttl";
  public static final String PATROL_INTERVAL = "swarm.ingest.liveness.patrol.interval";
  public static final String PUBLISH_REFRESH = "swarm.ingest.publish.refresh";
  public static final String MAX_CLOCK_SKEW = "swarm.ingest.validation.max.clock.skew";

  /** Heartbeats dated further back than this are refused (default 1 day). */
  public static final String MAX_AGE = "swarm.ingest.validation.max.age";

  /**
   * Refuse unsigned heartbeats of hosts not yet bound, too (default false: a Kafka producer without
   * a key, such as an old agent, still joins; its id is then simply not protected).
   */
  public static final String REQUIRE_SIGNED = "swarm.ingest.auth.require.signed";

  public static final String MAX_RECORD_BYTES = "swarm.ingest.validation.max.record.bytes";
  public static final String MAX_BANDWIDTH = "swarm.ingest.validation.max.bandwidth.bytes.per.sec";
  public static final String MAX_UPLOAD_SLOT_LIMIT =
      "swarm.ingest.validation.max.upload.slot.limit";
  public static final String OVERCOMMIT_FACTOR = "swarm.ingest.validation.overcommit.factor";
  public static final String MAX_TASKS = "swarm.ingest.validation.max.tasks";
  public static final String MAX_CPU_CORES = "swarm.ingest.validation.max.cpu.cores";
  public static final String MAX_MEMORY_BYTES = "swarm.ingest.validation.max.memory.bytes";
  public static final String MAX_DISK_BYTES = "swarm.ingest.validation.max.disk.bytes";
  public static final String MAX_GPUS = "swarm.ingest.validation.max.gpus";
  public static final String MAX_TAGS = "swarm.ingest.validation.max.tags";
  public static final String MAX_STRING_LENGTH = "swarm.ingest.validation.max.string.length";

  /**
   * Every {@code swarm.ingest.*} key; any other under that prefix is reported as unknown at
   * start-up.
   */
  public static final Set<String> KEYS =
      Set.of(
          APPLICATION_ID,
          SUSPICIOUS_AFTER,
          OFFLINE_AFTER,
          OFFLINE_TTL,
          PATROL_INTERVAL,
          PUBLISH_REFRESH,
          MAX_CLOCK_SKEW,
          MAX_AGE,
          REQUIRE_SIGNED,
          MAX_RECORD_BYTES,
          MAX_BANDWIDTH,
          MAX_UPLOAD_SLOT_LIMIT,
          OVERCOMMIT_FACTOR,
          MAX_TASKS,
          MAX_CPU_CORES,
          MAX_MEMORY_BYTES,
          MAX_DISK_BYTES,
          MAX_GPUS,
          MAX_TAGS,
          MAX_STRING_LENGTH);

  public static final int DEFAULT_HTTP_MAX_BODY_BYTES = IngestConfig.DEFAULT_MAX_HTTP_BODY_BYTES;

  /**
   * heartbeat-ingest's HTTP port when nothing else sets it: beside scoring (8083) and the
   * dispatcher (8084).
   */
  public static final int DEFAULT_HTTP_PORT = 8082;

  /**
   * Defaults this service lays over {@link CommonKeys#DEFAULTS}: a heartbeat-sized HTTP body limit
   * and its own port, so it can run beside the other services. (Exactly-once, which the README
   * explains, is every service's default.)
   */
  public static final Map<String, String> SERVICE_DEFAULTS =
      Map.of(
          CommonKeys.HTTP_MAX_BODY_BYTES, Integer.toString(DEFAULT_HTTP_MAX_BODY_BYTES),
          CommonKeys.HTTP_PORT, Integer.toString(DEFAULT_HTTP_PORT));

  /** The validated configuration; a wrong value throws {@link ConfigException} naming its key. */
  public static IngestConfig config(Settings s) {
    s.unknownKeys("swarm.ingest.", KEYS)
        .forEach(
            key ->
                log.warn(
                    "{} is not a heartbeat-ingest setting and is ignored (see heartbeat-ingest/README.md)",
                    key));
    ValidationLimits d = ValidationLimits.defaults();
    ValidationLimits limits =
        new ValidationLimits(
            s.longValue(MAX_BANDWIDTH, d.maxBandwidthBytesPerSec(), 1, Long.MAX_VALUE),
            s.integer(MAX_UPLOAD_SLOT_LIMIT, d.maxUploadSlotLimit(), 1, Integer.MAX_VALUE),
            s.integer(OVERCOMMIT_FACTOR, d.uploadOvercommitFactor(), 1, 1000),
            s.integer(MAX_TASKS, d.maxTasks(), 1, Integer.MAX_VALUE),
            s.integer(MAX_CPU_CORES, d.maxCpuCores(), 1, Integer.MAX_VALUE),
            s.bytes(MAX_MEMORY_BYTES, d.maxMemoryBytes(), 1, Long.MAX_VALUE),
            s.bytes(MAX_DISK_BYTES, d.maxDiskBytes(), 1, Long.MAX_VALUE),
            s.integer(MAX_GPUS, d.maxGpus(), 0, Integer.MAX_VALUE),
            s.duration(MAX_CLOCK_SKEW, d.maxClockSkew(), Duration.ZERO, Duration.ofDays(1)),
            (int) s.bytes(MAX_RECORD_BYTES, d.maxRecordBytes(), 64, 64L * 1024 * 1024),
            s.integer(MAX_TAGS, d.maxTags(), 0, 100_000),
            s.integer(MAX_STRING_LENGTH, d.maxStringLength(), 1, 1 << 20),
            s.duration(MAX_AGE, d.maxAge(), Duration.ofSeconds(1), null));

    LivenessPolicy ld = LivenessPolicy.defaults();
    Duration suspicious =
        s.duration(SUSPICIOUS_AFTER, ld.suspiciousAfter(), Duration.ofMillis(1), null);
    Duration offline = s.duration(OFFLINE_AFTER, ld.offlineAfter(), Duration.ofMillis(1), null);
    if (offline.compareTo(suspicious) <= 0) {
      throw new ConfigException(
          OFFLINE_AFTER,
          OFFLINE_AFTER
              + "="
              + offline
              + " must be longer than "
              + SUSPICIOUS_AFTER
              + "="
              + suspicious);
    }
    Duration ttl = s.duration(OFFLINE_TTL, ld.offlineTtl(), Duration.ofMillis(1), null);
    Duration patrol =
        s.duration(
            PATROL_INTERVAL,
            IngestConfig.DEFAULT_PATROL_INTERVAL,
            Duration.ofMillis(10),
            Duration.ofMinutes(1));

    return new IngestConfig(
        s.string(APPLICATION_ID, IngestConfig.DEFAULT_APPLICATION_ID),
        limits,
        new LivenessPolicy(suspicious, offline, ttl),
        patrol,
        // the URL, and the token ingest registers its schemas with (a secured registry)
        Map.<String, Object>copyOf(
            io.swarmsched.runtime.config.RegistryCredentials.from(s)
                .serdeConfig(s.string(CommonKeys.SCHEMA_REGISTRY_URL))),
        (int)
            s.bytes(
                CommonKeys.HTTP_MAX_BODY_BYTES, DEFAULT_HTTP_MAX_BODY_BYTES, 1, Integer.MAX_VALUE),
        s.bool(REQUIRE_SIGNED, false),
        s.duration(
            PUBLISH_REFRESH, IngestConfig.DEFAULT_PUBLISH_REFRESH, Duration.ZERO, suspicious),
        // keyed by ingest's own Kafka password: the gateway seals, the stream checks
        io.swarmsched.runtime.auth.PrincipalSeal.from(s));
  }
}
