package io.swarmsched.agent;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.HostType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything an agent is told at start-up; built once from {@link Settings} (file, environment,
 * flags) and validated, so a wrong value fails fast naming its key.
 */
public record AgentConfig(
    String bootstrapServers,
    String schemaRegistryUrl,
    String hostId,
    HostType type,
    String idc,
    boolean idcLocalFirst,
    String location,
    List<String> tags,
    Path dataDir,
    String bindHost,
    int piecePort,
    String advertisedHost,
    long uploadLimitBytesPerSec,
    int uploadSlots,
    long downloadLimitBytesPerSec,
    int downloadConcurrency,
    int pieceLength,
    Duration heartbeatInterval,
    Duration decisionTimeout,
    Duration metadataTimeout,
    Duration parentStallTimeout,
    int maxReschedules,
    Duration seedTtl,
    long diskQuotaBytes,
    Duration requestTimeout,
    int controlPort,
    int desiredParents,
    Duration parentRefreshInterval,
    Duration metadataPublishInterval,
    int parentConcurrency,
    boolean replaceIdleParents,
    int originAssist,
    int sourceRoomPercent,
    boolean directIo,
    String jobsCommand,
    String jobsShell,
    int maxTasks,
    Duration jobsDefaultTimeout,
    Duration jobsRetention,
    Map<String, Object> kafkaSecurity) {

  public static final String PREFIX = "swarm.agent.";
  public static final String HOST_ID = PREFIX + "host.id";
  public static final String TYPE = PREFIX + "type";
  public static final String IDC = PREFIX + "idc";

  /**
   * Stage 2 asks a parent in another IDC only for pieces no parent in this agent's IDC holds (one
   * such fetch at a time). Right where links between IDCs are slow or costly; where they are as
   * fast as local ones it holds bandwidth back (docs/benchmarks.md, "Swarm simulator": skewed p99
   * 1.17x to 1.49x), so it can be turned off.
   */
  public static final String IDC_LOCAL_FIRST = PREFIX + "idc.local.first";

  public static final String LOCATION = PREFIX + "location";
  public static final String TAGS = PREFIX + "tags";
  public static final String DATA_DIR = PREFIX + "data.dir";
  public static final String BIND_HOST = PREFIX + "bind.host";
  public static final String PIECE_PORT = PREFIX + "piece.port";
  public static final String ADVERTISED_HOST = PREFIX + "advertised.host";
  public static final String UPLOAD_LIMIT = PREFIX + "upload.limit";
  public static final String UPLOAD_SLOTS = PREFIX + "upload.slots";
  public static final String DOWNLOAD_LIMIT = PREFIX + "download.limit";
  public static final String DOWNLOAD_CONCURRENCY = PREFIX + "download.concurrency";
  public static final String PIECE_LENGTH = PREFIX + "piece.length";
  public static final String HEARTBEAT_INTERVAL = PREFIX + "heartbeat.interval";
  public static final String DECISION_TIMEOUT = PREFIX + "decision.timeout";
  public static final String METADATA_TIMEOUT = PREFIX + "metadata.timeout";
  public static final String PARENT_STALL_TIMEOUT = PREFIX + "parent.stall.timeout";
  public static final String MAX_RESCHEDULES = PREFIX + "max.reschedules";
  public static final String SEED_TTL = PREFIX + "seed.ttl";
  public static final String DISK_QUOTA = PREFIX + "disk.quota";
  public static final String REQUEST_TIMEOUT = PREFIX + "request.timeout";

  /**
   * Port of the daemon's control API (downloads for {@code swarmsched get}, health, metrics); -1 =
   * none.
   */
  public static final String CONTROL_PORT = PREFIX + "control.port";

  public static final int DEFAULT_CONTROL_PORT = 65001;

  /**
   * While downloading from fewer live parents than this, the agent asks the dispatcher for more.
   */
  public static final String DESIRED_PARENTS = PREFIX + "desired.parents";

  public static final String PARENT_REFRESH_INTERVAL = PREFIX + "parent.refresh.interval";

  /**
   * How often a back-to-source peer republishes the task metadata with the piece digests it has so
   * far.
   */
  public static final String METADATA_PUBLISH_INTERVAL = PREFIX + "metadata.publish.interval";

  /** Most pieces a child has in flight from one parent at once. */
  public static final String PARENT_CONCURRENCY = PREFIX + "parent.concurrency";

  /**
   * Every {@link #PARENT_REFRESH_INTERVAL}, a child with all the parents it wants drops one (not a
   * source) that holds a piece it lacks but gave it none in that interval, and asks the dispatcher
   * for another at once. Without it a slow child keeps the slow parents it was given and the
   * swarm's finished peers stand idle (docs/benchmarks.md, "Swarm simulator": the laggard tail).
   */
  public static final String REPLACE_IDLE_PARENTS = PREFIX + "replace.idle.parents";

  /**
   * The origin as a parent of last resort (docs/design.md, "Stage 2"): as a source (a seed, or a
   * back-to-source copy), this agent's status grants the first this-many children that ask it the
   * origin as an extra parent, each a slice of the pieces (piece mod this number), which they read
   * with ranged requests for the pieces no other usable parent holds; as a child, this agent uses
   * such a grant only when this is above 0 and the origin honours {@code Range}. 0 turns it off
   * (the origin then sends each piece once, to the source). Default {@value
   * #DEFAULT_ORIGIN_ASSIST}: the origin's spare capacity after the source's read is used, at about
   * 1.3-1.4x the file from the origin (docs/benchmarks.md, "Targets (issue 14, real swarm)").
   */
  public static final String ORIGIN_ASSIST = PREFIX + "origin.assist";

  public static final int DEFAULT_ORIGIN_ASSIST = 8;

  /**
   * A source parent whose status shows it sending less than this percentage of its upload limit is
   * asked like any other parent, not last (stage 2's {@code PieceParams.sourceRoom}; 0 keeps
   * sources last whatever their load; docs/design.md, "Stage 2").
   */
  public static final String SOURCE_ROOM = PREFIX + "source.room";

  /**
   * Write and read downloaded pieces with {@code O_DIRECT}, around the page cache, where the file
   * system allows it (pieces aligned to 4 KiB; a file's last piece and file systems without it,
   * such as tmpfs, go through the page cache). The page cache's cost is the memory it fills, which
   * a virtual machine that returns freed memory to its host pays again at every first touch
   * (docs/benchmarks.md, "The agent's data path").
   */
  public static final String DIRECT_IO = PREFIX + "direct.io";

  /**
   * The command that runs this agent's jobs ({@code sh -c COMMAND}, the payload on stdin); empty:
   * the agent runs no jobs and advertises {@code max_tasks} 0.
   */
  public static final String JOBS_COMMAND = PREFIX + "jobs.command";

  /** The shell that interprets {@link #JOBS_COMMAND}. */
  public static final String JOBS_SHELL = PREFIX + "jobs.shell";

  /**
   * Most jobs run at once, advertised as {@code max_tasks}; defaults to the CPU count with a jobs
   * command, 0 without.
   */
  public static final String MAX_TASKS = PREFIX + "max.tasks";

  /** Timeout of a job assigned without one. */
  public static final String JOBS_DEFAULT_TIMEOUT = PREFIX + "jobs.default.timeout";

  /** How long a finished job's directory (payload, stdout, stderr) is kept. */
  public static final String JOBS_RETENTION = PREFIX + "jobs.retention";

  public AgentConfig {
    if (hostId == null || hostId.isBlank()) {
      throw new ConfigException(HOST_ID, "must not be empty");
    }
    tags = List.copyOf(tags);
    jobsCommand = jobsCommand == null ? "" : jobsCommand.strip();
    if (maxTasks > 0 && jobsCommand.isEmpty()) {
      throw new ConfigException(
          MAX_TASKS,
          "is "
              + maxTasks
              + " but no "
              + JOBS_COMMAND
              + " is set: an agent without an executor"
              + " runs no jobs");
    }
  }

  /** True when this agent runs jobs (it has a command and at least one slot). */
  public boolean runsJobs() {
    return !jobsCommand.isEmpty() && maxTasks > 0;
  }

  public static AgentConfig from(Settings s) {
    String defaultHostId =
        System.getenv().getOrDefault("HOSTNAME", "agent") + "-" + ProcessHandle.current().pid();
    return new AgentConfig(
        s.string(
            CommonKeys.BOOTSTRAP_SERVERS, CommonKeys.DEFAULTS.get(CommonKeys.BOOTSTRAP_SERVERS)),
        s.string(
            CommonKeys.SCHEMA_REGISTRY_URL,
            CommonKeys.DEFAULTS.get(CommonKeys.SCHEMA_REGISTRY_URL)),
        s.string(HOST_ID, defaultHostId),
        s.enumValue(TYPE, HostType.class, HostType.NORMAL),
        s.string(IDC, ""),
        s.bool(IDC_LOCAL_FIRST, true),
        s.string(LOCATION, ""),
        s.list(TAGS, List.of()),
        Path.of(s.string(DATA_DIR, ".swarmsched/agent")),
        s.string(BIND_HOST, "127.0.0.1"),
        s.integer(PIECE_PORT, 0, 0, 65535),
        s.string(ADVERTISED_HOST, "127.0.0.1"),
        s.bytes(UPLOAD_LIMIT, 0, 0, 125_000_000_000L),
        s.integer(UPLOAD_SLOTS, 8, 1, 10_000),
        s.bytes(DOWNLOAD_LIMIT, 0, 0, 125_000_000_000L),
        s.integer(DOWNLOAD_CONCURRENCY, 8, 1, 256),
        pieceLength(s),
        s.duration(HEARTBEAT_INTERVAL, Duration.ofSeconds(3)),
        s.duration(DECISION_TIMEOUT, Duration.ofSeconds(60)),
        s.duration(METADATA_TIMEOUT, Duration.ofSeconds(120)),
        s.duration(PARENT_STALL_TIMEOUT, Duration.ofSeconds(15)),
        s.integer(MAX_RESCHEDULES, 5, 0, 100),
        s.duration(SEED_TTL, Duration.ofHours(1)),
        s.bytes(DISK_QUOTA, 10L << 30, 0, Long.MAX_VALUE),
        s.duration(REQUEST_TIMEOUT, Duration.ofSeconds(10)),
        s.integer(CONTROL_PORT, DEFAULT_CONTROL_PORT, -1, 65535),
        s.integer(DESIRED_PARENTS, 8, 1, 64),
        s.duration(PARENT_REFRESH_INTERVAL, Duration.ofSeconds(2)),
        s.duration(METADATA_PUBLISH_INTERVAL, Duration.ofMillis(500)),
        s.integer(PARENT_CONCURRENCY, 2, 1, 64),
        s.bool(REPLACE_IDLE_PARENTS, true),
        s.integer(ORIGIN_ASSIST, DEFAULT_ORIGIN_ASSIST, 0, 64),
        s.integer(
            SOURCE_ROOM,
            (int) Math.round(io.swarmsched.scheduling.piece.PieceParams.DEFAULT_SOURCE_ROOM * 100),
            0,
            100),
        s.bool(DIRECT_IO, true),
        s.string(JOBS_COMMAND, ""),
        s.string(JOBS_SHELL, "sh"),
        s.integer(
            MAX_TASKS,
            s.string(JOBS_COMMAND, "").isBlank() ? 0 : Runtime.getRuntime().availableProcessors(),
            0,
            100_000),
        s.duration(JOBS_DEFAULT_TIMEOUT, Duration.ofHours(1)),
        s.duration(JOBS_RETENTION, Duration.ofDays(1), Duration.ofMinutes(1), null),
        kafkaClient(s));
  }

  /**
   * What every Kafka client of the agent gets: TLS/SASL keys, plus the token its serializers
   * register schemas with (a secured registry refuses registrations without one). The serializers
   * are configured from the producer's map, which is why the registry keys travel with it.
   */
  private static Map<String, Object> kafkaClient(Settings s) {
    Map<String, Object> m =
        new java.util.HashMap<>(io.swarmsched.runtime.config.KafkaSecurity.clientConfig(s));
    m.putAll(io.swarmsched.runtime.config.RegistryCredentials.from(s).serdeKeys());
    return Map.copyOf(m);
  }

  /** 0 (or "auto") lets the content length choose; else a size between 4 KiB and 64 MiB. */
  private static int pieceLength(Settings s) {
    if (s.optional(PIECE_LENGTH).map(v -> v.trim().equalsIgnoreCase("auto")).orElse(true)) {
      return 0;
    }
    long v = s.bytes(PIECE_LENGTH, 0, 0, 64L << 20);
    if (v != 0 && v < 4096) {
      throw new ConfigException(
          PIECE_LENGTH, "must be auto, 0, or between 4KiB and 64MiB, was " + v);
    }
    return (int) v;
  }

  /** host:port that children use to reach this agent's piece server. */
  public String pieceServerAddress(int boundPort) {
    return advertisedHost + ":" + boundPort;
  }
}
