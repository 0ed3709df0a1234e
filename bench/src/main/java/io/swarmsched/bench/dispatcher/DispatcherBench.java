package io.swarmsched.bench.dispatcher;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Benchmark;
import io.swarmsched.bench.Charts;
import io.swarmsched.bench.DecisionConsumer;
import io.swarmsched.bench.GroupProgress;
import io.swarmsched.bench.Latencies;
import io.swarmsched.bench.Measurement;
import io.swarmsched.bench.Pacer;
import io.swarmsched.bench.ProcessStats;
import io.swarmsched.bench.Records;
import io.swarmsched.bench.ServiceSettings;
import io.swarmsched.bench.baseline.BrokerBaseline;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.ScoreWindow;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Benchmark 4: request-to-decision latency of the dispatcher (started in-process from {@link
 * DispatcherApp}, exactly-once-v2 as it defaults to) at fixed request rates, for tasks of 10 to
 * 1,000 peers with 10,000 and 100,000 hosts in the host table, and the highest rate it sustains (a
 * burst drained as fast as it goes), beside Kafka's one-hop latency of the same run.
 *
 * <p>Hosts: every host has a HostState and a HostScore, as heartbeat-ingest and scoring-streams
 * would publish.
 *
 * <p>Workload: every task is pre-populated with P peers that report SUCCEEDED (peer events), on
 * random online hosts; every phase has its own tasks (at least 2 per phase in --quick, 5 in the
 * full run, more where needed so that no task grows past twice its size in the phase); each request
 * comes from a new peer of one of them, round robin, and is answered with PARENTS. Decisions are
 * read with {@code read_committed}, as an agent reads them, and like an agent the reader reports
 * the peer RUNNING once its decision (PARENTS or BACK_TO_SOURCE) arrives, so that later requests
 * can get it as a parent: the tasks grow as swarms do, and parents' upload slots are not exhausted
 * by peers that never serve. Each phase also counts the decisions that took more than one round
 * (retries).
 */
public final class DispatcherBench implements Benchmark {
  /**
   * The topics a dispatcher reads as streams (not as tables) from the start when its application id
   * is new: a benchmark deletes their records before it starts one, or its dispatcher would first
   * work through what earlier benchmarks of the run left there (the services benchmark leaves
   * hundreds of thousands of piece events) while it is measured. The host, score and host-key
   * tables are the benchmark's own input and are kept. {@code DispatcherInputsTest} checks this
   * list against the dispatcher's topology.
   */
  public static final List<String> STREAM_INPUTS =
      List.of(
          Topics.SCHEDULE_REQUESTS.name(),
          Topics.PEER_EVENTS.name(),
          Topics.PIECE_EVENTS.name(),
          Topics.JOB_EVENTS.name());

  public static final String NAME = "dispatcher";
  public static final String RSS_KEY = "dispatcher.rss_mib";
  public static final String STATE_KEY = "dispatcher.state_mib";
  private static final int MAX_HOSTS = 100_000;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "dispatcher request-to-decision latency at fixed rates and highest sustained rate, 10k/100k hosts";
  }

  @Override
  public BenchResult run(BenchContext ctx) throws Exception {
    BenchResult result = BenchResult.of(this);
    // -Dbench.dispatcher.hosts=10000 (and .sizes, .rates, .burst) narrow a run for experiments,
    // e.g. one phase at 1,000/s and one burst per commit interval
    List<Integer> hostCounts =
        ints("bench.dispatcher.hosts", ctx.pick(List.of(10_000), List.of(10_000, 100_000)));
    List<Integer> sizes =
        ints("bench.dispatcher.sizes", ctx.pick(List.of(10, 1000), List.of(10, 100, 1000)));
    List<Integer> rates =
        ints("bench.dispatcher.rates", ctx.pick(List.of(100), List.of(100, 300, 1000)));
    Duration phase = ctx.pick(Duration.ofSeconds(5), Duration.ofSeconds(10));
    Duration drain =
        ctx.pick(Duration.ofSeconds(15), Duration.ofSeconds(15)); // after each phase's last request
    int burst = ints("bench.dispatcher.burst", List.of(ctx.pick(1_000, 10_000))).get(0);
    int minTasksPerPhase = ctx.pick(2, 5);
    Map<String, Latencies> curves = new LinkedHashMap<>();
    Map<String, double[][]> offeredVsAchieved = new LinkedHashMap<>();
    for (int hosts : hostCounts) {
      GroupProgress.truncate(ctx, STREAM_INPUTS);
      publishHosts(ctx, hosts);
      String appId = "bench-dispatcher-" + hosts;
      Path state = ctx.newDir("dispatcher-state");
      Map<String, String> values = Map.of(DispatcherConfig.APPLICATION_ID, appId);
      try (DispatcherApp app =
              DispatcherApp.start(ServiceSettings.of(ctx, state, Map.of(), values));
          DecisionReader reader = new DecisionReader(ctx)) {
        app.awaitRunning(Duration.ofSeconds(120));
        Map<TopicPartition, Long> before = Map.of();
        List<Plan> plans = new ArrayList<>();
        for (int size : sizes) {
          for (int rate : rates) {
            plans.add(
                Plan.of(
                    "d" + size + "r" + rate,
                    size,
                    rate,
                    (int) (rate * phase.toSeconds()),
                    minTasksPerPhase));
          }
        }
        List<Plan> burstPlans = burstPlans(sizes, burst, minTasksPerPhase);
        List<Plan> all = new ArrayList<>(plans);
        all.addAll(burstPlans);
        int taskCount = publishPeers(ctx, hosts, all);
        GroupProgress.Drain loaded =
            GroupProgress.awaitCaughtUp(
                ctx,
                appId,
                List.of(Topics.PEER_EVENTS.name()),
                before,
                ctx.pick(Duration.ofSeconds(45), Duration.ofSeconds(120)),
                "dispatcher peer events");
        ctx.progress(
            "dispatcher up with %,d hosts and %,d tasks of %s peers (peer events %.0f/s%s)",
            hosts, taskCount, sizes, loaded.perSec(), loaded.caughtUp() ? "" : ", NOT all loaded");
        result.add(
            Measurement.of(
                String.format(
                    "peer events loaded/s (tasks of up to %d peers, %,d hosts)",
                    sizes.get(sizes.size() - 1), hosts),
                loaded.perSec(),
                "records/s"));
        if (!loaded.caughtUp()) {
          result.note(
              String.format(
                  "%,d hosts: only %d of %d peer events were processed before the requests began",
                  hosts, loaded.records(), loaded.total()));
        }
        Map<Integer, List<double[]>> points =
            new LinkedHashMap<>(); // per task size: (offered, achieved)
        Duration settle = ctx.pick(Duration.ofSeconds(30), Duration.ofSeconds(90));
        try (Requests requests = new Requests(ctx, appId, hosts, drain, settle)) {
          for (Plan plan : plans) {
            String label =
                String.format("%,d hosts, %d peers, %d req/s", hosts, plan.size(), plan.rate());
            Phase p = requests.run(reader, plan);
            curves.put(label, p.latencies);
            points
                .computeIfAbsent(plan.size(), k -> new ArrayList<>())
                .add(new double[] {plan.rate(), p.achieved()});
            report(ctx, result, label, p);
          }
          for (Plan burstPlan : burstPlans) {
            Phase max = requests.run(reader, burstPlan);
            ctx.progress(
                "burst of %d requests (%d-peer tasks): %.0f decisions/s%s",
                burstPlan.count(),
                burstPlan.size(),
                max.achieved(),
                max.missing > 0 ? ", " + max.missing + " without decision by the deadline" : "");
            result.add(
                Measurement.of(
                    burstName(burstPlan.count(), burstPlan.size(), hosts),
                    max.achieved(),
                    "decisions/s"));
            result.add(
                ctx.against(
                    burstPlan.size() == sizes.get(0)
                        ? String.format("burst p50 (%,d hosts)", hosts)
                        : String.format(
                            "burst p50 (%d-peer tasks, %,d hosts)", burstPlan.size(), hosts),
                    max.latencies.millisAt(0.5),
                    "ms",
                    BrokerBaseline.E2E_P50));
            if (max.missing > 0) {
              result.note(
                  String.format(
                      "burst on %d-peer tasks, %,d hosts: %d of %d requests got no decision before "
                          + "the deadline; the rate is over the decisions that came",
                      burstPlan.size(), hosts, max.missing, burstPlan.count()));
            }
          }
        }
        points.forEach(
            (size, list) -> {
              double[][] xy = new double[2][list.size()];
              for (int i = 0; i < list.size(); i++) {
                xy[0][i] = list.get(i)[0];
                xy[1][i] = list.get(i)[1];
              }
              offeredVsAchieved.put(String.format("%,d hosts, %d-peer tasks", hosts, size), xy);
            });
        long rss = ProcessStats.rssBytes(ProcessStats.selfPid()).orElse(0);
        long stateBytes = ProcessStats.directorySize(state);
        result.add(
            Measurement.of(
                String.format("harness JVM RSS with dispatcher, %,d hosts", hosts),
                ProcessStats.mib(rss),
                "MiB"));
        result.add(
            Measurement.of(
                String.format(
                    "dispatcher state on disk (RocksDB + global tables), %,d hosts", hosts),
                ProcessStats.mib(stateBytes),
                "MiB"));
        ctx.putBaseline(RSS_KEY, ProcessStats.mib(rss));
        ctx.putBaseline(STATE_KEY, ProcessStats.mib(stateBytes));
      }
    }
    result.chart(
        Charts.latencyDistribution(
            ctx, "dispatcher-latency", "dispatcher request→decision latency", curves));
    result.chart(
        Charts.throughputVsOffered(
            ctx,
            "dispatcher-throughput",
            "dispatcher decisions/s vs offered requests/s",
            "req/s",
            offeredVsAchieved));
    result.note(
        "Latency = decision read (read_committed) − request send, same JVM clock. Under exactly-once-v2 a "
            + "decision becomes visible when its transaction commits (commit.interval.ms=100 here), which bounds the "
            + "latency from below; the broker's one-hop latency is the other floor.");
    return result;
  }

  /**
   * The bursts: one on the smallest tasks and one on the largest (issue 17 asks for both 10-peer
   * and 1,000-peer figures). The large-task burst is a fifth of the small one in the full run (at
   * today's ~250 decisions/s, 10,000 requests would outlast every drain deadline) and the same in
   * {@code --quick}.
   */
  /** The comma-separated positive integers of system property {@code key}, else {@code dflt}. */
  static List<Integer> ints(String key, List<Integer> dflt) {
    String v = System.getProperty(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    List<Integer> out = new ArrayList<>();
    for (String part : v.split(",")) {
      int n;
      try {
        n = Integer.parseInt(part.strip());
      } catch (NumberFormatException e) {
        n = 0;
      }
      if (n < 1) {
        throw new IllegalArgumentException(
            key + " must be positive integers separated by commas, was \"" + v + "\"");
      }
      out.add(n);
    }
    return List.copyOf(out);
  }

  static List<Plan> burstPlans(List<Integer> sizes, int burst, int minTasks) {
    List<Plan> plans = new ArrayList<>();
    int small = sizes.get(0);
    plans.add(Plan.of("d" + small + "burst", small, Integer.MAX_VALUE, burst, minTasks));
    int large = sizes.get(sizes.size() - 1);
    if (large != small) {
      int count = burst > 1_000 ? burst / 5 : burst;
      plans.add(Plan.of("d" + large + "burst", large, Integer.MAX_VALUE, count, minTasks));
    }
    return plans;
  }

  /** The measurement's name; its form is what readers of results.json match on. */
  public static String burstName(int burst, int peers, int hosts) {
    return String.format(
        "highest sustained rate (burst of %d, %d-peer tasks, %,d hosts)", burst, peers, hosts);
  }

  private static void report(BenchContext ctx, BenchResult result, String label, Phase p) {
    ctx.progress(
        "%s: achieved %.0f/s, p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, outcomes %s, %d after retries%s",
        label,
        p.achieved(),
        p.latencies.millisAt(0.5),
        p.latencies.millisAt(0.99),
        p.latencies.millisAt(0.999),
        p.outcomes,
        p.retried,
        p.missing > 0 ? ", " + p.missing + " without decision" : "");
    result.add(
        ctx.against("p50, " + label, p.latencies.millisAt(0.5), "ms", BrokerBaseline.E2E_P50));
    result.add(
        ctx.against("p99, " + label, p.latencies.millisAt(0.99), "ms", BrokerBaseline.E2E_P99));
    // the floor of any exactly-once service at the dispatcher's commit interval (broker-baseline)
    long commitMs = ServiceSettings.commitIntervalMs();
    result.add(
        ctx.against(
            "p50 beside the exactly-once hop, " + label,
            p.latencies.millisAt(0.5),
            "ms",
            BrokerBaseline.eosKey(commitMs, "p50")));
    result.add(
        ctx.against(
            "p99 beside the exactly-once hop, " + label,
            p.latencies.millisAt(0.99),
            "ms",
            BrokerBaseline.eosKey(commitMs, "p99")));
    result.add(
        ctx.against("p99.9, " + label, p.latencies.millisAt(0.999), "ms", BrokerBaseline.E2E_P999));
    result.add(Measurement.of("achieved decisions/s, " + label, p.achieved(), "decisions/s"));
    result.add(Measurement.of("decisions after retries, " + label, p.retried, "decisions"));
    if (p.missing > 0) {
      result.note(
          label
              + ": "
              + p.missing
              + " requests got no decision before the phase's deadline"
              + (p.settled
                  ? " (the backlog was worked off before the next phase)"
                  : "; the backlog was NOT worked off in time, so the next phase inherits it"));
    }
    result.data(label, Map.of("latency", p.latencies.summary(), "outcomes", p.outcomes.toString()));
  }

  /**
   * HostStates of hosts 0..n-1 (all NORMAL and ONLINE, so no seed is triggered) and, as
   * scoring-streams would publish them, a HostScore for each; tombstones for the rest.
   */
  private static void publishHosts(BenchContext ctx, int n) {
    SpecificAvroSerializer<HostState> serializer = ctx.serializer();
    SpecificAvroSerializer<HostScore> scoreSerializer = ctx.serializer();
    SplittableRandom rnd = new SplittableRandom(n);
    Instant now = Instant.now();
    String topic = Topics.HOSTS.name();
    String scores = Topics.HOST_SCORES.name();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ctx.producerProps())) {
      for (int i = 0; i < MAX_HOSTS; i++) {
        if (i < n) {
          HostState s =
              HostState.newBuilder(Records.hostState(i, 1, now, rnd))
                  .setType(HostType.NORMAL)
                  .build();
          producer.send(new ProducerRecord<>(topic, s.getHostId(), serializer.serialize(topic, s)));
          HostScore score = score(s, now, rnd);
          producer.send(
              new ProducerRecord<>(
                  scores, s.getHostId(), scoreSerializer.serialize(scores, score)));
        } else {
          producer.send(new ProducerRecord<>(topic, Records.hostId(i), null));
          producer.send(new ProducerRecord<>(scores, Records.hostId(i), null));
        }
      }
      producer.flush();
    }
  }

  /**
   * A score with random parts, shaped as scoring-streams publishes it (LoadQuality = 0.5·peak +
   * 0.3·duration + 0.2·concurrency).
   */
  private static HostScore score(HostState s, Instant at, SplittableRandom rnd) {
    double peak = rnd.nextDouble();
    double duration = rnd.nextDouble();
    double concurrency = rnd.nextDouble();
    long maxTx = s.getCapacity().getMaxTxBytesPerSec();
    return HostScore.newBuilder()
        .setHostId(s.getHostId())
        .setLoadQuality(0.5 * peak + 0.3 * duration + 0.2 * concurrency)
        .setPeakBandwidthUsage(peak)
        .setBandwidthDurationRatio(duration)
        .setConcurrentEfficiency(concurrency)
        .setWindow(
            ScoreWindow.newBuilder()
                .setHorizonBuckets(60)
                .setPeakTxBytesPerSec((long) ((1 - peak) * maxTx))
                .setSaturatedBuckets((int) Math.round((1 - duration) * 60))
                .setConcurrentUploads(s.getLoad().getConcurrentUploads())
                .setMaxTxBytesPerSec(maxTx)
                .setWindowEnd(at)
                .build())
        .setComputedAt(at)
        .build();
  }

  /**
   * One phase's workload: its own tasks, each starting with {@code size} peers. Every request adds
   * a peer, so a phase spreads its requests over enough tasks that none grows past twice its size:
   * "tasks of P peers" means tasks of P to 2P peers throughout the phase, not tasks that kept
   * growing through the earlier phases.
   */
  record Plan(String prefix, int size, int rate, int count, int tasks) {
    static Plan of(String prefix, int size, int rate, int count, int minTasks) {
      return new Plan(prefix, size, rate, count, Math.max(minTasks, (count + size - 1) / size));
    }

    String task(int t) {
      return prefix + "-" + Records.taskId(t);
    }
  }

  /**
   * Each plan's tasks with their P peers, all SUCCEEDED, so requests are answered with parents
   * chosen among them. Returns the number of tasks.
   */
  private static int publishPeers(BenchContext ctx, int hosts, List<Plan> plans) {
    int tasks = 0;
    SpecificAvroSerializer<PeerEvent> serializer = ctx.serializer();
    SplittableRandom rnd = new SplittableRandom(99);
    String topic = Topics.PEER_EVENTS.name();
    Instant now = Instant.now();
    long seq = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ctx.producerProps())) {
      for (Plan plan : plans) {
        for (int t = 0; t < plan.tasks(); t++) {
          String task = plan.task(t);
          tasks++;
          for (int p = 0; p < plan.size(); p++) {
            PeerEvent e =
                PeerEvent.newBuilder()
                    .setEventId("bench-pe-" + (seq++))
                    .setTaskId(task)
                    .setPeerId(task + "-seeder-" + p)
                    .setHostId(Records.hostId(rnd.nextInt(hosts)))
                    .setType(PeerEventType.SUCCEEDED)
                    .setPiecesFinished(64)
                    .setPieceCount(64)
                    .setContentLength(64L * 4 * Records.MIB)
                    .setReason(null)
                    .setTimestamp(now)
                    .build();
            producer.send(new ProducerRecord<>(topic, task, serializer.serialize(topic, e)));
          }
        }
      }
      producer.flush();
    }
    return tasks;
  }

  /** One phase: its latencies, outcomes, and the rate decisions came back at. */
  static final class Phase {
    final Latencies latencies = new Latencies();
    final Map<DecisionOutcome, Integer> outcomes = new EnumMap<>(DecisionOutcome.class);
    long decided;
    long retried;
    boolean settled = true;
    long missing;
    double seconds;

    double achieved() {
      return seconds <= 0 ? 0 : decided / seconds;
    }
  }

  /** Sends requests at a fixed rate and matches their decisions. */
  private static final class Requests implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final SpecificAvroSerializer<ScheduleRequest> serializer;
    private final int hosts;
    private final Duration drain;
    private final Duration settle;
    private final BenchContext ctx;
    private final String appId;
    private final SplittableRandom rnd = new SplittableRandom(5);
    private long seq;

    Requests(BenchContext ctx, String appId, int hosts, Duration drain, Duration settle) {
      this.ctx = ctx;
      this.appId = appId;
      this.drain = drain;
      this.settle = settle;
      Map<String, Object> props = ctx.producerProps();
      props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      this.producer = new KafkaProducer<>(props);
      this.serializer = ctx.serializer();
      this.hosts = hosts;
    }

    Phase run(DecisionReader reader, Plan plan) throws InterruptedException {
      int rate = plan.rate();
      int count = plan.count();
      Phase phase = new Phase();
      reader.begin(phase);
      String topic = Topics.SCHEDULE_REQUESTS.name();
      Pacer pacer = rate == Integer.MAX_VALUE ? null : new Pacer(rate);
      long t0 = System.nanoTime();
      for (int i = 0; i < count; i++) {
        if (pacer != null) {
          pacer.awaitTurn(i);
        }
        int t = i % plan.tasks();
        String task = plan.task(t);
        String requestId = "bench-req-" + (seq++);
        ScheduleRequest r =
            Records.scheduleRequest(requestId, t, 0, rnd.nextInt(hosts), Instant.now());
        r.setTaskId(task);
        r.setPeerId(task + "-" + requestId);
        byte[] value = serializer.serialize(topic, r);
        reader.expect(requestId, System.nanoTime());
        producer.send(new ProducerRecord<>(topic, task, value));
      }
      producer.flush();
      long deadline = System.nanoTime() + drain.toNanos();
      while (reader.pending() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      phase.missing = reader.pending();
      phase.seconds = (reader.lastDecisionNanos() - t0) / 1e9;
      reader.end();
      if (phase.missing > 0) {
        // Let the dispatcher work off this phase's backlog before the next one starts, so that no
        // phase
        // inherits another's queue (what it had not decided by the deadline is already counted as
        // missing).
        try {
          GroupProgress.Drain d =
              GroupProgress.awaitCaughtUp(
                  ctx,
                  appId,
                  List.of(Topics.SCHEDULE_REQUESTS.name()),
                  Map.of(),
                  settle,
                  "dispatcher backlog after the phase");
          phase.settled = d.caughtUp();
        } catch (Exception e) {
          throw new IllegalStateException(
              "could not read the dispatcher's progress: " + e.getMessage(), e);
        }
      }
      return phase;
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(10));
      serializer.close();
    }
  }

  /**
   * Reads decisions (read_committed) from the end of the topic and records each awaited request's
   * latency.
   */
  private static final class DecisionReader implements AutoCloseable {
    private final Map<String, Long> awaited = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong lastDecision = new AtomicLong();
    private final Thread thread;
    private volatile Phase phase;
    private final KafkaProducer<String, byte[]> agent;
    private final SpecificAvroSerializer<PeerEvent> peerEvents;
    private long agentSeq;

    DecisionReader(BenchContext ctx) throws Exception {
      Map<String, Object> agentProps = ctx.producerProps();
      agentProps.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      agent = new KafkaProducer<>(agentProps);
      peerEvents = ctx.serializer();
      KafkaConsumer<String, ScheduleDecision> consumer = DecisionConsumer.fromEnd(ctx);
      thread =
          new Thread(
              () -> {
                try (consumer) {
                  while (!stop.get()) {
                    for (ConsumerRecord<String, ScheduleDecision> r :
                        consumer.poll(Duration.ofMillis(50))) {
                      long now = System.nanoTime();
                      ScheduleDecision d = r.value();
                      if (d == null || d.getOutcome() == DecisionOutcome.SEED_TRIGGER) {
                        continue;
                      }
                      Long sent = awaited.remove(d.getRequestId());
                      Phase p = phase;
                      if (sent != null && p != null) {
                        p.latencies.recordNanos(now - sent);
                        synchronized (p) {
                          p.outcomes.merge(d.getOutcome(), 1, Integer::sum);
                          p.decided++;
                          if (d.getAttempt() > 1) p.retried++;
                        }
                        lastDecision.set(now);
                        reportRunning(d);
                      }
                    }
                  }
                }
              },
              "bench-decision-reader");
      thread.setDaemon(true);
      thread.start();
    }

    /**
     * What an agent does on its decision: starts downloading and says so, which makes it a possible
     * parent.
     */
    private void reportRunning(ScheduleDecision d) {
      if (d.getOutcome() != DecisionOutcome.PARENTS
          && d.getOutcome() != DecisionOutcome.BACK_TO_SOURCE) {
        return;
      }
      String topic = Topics.PEER_EVENTS.name();
      PeerEvent e =
          PeerEvent.newBuilder()
              .setEventId("bench-agent-" + (agentSeq++))
              .setTaskId(d.getTaskId())
              .setPeerId(d.getPeerId())
              .setHostId(d.getRequesterHostId())
              .setType(
                  d.getOutcome() == DecisionOutcome.PARENTS
                      ? PeerEventType.RUNNING
                      : PeerEventType.BACK_TO_SOURCE)
              .setPiecesFinished(1)
              .setPieceCount(64)
              .setContentLength(64L * 4 * Records.MIB)
              .setReason(null)
              .setTimestamp(Instant.now())
              .build();
      agent.send(new ProducerRecord<>(topic, d.getTaskId(), peerEvents.serialize(topic, e)));
    }

    void begin(Phase p) {
      awaited.clear();
      phase = p;
    }

    void expect(String requestId, long sentNanos) {
      awaited.put(requestId, sentNanos);
    }

    int pending() {
      return awaited.size();
    }

    long lastDecisionNanos() {
      return lastDecision.get();
    }

    void end() {
      phase = null;
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(10_000);
      agent.close(Duration.ofSeconds(10));
      peerEvents.close();
    }
  }
}
