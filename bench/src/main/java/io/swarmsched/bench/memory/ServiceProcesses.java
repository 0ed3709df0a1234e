package io.swarmsched.bench.memory;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.GroupProgress;
import io.swarmsched.bench.Measurement;
import io.swarmsched.bench.ProcessStats;
import io.swarmsched.bench.Records;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.ingest.HeartbeatIngestApp;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.scoring.streams.ScoringApp;
import io.swarmsched.scoring.streams.ScoringSettings;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * ingest, scoring and the dispatcher each as its own process, the way compose runs them (one JVM
 * per service, the image's JVM flags, exactly-once as they default to), all three at once on the
 * run's broker, fed like a cluster of H hosts: heartbeats into ingest, whose host states feed
 * scoring and the dispatcher's host table, piece events into scoring, a few schedule requests into
 * the dispatcher. After a warm-up round each service's CPU is read, then H hosts heartbeat twice
 * more (and serve 3 pieces each): the CPU each used for that, over the records, is its CPU per
 * record; its VmRSS/VmHWM are read once all three have caught up.
 */
final class ServiceProcesses {
  private ServiceProcesses() {}

  /** The flags of docker/Dockerfile's entry point. */
  static final List<String> IMAGE_JVM_FLAGS =
      List.of("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");

  /**
   * The JVM flags docker-compose.yml gives ingest, scoring and the dispatcher ({@code
   * JAVA_TOOL_OPTIONS}, which the JVM reads as well as the image's flags; {@code -Xmx} wins over
   * {@code MaxRAMPercentage}).
   */
  static final List<String> COMPOSE_SERVICE_FLAGS = List.of("-Xmx400m", "-XX:+UseSerialGC");

  /**
   * The environment docker-compose.yml gives ingest, scoring and the dispatcher besides their
   * settings: {@code MALLOC_ARENA_MAX=2}. glibc gives each thread that allocates natively
   * (RocksDB's stream, flush and compaction threads, the JDK's own) an arena of its own, up to
   * eight per core, and memory freed in one arena is not reused by another; two arenas keep
   * RocksDB's native memory close to what it holds (docs/benchmarks.md, "MALLOC_ARENA_MAX").
   */
  static final Map<String, String> COMPOSE_SERVICE_ENV = Map.of("MALLOC_ARENA_MAX", "2");

  /**
   * The environment the services get here: {@link #COMPOSE_SERVICE_ENV}, or what
   * -Dbench.service.env="KEY=VALUE ..." says (empty: nothing added), to measure against it.
   */
  static Map<String, String> serviceEnv() {
    String custom = System.getProperty("bench.service.env");
    if (custom == null) return COMPOSE_SERVICE_ENV;
    Map<String, String> env = new LinkedHashMap<>();
    for (String kv : custom.trim().split("\\s+")) {
      if (kv.isEmpty()) continue;
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "-Dbench.service.env: '" + kv + "' is not KEY=VALUE (e.g. MALLOC_ARENA_MAX=2)");
      }
      env.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return env;
  }

  /**
   * How the services run here: as docker-compose.yml runs them (the image's flags and the compose
   * file's). -Dbench.service.jvm="..." replaces them all, e.g. the image's flags alone to see what
   * the GC takes without a heap limit.
   */
  static List<String> jvmFlags() {
    String custom = System.getProperty("bench.service.jvm");
    if (custom != null) return Arrays.asList(custom.trim().split("\\s+"));
    List<String> flags = new ArrayList<>(IMAGE_JVM_FLAGS);
    flags.addAll(COMPOSE_SERVICE_FLAGS);
    return flags;
  }

  private static final int PIECES_PER_HOST = 3;
  private static final int REQUESTS = 200;

  record Service(String name, Process process, String group, List<String> inputs) {}

  /** The command line that starts {@code mainClass} as a child JVM on this JVM's class path. */
  static List<String> command(String mainClass, Map<String, String> settings) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    settings.forEach((k, v) -> cmd.add("--" + k + "=" + v));
    return cmd;
  }

  static void measure(BenchContext ctx, BenchResult result) throws Exception {
    int hosts = ctx.pick(10_000, 100_000);
    String hb = Topics.HOST_HEARTBEATS.name();
    String pieces = Topics.PIECE_EVENTS.name();
    String requests = Topics.SCHEDULE_REQUESTS.name();
    GroupProgress.truncate(ctx, List.of(hb, pieces, requests));
    List<Service> services = new ArrayList<>();
    // if the harness is killed, its children must not outlive it
    Thread reaper =
        new Thread(() -> services.forEach(s -> s.process().destroyForcibly()), "bench-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    try {
      services.add(
          start(
              ctx,
              "heartbeat-ingest",
              HeartbeatIngestApp.class.getName(),
              IngestSettings.APPLICATION_ID,
              List.of(hb)));
      services.add(
          start(
              ctx,
              "scoring-streams",
              ScoringApp.class.getName(),
              ScoringSettings.APPLICATION_ID,
              List.of(Topics.HOSTS.name(), pieces)));
      services.add(
          start(
              ctx,
              "dispatcher",
              DispatcherApp.class.getName(),
              DispatcherConfig.APPLICATION_ID,
              List.of(requests)));
      ctx.progress(
          "services as their own processes: %s",
          services.stream().map(s -> s.name() + " pid " + s.process().pid()).toList());
      // warm-up: one heartbeat per host, one request; each service starts and catches up
      Map<String, Map<TopicPartition, Long>> start = new LinkedHashMap<>();
      for (Service s : services) {
        start.put(s.name(), Map.of());
      }
      produce(ctx, hosts, 1, 1, false);
      for (Service s : services) {
        await(ctx, s, start.get(s.name()), Duration.ofSeconds(ctx.pick(60, 240)));
      }
      Map<String, Double> cpu0 = new LinkedHashMap<>();
      for (Service s : services) {
        start.put(s.name(), GroupProgress.endOffsets(ctx, s.inputs()));
        cpu0.put(s.name(), ProcessStats.cpuSeconds(s.process().pid()).orElse(Double.NaN));
      }
      produce(ctx, hosts, 2, 2, true);
      for (Service s : services) {
        GroupProgress.Drain d =
            await(ctx, s, start.get(s.name()), Duration.ofSeconds(ctx.pick(30, 180)));
        long pid = s.process().pid();
        double cpu = ProcessStats.cpuSeconds(pid).orElse(Double.NaN) - cpu0.get(s.name());
        double rss = ProcessStats.mib(ProcessStats.rssBytes(pid).orElse(0));
        double hwm = ProcessStats.mib(ProcessStats.peakRssBytes(pid).orElse(0));
        String label = String.format("%s as its own process, %,d hosts", s.name(), hosts);
        ctx.progress(
            "%s: RSS %.0f MiB (peak %.0f), %.1f CPU s for %d records%s",
            label, rss, hwm, cpu, d.total(), d.caughtUp() ? "" : " (NOT caught up)");
        result.add(Measurement.of("RSS, " + label, rss, "MiB"));
        result.add(Measurement.of("peak RSS (VmHWM), " + label, hwm, "MiB"));
        result.add(Measurement.of("CPU seconds in the measured part, " + label, cpu, "s"));
        // per record only where the records are the service's work and all were processed: the
        // dispatcher's CPU here is mostly its host table following the new host states
        if (d.caughtUp() && d.total() > 0 && !Double.isNaN(cpu) && !s.name().equals("dispatcher")) {
          result.add(Measurement.of("CPU per input record, " + label, cpu * 1e6 / d.total(), "µs"));
        }
        if (!d.caughtUp()) {
          result.note(
              label
                  + ": did not catch up in time, so no CPU per record (its RSS is read all the same)");
        }
        ctx.putBaseline("process.rss_mib." + s.name(), rss);
      }
      double sum =
          services.stream()
              .mapToDouble(s -> ctx.baseline("process.rss_mib." + s.name()).orElse(0.0))
              .sum();
      result.add(
          Measurement.of(
              String.format("RSS of ingest + scoring + dispatcher together, %,d hosts", hosts),
              sum,
              "MiB"));
      Map<String, String> env = serviceEnv();
      result.note(
          "Each service ran as its own JVM ("
              + String.join(" ", jvmFlags())
              + (System.getProperty("bench.service.jvm") == null
                  ? ", as docker-compose.yml runs it: the image's flags and the compose file's"
                  : ", from -Dbench.service.jvm")
              + "; environment "
              + (env.isEmpty() ? "none added" : env.toString())
              + (System.getProperty("bench.service.env") == null
                  ? ", the compose file's"
                  : ", from -Dbench.service.env")
              + ") with its main class and the run's broker, all three at once. CPU per input"
              + " record counts the records the service read after its warm-up (heartbeats for"
              + " ingest; host states and piece events for scoring). -Dbench.service.jvm=\"...\""
              + " replaces the JVM flags, e.g. \"-XX:MaxRAMPercentage=75\" alone for what the GC"
              + " takes without a heap limit.");
    } finally {
      for (Service s : services) {
        s.process().destroy(); // SIGTERM: each service's shutdown hook closes it
      }
      for (Service s : services) {
        if (!s.process().waitFor(30, TimeUnit.SECONDS)) {
          s.process().destroyForcibly();
        }
      }
      Runtime.getRuntime().removeShutdownHook(reaper);
    }
  }

  private static Service start(
      BenchContext ctx, String name, String mainClass, String appIdKey, List<String> inputs)
      throws Exception {
    String appId = "bench-process-" + name;
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(CommonKeys.BOOTSTRAP_SERVERS, ctx.bootstrapServers());
    settings.put(CommonKeys.SCHEMA_REGISTRY_URL, ctx.registryUrl());
    settings.put(CommonKeys.HTTP_PORT, "0");
    settings.put(CommonKeys.HTTP_HOST, "127.0.0.1");
    settings.put(CommonKeys.STATE_DIR, ctx.newDir(name + "-process-state").toString());
    settings.put(appIdKey, appId);
    Path log = ctx.workDir().resolve(name + "-process.log");
    ProcessBuilder builder =
        new ProcessBuilder(command(mainClass, settings))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().remove("MALLOC_ARENA_MAX"); // only what serviceEnv() says
    builder.environment().putAll(serviceEnv());
    Process p = builder.start();
    return new Service(name, p, appId, inputs);
  }

  private static GroupProgress.Drain await(
      BenchContext ctx, Service s, Map<TopicPartition, Long> start, Duration timeout)
      throws Exception {
    if (!s.process().isAlive()) {
      throw new IllegalStateException(
          s.name() + " exited with " + s.process().exitValue() + " (see its log in the work dir)");
    }
    return GroupProgress.awaitCaughtUp(ctx, s.group(), s.inputs(), start, timeout, s.name());
  }

  /** {@code rounds} heartbeats per host from sequence {@code firstSeq}; pieces and requests too. */
  private static void produce(
      BenchContext ctx, int hosts, long firstSeq, int rounds, boolean withPieces) {
    SpecificAvroSerializer<HostHeartbeat> hbs = ctx.serializer();
    SpecificAvroSerializer<PieceEvent> ps = ctx.serializer();
    SpecificAvroSerializer<ScheduleRequest> rs = ctx.serializer();
    SplittableRandom rnd = new SplittableRandom(hosts + firstSeq);
    String hb = Topics.HOST_HEARTBEATS.name();
    String pieces = Topics.PIECE_EVENTS.name();
    String requests = Topics.SCHEDULE_REQUESTS.name();
    Instant now = Instant.now();
    long seq = firstSeq * 1_000_000L;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ctx.producerProps())) {
      for (int round = 0; round < rounds; round++) {
        Instant at = now.minusSeconds(3L * (rounds - 1 - round));
        for (int h = 0; h < hosts; h++) {
          HostHeartbeat beat = Records.heartbeat(h, firstSeq + round, at, rnd);
          producer.send(new ProducerRecord<>(hb, beat.getHostId(), hbs.serialize(hb, beat)));
          for (int p = 0; withPieces && p < PIECES_PER_HOST; p++) {
            PieceEvent e =
                Records.pieceEvent(
                    seq++, rnd.nextInt(1000), h, rnd.nextInt(hosts), at.minusMillis(500), rnd);
            producer.send(new ProducerRecord<>(pieces, e.getTaskId(), ps.serialize(pieces, e)));
          }
        }
      }
      int n = withPieces ? REQUESTS : 1;
      for (int i = 0; i < n; i++) {
        ScheduleRequest r =
            Records.scheduleRequest(
                "bench-process-req-" + firstSeq + "-" + i, i, i, rnd.nextInt(hosts), now);
        producer.send(new ProducerRecord<>(requests, r.getTaskId(), rs.serialize(requests, r)));
      }
      producer.flush();
    }
  }
}
