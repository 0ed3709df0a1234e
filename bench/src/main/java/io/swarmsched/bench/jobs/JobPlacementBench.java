package io.swarmsched.bench.jobs;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Benchmark;
import io.swarmsched.bench.Charts;
import io.swarmsched.bench.DecisionConsumer;
import io.swarmsched.bench.GroupProgress;
import io.swarmsched.bench.Latencies;
import io.swarmsched.bench.Measurement;
import io.swarmsched.bench.Pacer;
import io.swarmsched.bench.Records;
import io.swarmsched.bench.ServiceSettings;
import io.swarmsched.bench.baseline.BrokerBaseline;
import io.swarmsched.bench.dispatcher.DispatcherBench;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Worker pools (issue 15): job placement throughput and submit-to-ASSIGNED latency through the
 * broker, with 10,000 workers, beside a plain consume-and-produce loop of the same job events on
 * the same broker in the same run.
 *
 * <p>Workers: 10,000 host records on {@code swarm.hosts.v1} as heartbeat-ingest publishes them
 * (ONLINE, {@code max_tasks} 4, no running tasks, tags {@value #POOL_TAG} plus {@code gpu} on every
 * tenth or {@code cpu}); host ids {@code host-010000} to {@code host-099999}, which the dispatcher
 * benchmark may have left, are deleted so that only these workers are in the pool.
 *
 * <p>Jobs: SUBMITTED {@code JobEvent}s on {@code swarm.job-events.v1}, keyed by job id, exactly the
 * record {@code POST /api/v1/jobs} produces (requiring {@value #POOL_TAG}, a small payload); the
 * HTTP layer in front of it is not measured. A dispatcher started in-process from {@link
 * DispatcherApp} (exactly-once-v2, commit interval 100 ms) places them; the ASSIGNED decisions are
 * read with {@code read_committed} from {@code swarm.decisions.v1}, as a worker's agent reads them.
 * Nothing reports the jobs finished, so every placement holds a slot: the phases together stay
 * under the pool's 40,000 slots and no job queues.
 *
 * <p>Phases: a warm-up (not reported), a burst of N jobs sent as fast as the producer goes, and a
 * steady rate of half what the burst achieved. Throughout, the placements per worker are checked
 * against {@code max_tasks}.
 */
public final class JobPlacementBench implements Benchmark {
  public static final String NAME = "job-placement";

  /** Plain consume-and-produce of SUBMITTED job events, one partition to one, this run. */
  public static final String PIPE_KEY = "jobs.pipe.JobEvent";

  static final int WORKERS = 10_000;
  static final int MAX_TASKS = 4;
  static final String POOL_TAG = "bench-pool";

  /** Host ids the dispatcher benchmark uses (Records.hostId(0..99,999)). */
  private static final int OTHER_HOSTS = 100_000;

  private static final int WARMUP = 500;
  private static final byte[] PAYLOAD =
      "sha256sum me: 0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "job placement through the broker with 10,000 workers (burst and steady rate), beside"
        + " plain consume-and-produce";
  }

  @Override
  public BenchResult run(BenchContext ctx) throws Exception {
    BenchResult result = BenchResult.of(this);
    int burst = burst(ctx.quick());
    int maxRate = maxRate(ctx.quick());
    Duration steady = steady(ctx.quick());
    Duration drain = ctx.pick(Duration.ofSeconds(45), Duration.ofSeconds(90));
    if (!fitsThePool(burst, maxRate, steady)) {
      throw new IllegalStateException("the phases would fill the pool; jobs would queue");
    }

    // the baseline: the same serialized job events through a plain loop, one partition to one
    // (the pool reads the one partition of swarm.job-events.v1)
    long pipeCount = ctx.pick(60_000L, 200_000L);
    String source = ctx.newTopic("jobs-baseline", 1);
    produceBaselineEvents(ctx, source, pipeCount);
    BrokerBaseline.Rate pipe =
        BrokerBaseline.pipe(
            ctx, source, 1, pipeCount, ctx.pick(Duration.ofSeconds(6), Duration.ofSeconds(15)));
    ctx.progress(
        "plain consume-and-produce of SUBMITTED job events (1 partition): %,d in %.2f s = %,.0f/s",
        pipe.records(), pipe.seconds(), pipe.perSec());
    ctx.putBaseline(PIPE_KEY, pipe.perSec());
    result.add(
        Measurement.of(
            "plain consume-and-produce, SUBMITTED job events, 1 partition (no processing)",
            pipe.perSec(),
            "records/s"));

    GroupProgress.truncate(ctx, DispatcherBench.STREAM_INPUTS);
    publishWorkers(ctx);
    ctx.progress("%,d workers published (max_tasks %d, tag %s)", WORKERS, MAX_TASKS, POOL_TAG);

    String appId = "bench-jobs-" + System.currentTimeMillis();
    Path state = ctx.newDir("dispatcher-jobs-state");
    Map<String, Integer> perWorker = new HashMap<>();
    Map<String, Latencies> curves = new LinkedHashMap<>();
    double burstRate;
    try (DispatcherApp app =
            DispatcherApp.start(
                ServiceSettings.of(
                    ctx, state, Map.of(), Map.of(DispatcherConfig.APPLICATION_ID, appId)));
        DecisionReader reader = new DecisionReader(ctx);
        Submitter submit = new Submitter(ctx)) {
      app.awaitRunning(Duration.ofSeconds(120));
      ctx.progress("dispatcher running; warm-up of %d jobs", WARMUP);

      Placements warm = submit.burst(reader, "warm", WARMUP);
      await(ctx, warm, "warm-up", drain);
      if (warm.missing() > 0) {
        return BenchResult.failed(
            this,
            String.format(
                "%d of %d warm-up jobs got no ASSIGNED decision in %d s (outcomes %s)",
                warm.missing(), WARMUP, drain.toSeconds(), warm.outcomes()));
      }
      merge(perWorker, warm);

      Placements b = submit.burst(reader, "burst", burst);
      await(ctx, b, "burst of " + burst, drain);
      merge(perWorker, b);
      String burstLabel = String.format("burst of %,d jobs", burst);
      report(ctx, result, burstLabel, b);
      result.add(
          ctx.against(
              String.format("placements/s, burst of %,d jobs, %,d workers", burst, WORKERS),
              b.perSec(),
              "placements/s",
              PIPE_KEY));
      curves.put(burstLabel, b.latencies());
      burstRate = b.perSec();

      int rate = steadyRate(b.perSec(), maxRate);
      int steadyCount = (int) (rate * steady.toSeconds());
      ctx.progress("steady: %,d jobs/s (half the burst's rate) for %d s", rate, steady.toSeconds());
      Placements s = submit.steady(reader, "steady", rate, steadyCount);
      await(ctx, s, rate + " jobs/s", drain);
      merge(perWorker, s);
      String steadyLabel = String.format("%,d jobs/s for %d s", rate, steady.toSeconds());
      report(ctx, result, steadyLabel, s);
      result.add(
          Measurement.of(
              String.format("achieved placements/s at %,d jobs/s offered", rate),
              s.perSec(),
              "placements/s"));
      curves.put(steadyLabel, s.latencies());
    }

    int most = perWorker.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    long over = perWorker.values().stream().filter(n -> n > MAX_TASKS).count();
    ctx.progress(
        "capacity: %,d workers used, at most %d jobs on one worker (max_tasks %d), %d over",
        perWorker.size(), most, MAX_TASKS, over);
    result.add(Measurement.of("workers over max_tasks (all phases)", over, "workers"));
    if (over > 0) {
      result.note(
          over + " workers got more jobs than their max_tasks: the capacity invariant broke");
    }
    result.chart(
        Charts.latencyDistribution(
            ctx,
            "jobs-latency",
            "job submit→ASSIGNED latency, 10,000 workers (read_committed)",
            curves));
    Map<String, List<Double>> bars = new LinkedHashMap<>(); // legend in this order
    bars.put("placements/s (dispatcher, EOS-v2)", List.of(burstRate));
    bars.put("plain consume-and-produce (same run)", List.of(pipe.perSec()));
    result.chart(
        Charts.bars(
            ctx,
            "jobs-throughput",
            "job placements/s vs plain consume-and-produce of the same events",
            "records/s",
            List.of(String.format("burst of %,d jobs", burst)),
            bars));
    result.note(
        "Jobs are SUBMITTED JobEvents produced to swarm.job-events.v1 (one partition), the record"
            + " POST /api/v1/jobs writes; the pool places each on the least-loaded ONLINE worker"
            + " with the required tag. Latency = ASSIGNED decision read (read_committed) − send,"
            + " same JVM clock; under exactly-once-v2 a decision is visible when its transaction"
            + " commits (commit.interval.ms=100), which bounds it from below. Placements/s = jobs"
            + " placed / (last placement read − first send). No job finishes, so no slot is"
            + " released and nothing queues.");
    return result;
  }

  /** The burst: one job per worker (quick), then two. */
  static int burst(boolean quick) {
    return quick ? 10_000 : 20_000;
  }

  /** The steady phase's highest offered rate. */
  static int maxRate(boolean quick) {
    return quick ? 1_000 : 2_000;
  }

  /**
   * The steady phase's length: at most 8 s in a full run, so that warm-up, burst and steady phase
   * (500 + 20,000 + 16,000 jobs) stay within the pool's 40,000 slots (12 s did not: the full run
   * failed before it started).
   */
  static Duration steady(boolean quick) {
    return Duration.ofSeconds(quick ? 5 : 8);
  }

  /** Whether every job of the phases gets a free slot (nothing reports a job finished). */
  static boolean fitsThePool(int burst, int maxRate, Duration steady) {
    return WARMUP + burst + (long) maxRate * steady.toSeconds() <= (long) WORKERS * MAX_TASKS;
  }

  /**
   * The steady phase's offered rate: half of what the burst achieved (so the phase measures latency
   * under a load the pool sustains, not a second backlog), a multiple of 10, at least 10, at most
   * {@code max} (the pool's slots bound the jobs a run can place).
   */
  static int steadyRate(double burstPerSec, int max) {
    int half = (int) (burstPerSec / 2 / 10) * 10;
    return Math.max(10, Math.min(max, half));
  }

  private static void merge(Map<String, Integer> into, Placements p) {
    p.perWorker().forEach((w, n) -> into.merge(w, n, Integer::sum));
  }

  /** Waits, with progress, until every job of the phase is placed or the deadline passes. */
  private static void await(BenchContext ctx, Placements p, String label, Duration drain)
      throws InterruptedException {
    long deadline = System.nanoTime() + drain.toNanos();
    long nextPrint = System.nanoTime() + 2_000_000_000L;
    while (p.missing() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
      if (System.nanoTime() > nextPrint) {
        ctx.progress("%s: %,d of %,d placed", label, p.placed(), p.submitted());
        nextPrint += 2_000_000_000L;
      }
    }
  }

  private static void report(BenchContext ctx, BenchResult result, String label, Placements p) {
    Latencies lat = p.latencies();
    ctx.progress(
        "%s: %,d of %,d placed in %.2f s = %,.0f placements/s; p50 %.1f ms, p99 %.1f ms, p99.9"
            + " %.1f ms; %,d workers used, at most %d on one; outcomes %s",
        label,
        p.placed(),
        p.submitted(),
        p.seconds(),
        p.perSec(),
        lat.millisAt(0.5),
        lat.millisAt(0.99),
        lat.millisAt(0.999),
        p.workersUsed(),
        p.mostOnOneWorker(),
        p.outcomes());
    result.add(
        ctx.against(
            "submit→ASSIGNED p50, " + label, lat.millisAt(0.5), "ms", BrokerBaseline.E2E_P50));
    result.add(
        ctx.against(
            "submit→ASSIGNED p99, " + label, lat.millisAt(0.99), "ms", BrokerBaseline.E2E_P99));
    result.add(Measurement.of("workers used, " + label, p.workersUsed(), "workers"));
    if (p.missing() > 0) {
      result.note(
          String.format(
              "%s: %d of %d jobs got no ASSIGNED decision before the deadline; the rate is over"
                  + " those placed (outcomes %s)",
              label, p.missing(), p.submitted(), p.outcomes()));
    }
    if (p.duplicates() > 0) {
      result.note(label + ": " + p.duplicates() + " jobs were ASSIGNED twice");
    }
    result.data(label, Map.of("latency", lat.summary(), "outcomes", p.outcomes().toString()));
  }

  /** A SUBMITTED event as {@code POST /api/v1/jobs} writes it. */
  static JobEvent submission(String jobId, Instant now) {
    return JobEvent.newBuilder()
        .setEventId("bench/" + jobId)
        .setJobId(jobId)
        .setAttempt(0)
        .setType(JobEventType.SUBMITTED)
        .setTimestamp(now)
        .setRequestId("job/" + jobId)
        .setRequesterHostId("bench")
        .setPriority(0)
        .setJob(
            JobRequirements.newBuilder()
                .setRequiredTags(List.of(POOL_TAG))
                .setPayload(ByteBuffer.wrap(PAYLOAD))
                .build())
        .build();
  }

  private static void produceBaselineEvents(BenchContext ctx, String topic, long count) {
    SpecificAvroSerializer<JobEvent> serializer = ctx.serializer();
    Instant now = Instant.now();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ctx.producerProps())) {
      for (long i = 0; i < count; i++) {
        String id = "baseline-job-" + i;
        producer.send(
            new ProducerRecord<>(topic, id, serializer.serialize(topic, submission(id, now))));
      }
      producer.flush();
    }
    serializer.close();
  }

  /**
   * The workers as heartbeat-ingest publishes them, and tombstones for the dispatcher benchmark's
   * other host ids, so that the pool holds exactly these 10,000.
   */
  private static void publishWorkers(BenchContext ctx) {
    SpecificAvroSerializer<HostState> serializer = ctx.serializer();
    SplittableRandom rnd = new SplittableRandom(15);
    Instant now = Instant.now();
    String topic = Topics.HOSTS.name();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ctx.producerProps())) {
      for (int i = 0; i < OTHER_HOSTS; i++) {
        if (i >= WORKERS) {
          producer.send(new ProducerRecord<>(topic, Records.hostId(i), null));
          continue;
        }
        HostState base = Records.hostState(i, 1, now, rnd);
        HostState worker =
            HostState.newBuilder(base)
                .setType(HostType.NORMAL)
                .setTags(List.of(POOL_TAG, i % 10 == 0 ? "gpu" : "cpu"))
                .setCapacity(
                    HostCapacity.newBuilder(base.getCapacity()).setMaxTasks(MAX_TASKS).build())
                .setLoad(HostLoad.newBuilder(base.getLoad()).setRunningTasks(0).build())
                .build();
        producer.send(
            new ProducerRecord<>(topic, worker.getHostId(), serializer.serialize(topic, worker)));
      }
      producer.flush();
    }
    serializer.close();
  }

  /** Sends SUBMITTED events, recording each job's send time in its phase's tally. */
  private static final class Submitter implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final SpecificAvroSerializer<JobEvent> serializer;
    private final String topic = Topics.JOB_EVENTS.name();
    private final String run = Long.toString(System.currentTimeMillis(), 36);

    Submitter(BenchContext ctx) {
      Map<String, Object> props = ctx.producerProps();
      // as the dispatcher's HTTP API sends a submission: at once, not lingering for a batch
      props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
      producer = new KafkaProducer<>(props);
      serializer = ctx.serializer();
    }

    /**
     * {@code count} jobs as fast as the producer takes them; serialized before the first is sent,
     * so the burst is not paced by Avro.
     */
    Placements burst(DecisionReader reader, String phase, int count) {
      Instant now = Instant.now();
      List<String> ids = new ArrayList<>(count);
      List<byte[]> values = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        String id = run + "-" + phase + "-" + i;
        ids.add(id);
        values.add(serializer.serialize(topic, submission(id, now)));
      }
      Placements p = new Placements();
      reader.begin(p);
      for (int i = 0; i < count; i++) {
        p.submitted(ids.get(i), System.nanoTime());
        producer.send(new ProducerRecord<>(topic, ids.get(i), values.get(i)));
      }
      producer.flush();
      return p;
    }

    /** {@code count} jobs at {@code rate} per second (open loop: late sends do not slow it). */
    Placements steady(DecisionReader reader, String phase, int rate, int count) {
      Placements p = new Placements();
      reader.begin(p);
      Pacer pacer = new Pacer(rate);
      for (int i = 0; i < count; i++) {
        pacer.awaitTurn(i);
        String id = run + "-" + phase + "-" + i;
        byte[] value = serializer.serialize(topic, submission(id, Instant.now()));
        p.submitted(id, System.nanoTime());
        producer.send(new ProducerRecord<>(topic, id, value));
      }
      producer.flush();
      return p;
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(10));
      serializer.close();
    }
  }

  /** Reads decisions (read_committed) from the end of the topic into the current phase's tally. */
  private static final class DecisionReader implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;
    private volatile Placements phase;

    DecisionReader(BenchContext ctx) throws Exception {
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
                      Placements p = phase;
                      if (d != null && p != null) {
                        p.decided(d.getTaskId(), d.getOutcome(), d.getTargetHostId(), now);
                      }
                    }
                  }
                }
              },
              "bench-job-decision-reader");
      thread.setDaemon(true);
      thread.start();
    }

    void begin(Placements p) {
      phase = p;
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(10_000);
    }
  }
}
