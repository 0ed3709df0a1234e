package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScoreWindow;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * A load harness for the dispatcher's processor, run by hand (not a test): the real topology on a
 * TopologyTestDriver with 100,000 hosts in the hosts and scores global tables, tasks of 10, 100 and
 * 1,000 peers, and a stream of schedule requests, peer events and piece events. It prints the CPU
 * time of the processing thread per event of each kind and the decisions per CPU-second, so the
 * numbers do not depend on how loaded the machine is.
 *
 * <pre>
 * ./mvnw -B -o -q -pl dispatcher test-compile
 * java -cp "$(./mvnw -B -o -q -pl dispatcher dependency:build-classpath -Dmdep.outputFile=/dev/stdout):dispatcher/target/classes:dispatcher/target/test-classes" \
 *   io.swarmsched.dispatcher.topology.DispatcherLoadHarness [hosts=100000] [tasks=10] [requests=2000]
 *   [pieces=5000] [peerEvents=2000] [firstDownloads=50] [jobs=50]
 * </pre>
 *
 * Add {@code -XX:StartFlightRecording=filename=/tmp/d.jfr,settings=profile} to profile, then {@code
 * jfr print --events jdk.ExecutionSample /tmp/d.jfr}.
 */
public final class DispatcherLoadHarness {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  /**
   * Every decision, in order, so that two builds can be shown to decide the same (same inputs, same
   * digest).
   */
  private static final MessageDigest DECISIONS = sha256();

  private static long decisionCount;

  /** {@code -Dharness.dump=FILE} writes every decision, one per line, to tell two runs apart. */
  private static final java.io.PrintWriter DUMP = dumpFile();

  private static java.io.PrintWriter dumpFile() {
    String file = System.getProperty("harness.dump");
    if (file == null) return null;
    try {
      return new java.io.PrintWriter(
          java.nio.file.Files.newBufferedWriter(java.nio.file.Path.of(file)), true);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private DispatcherLoadHarness() {}

  public static void main(String[] args) throws Exception {
    Map<String, Integer> opts =
        new java.util.HashMap<>(
            Map.of(
                "hosts",
                100_000,
                "tasks",
                10,
                "requests",
                2_000,
                "pieces",
                5_000,
                "peerEvents",
                2_000,
                "firstDownloads",
                50,
                "jobs",
                50));
    for (String a : args) {
      String[] kv = a.split("=", 2);
      opts.put(kv[0], Integer.parseInt(kv[1]));
    }
    int hostCount = opts.get("hosts");
    int tasksPerSize = opts.get("tasks");
    System.out.printf(
        "dispatcher load harness: %,d hosts, %d tasks per size, %s%n",
        hostCount, tasksPerSize, opts);
    try (DispatcherFixture f = new DispatcherFixture()) {
      long c0 = cpu();
      SplittableRandom rnd = new SplittableRandom(42);
      for (int i = 0; i < hostCount; i++) {
        String id = hostId(i);
        boolean seed = i % 1000 == 0;
        HostState h =
            DispatcherFixture.hostState(
                    id, seed ? HostType.SUPER_SEED : HostType.NORMAL, Liveness.ONLINE, false)
                .setIdc("idc-" + rnd.nextInt(8))
                .setLocation("cn|p" + rnd.nextInt(4) + "|c" + rnd.nextInt(8))
                .setTags(i % 10 == 0 ? List.of("gpu") : List.of())
                .setCapacity(
                    HostCapacity.newBuilder()
                        .setMaxTxBytesPerSec(100L << 20)
                        .setUploadSlotLimit(50)
                        .setMaxTasks(i % 10 == 0 ? 8 : 0)
                        .setCpuCores(8)
                        .setMemoryBytes(32L << 30)
                        .build())
                .setLoad(HostLoad.newBuilder().setRunningTasks(rnd.nextInt(4)).build())
                .build();
        f.hosts.pipeInput(id, h, T0);
        double peak = rnd.nextDouble();
        double dur = rnd.nextDouble();
        double conc = rnd.nextDouble();
        f.scores.pipeInput(
            id,
            HostScore.newBuilder()
                .setHostId(id)
                .setLoadQuality(0.5 * peak + 0.3 * dur + 0.2 * conc)
                .setPeakBandwidthUsage(peak)
                .setBandwidthDurationRatio(dur)
                .setConcurrentEfficiency(conc)
                .setWindow(
                    ScoreWindow.newBuilder()
                        .setHorizonBuckets(60)
                        .setPeakTxBytesPerSec(0)
                        .setSaturatedBuckets(0)
                        .setConcurrentUploads(0)
                        .setMaxTxBytesPerSec(100L << 20)
                        .setWindowEnd(Instant.ofEpochMilli(T0))
                        .build())
                .setComputedAt(Instant.ofEpochMilli(T0))
                .build(),
            T0);
      }
      System.out.printf(
          "loaded %,d hosts and scores in %.1f s CPU%n", hostCount, (cpu() - c0) / 1e9);

      floor(5_000);
      floor(5_000);
      long now = T0 + 1_000;
      for (int size : new int[] {10, 100, 1_000}) {
        if (size > opts.getOrDefault("maxSize", 1_000)) break;
        now = runSize(f, opts, size, tasksPerSize, hostCount, now, rnd);
      }
      runSeedsAndJobs(f, opts, hostCount, now, rnd);
      System.out.printf(
          "decisions digest: %s (%,d decisions)%n",
          HexFormat.of().formatHex(DECISIONS.digest()), decisionCount);
    }
  }

  private static long runSize(
      DispatcherFixture f,
      Map<String, Integer> opts,
      int size,
      int tasks,
      int hostCount,
      long now,
      SplittableRandom rnd) {
    HarnessRun run = new HarnessRun(f, DispatcherLoadHarness::record);
    run.drain();
    run.takeChangelog(1);
    // 1. loading: each task gets `size` peers, reported SUCCEEDED (a finished swarm: every peer can
    // give)
    List<HarnessRun.In> load = new ArrayList<>();
    for (int p = 0; p < size; p++) {
      for (int t = 0; t < tasks; t++) {
        String task = task(size, t);
        load.add(
            run.peer(
                task,
                task + "-peer-" + p,
                hostId(rnd.nextInt(hostCount)),
                PeerEventType.SUCCEEDED,
                now));
      }
      now += 1;
    }
    long loadNs = run.pipe(load);
    String loadLog = run.takeChangelog(load.size());

    // 2. requests: each from a new peer of one of the tasks (as the end-to-end benchmark does)
    int requests = opts.get("requests");
    List<HarnessRun.In> reqs = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      String task = task(size, i % tasks);
      reqs.add(
          run.request(
              DispatcherFixture.request(
                      "req-" + size + "-" + i,
                      task,
                      task + "-new-" + i,
                      hostId(rnd.nextInt(hostCount)),
                      now)
                  .build()));
      now += 1;
    }
    long requestNs = run.pipe(reqs);
    String reqLog = run.takeChangelog(reqs.size());
    Map<DecisionOutcome, Integer> outcomes = new EnumMap<>(run.outcomes);
    run.outcomes.clear();

    // 3. piece events of the new peers, from their parents
    int pieces = opts.get("pieces");
    List<HarnessRun.In> pcs = new ArrayList<>();
    for (int i = 0; i < pieces; i++) {
      int r = i % requests;
      String task = task(size, r % tasks);
      String parent = task + "-peer-" + (i % size);
      pcs.add(
          run.piece(
              task,
              task + "-new-" + r,
              hostId(r % hostCount),
              parent,
              hostId((i * 7) % hostCount),
              i % 50 == 0 ? PieceOutcome.FAILED : PieceOutcome.FINISHED,
              40 + (i % 13),
              i / requests,
              now));
      now += 1;
    }
    long pieceNs = run.pipe(pcs);
    String pieceLog = run.takeChangelog(pcs.size());

    // 4. peer events: the new peers report RUNNING progress
    int peerEvents = opts.get("peerEvents");
    List<HarnessRun.In> pes = new ArrayList<>();
    for (int i = 0; i < peerEvents; i++) {
      int r = i % requests;
      String task = task(size, r % tasks);
      pes.add(
          run.peer(task, task + "-new-" + r, hostId(r % hostCount), PeerEventType.RUNNING, now));
      now += 1;
    }
    long peerNs = run.pipe(pes);
    String peerLog = run.takeChangelog(pes.size());

    System.out.printf(
        "%5d-peer tasks:%n"
            + "   load        %9.1f us/peer event   %s (%,d events)%n"
            + "   request     %9.1f us/request      %s -> %,.0f decisions/CPU-s %s%n"
            + "   piece event %9.1f us/event        %s%n"
            + "   peer event  %9.1f us/event        %s%n",
        size,
        loadNs / 1e3 / load.size(),
        loadLog,
        load.size(),
        requestNs / 1e3 / requests,
        reqLog,
        requests / (requestNs / 1e9),
        outcomes,
        pieceNs / 1e3 / pieces,
        pieceLog,
        peerNs / 1e3 / peerEvents,
        peerLog);
    return now;
  }

  /**
   * First downloads (each a new task: seed choice over the online super seeds, SEED_TRIGGER) and
   * job requests (placement over the workers, ASSIGNED). Run last: the first downloads leave
   * requests waiting for their seed.
   */
  private static void runSeedsAndJobs(
      DispatcherFixture f,
      Map<String, Integer> opts,
      int hostCount,
      long now,
      SplittableRandom rnd) {
    HarnessRun run = new HarnessRun(f, DispatcherLoadHarness::record);
    run.drain();
    int firstDownloads = opts.get("firstDownloads");
    List<HarnessRun.In> first = new ArrayList<>();
    for (int i = 0; i < firstDownloads; i++) {
      String task = "first-" + i;
      first.add(
          run.request(
              DispatcherFixture.request(
                      "req-first-" + i, task, task + "-peer-0", hostId(rnd.nextInt(hostCount)), now)
                  .build()));
      now += 1;
    }
    long firstNs = run.pipe(first);
    Map<DecisionOutcome, Integer> firstOutcomes = new EnumMap<>(run.outcomes);
    run.outcomes.clear();

    int jobs = opts.get("jobs");
    List<HarnessRun.In> js = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      js.add(
          run.request(
              DispatcherFixture.request("req-job-" + i, "job-" + i, "", "client", now)
                  .setUrl("")
                  .setJob(
                      JobRequirements.newBuilder()
                          .setRequiredTags(List.of("gpu"))
                          .setMinCpuCores(4)
                          .build())
                  .build()));
      now += 1;
    }
    long jobNs = run.pipe(js);
    System.out.printf(
        "first download (seed choice over %,d hosts): %9.1f us/request %s%n"
            + "job request (placement over %,d hosts):      %9.1f us/request %s%n",
        hostCount,
        firstNs / 1e3 / Math.max(1, firstDownloads),
        firstOutcomes,
        hostCount,
        jobNs / 1e3 / Math.max(1, jobs),
        run.outcomes);
  }

  /** Every decision goes into the digest, in order. */
  private static void record(ScheduleDecision d) {
    DECISIONS.update(d.toString().getBytes(StandardCharsets.UTF_8));
    if (DUMP != null) DUMP.println(d);
    decisionCount++;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class NoOp
      implements org.apache.kafka.streams.processor.api.Processor<String, PeerEvent, Void, Void> {
    @Override
    public void process(org.apache.kafka.streams.processor.api.Record<String, PeerEvent> record) {}
  }

  /**
   * The floor: the same piping into a topology whose processor does nothing (TopologyTestDriver +
   * Avro decode).
   */
  private static void floor(int events) throws Exception {
    Map<String, String> serdeConfig = Map.of("schema.registry.url", "mock://harness-floor");
    Serde<PeerEvent> serde = SpecificAvroSerde.of(PeerEvent.class, serdeConfig);
    Topology t = new Topology();
    t.addSource(
        "src",
        new org.apache.kafka.common.serialization.StringDeserializer(),
        serde.deserializer(),
        Topics.PEER_EVENTS.name());
    t.addProcessor("noop", NoOp::new, "src");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "floor");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(
        StreamsConfig.STATE_DIR_CONFIG,
        java.nio.file.Files.createTempDirectory("floor").toString());
    try (TopologyTestDriver d = new TopologyTestDriver(t, props)) {
      TestInputTopic<String, byte[]> in =
          d.createInputTopic(
              Topics.PEER_EVENTS.name(), new StringSerializer(), new ByteArraySerializer());
      List<byte[]> values = new ArrayList<>();
      for (int i = 0; i < events; i++) {
        values.add(
            serde
                .serializer()
                .serialize(
                    Topics.PEER_EVENTS.name(),
                    PeerEvent.newBuilder()
                        .setEventId("e" + i)
                        .setTaskId("t")
                        .setPeerId("p" + i)
                        .setHostId("h")
                        .setType(PeerEventType.RUNNING)
                        .setTimestamp(Instant.ofEpochMilli(T0 + i))
                        .build()));
      }
      long c0 = cpu();
      for (int i = 0; i < events; i++) in.pipeInput("t", values.get(i), T0 + i);
      System.out.printf(
          "floor (TopologyTestDriver + Avro decode, no-op processor): %.1f us/event%n",
          (cpu() - c0) / 1e3 / events);
    }
  }

  private static String task(int size, int t) {
    return "task-" + size + "-" + t;
  }

  private static String hostId(int i) {
    return String.format("host-%06d", i);
  }

  static long cpu() {
    return CPU.getCurrentThreadCpuTime();
  }
}
