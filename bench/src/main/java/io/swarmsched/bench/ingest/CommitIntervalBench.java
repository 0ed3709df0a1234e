package io.swarmsched.bench.ingest;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Benchmark;
import io.swarmsched.bench.Charts;
import io.swarmsched.bench.GroupProgress;
import io.swarmsched.bench.Latencies;
import io.swarmsched.bench.Pacer;
import io.swarmsched.bench.Records;
import io.swarmsched.bench.ServiceSettings;
import io.swarmsched.bench.baseline.BrokerBaseline;
import io.swarmsched.ingest.HeartbeatIngestApp;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The latency/throughput trade-off of {@code commit.interval.ms} (issue 17), measured on
 * heartbeat-ingest under exactly-once-v2: for each interval, (1) the rate at which it drains a
 * backlog of heartbeats of 10,000 hosts and (2) the heartbeat-to-host-state latency at a steady
 * 1,000 heartbeats/s, read as an agent-side reader would (read_committed: a host state is visible
 * when its transaction commits). Longer intervals mean fewer transactions per record (throughput)
 * and later visibility (latency).
 */
public final class CommitIntervalBench implements Benchmark {
  public static final String NAME = "commit-interval";
  private static final int HOSTS = 10_000;
  private static final int STEADY_RATE = 1_000;

  /**
   * The sequence number of the steady phase's first heartbeat of each host: after every one of the
   * drain's ({@code 1..drainRounds}), or ingest would drop them as replays.
   */
  static final long STEADY_FIRST_SEQ = 100;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "commit.interval.ms: heartbeat-ingest throughput and heartbeat-to-host-state latency (EOS-v2)";
  }

  /**
   * Heartbeats of each host in the backlog drained at each interval. The drain's rate is taken from
   * the first commit seen to the catching up, so the backlog must span many commits of the longest
   * interval: with 2 per host (20,000 records, the first version) a 1 s interval drained it in one
   * or two commits, and the rates measured the start-up and the interval itself rather than the
   * throughput (7,669-28,549/s with no order in the full run of 2026-12-08).
   */
  static int drainRounds(boolean quick) {
    return quick ? 18 : 40;
  }

  /** The intervals swept: a short list in {@code --quick}. */
  static List<Integer> intervals(boolean quick) {
    return quick ? List.of(50, 100, 500) : List.of(20, 50, 100, 200, 500, 1000);
  }

  @Override
  public BenchResult run(BenchContext ctx) throws Exception {
    BenchResult result = BenchResult.of(this);
    List<Integer> intervals = intervals(ctx.quick());
    Duration steady = ctx.pick(Duration.ofSeconds(4), Duration.ofSeconds(8));
    String topic = Topics.HOST_HEARTBEATS.name();
    double[][] rates = new double[2][intervals.size()];
    double[][] p50 = new double[2][intervals.size()];
    double[][] p99 = new double[2][intervals.size()];
    for (int i = 0; i < intervals.size(); i++) {
      int interval = intervals.get(i);
      GroupProgress.truncate(ctx, List.of(topic));
      Map<TopicPartition, Long> start = GroupProgress.endOffsets(ctx, List.of(topic));
      produce(ctx, topic, HOSTS, drainRounds(ctx.quick()), 1, 0);
      String appId = "bench-commit-" + interval;
      Map<String, String> values = new LinkedHashMap<>();
      values.put(IngestSettings.APPLICATION_ID, appId);
      values.put(CommonKeys.PROCESSING_GUARANTEE, CommonKeys.EXACTLY_ONCE_V2);
      values.put(CommonKeys.STREAMS_PREFIX + "commit.interval.ms", Integer.toString(interval));
      try (HeartbeatIngestApp app =
          HeartbeatIngestApp.start(
              ServiceSettings.of(
                  ctx, ctx.newDir("commit-state"), IngestSettings.SERVICE_DEFAULTS, values))) {
        GroupProgress.Drain d =
            GroupProgress.awaitCaughtUp(
                ctx,
                appId,
                List.of(topic),
                start,
                ctx.pick(Duration.ofSeconds(30), Duration.ofSeconds(60)),
                "ingest, commit.interval.ms=" + interval);
        Latencies lat = steadyLatency(ctx, topic, steady, interval);
        String label = "commit.interval.ms=" + interval;
        ctx.progress(
            "%s: drain %.0f heartbeats/s%s; at %d/s p50 %.1f ms, p99 %.1f ms (%d states read)",
            label,
            d.perSec(),
            d.caughtUp() ? "" : " (NOT caught up)",
            STEADY_RATE,
            lat.millisAt(0.5),
            lat.millisAt(0.99),
            lat.count());
        result.add(
            ctx.against(
                "ingest heartbeats/s (drain, 10,000 hosts), " + label,
                d.perSec(),
                "records/s",
                BrokerBaseline.PIPE));
        result.add(
            ctx.against(
                "heartbeat→host state p50 at 1,000/s, " + label,
                lat.millisAt(0.5),
                "ms",
                BrokerBaseline.E2E_P50));
        result.add(
            ctx.against(
                "heartbeat→host state p99 at 1,000/s, " + label,
                lat.millisAt(0.99),
                "ms",
                BrokerBaseline.E2E_P99));
        if (!d.caughtUp()) {
          result.note(label + ": the drain did not finish in time; its rate is over what it did");
        }
        if (d.includesStartup()) {
          result.note(
              label
                  + ": the first commit already covered more than a fifth of the backlog, so the"
                  + " drain's rate includes the start-up");
        }
        rates[0][i] = interval;
        rates[1][i] = d.perSec();
        p50[0][i] = interval;
        p50[1][i] = lat.millisAt(0.5);
        p99[0][i] = interval;
        p99[1][i] = lat.millisAt(0.99);
      }
    }
    result.chart(
        Charts.lines(
            ctx,
            "commit-interval-throughput",
            "heartbeat-ingest (EOS-v2) drain rate vs commit.interval.ms",
            "commit.interval.ms",
            "heartbeats/s",
            Map.of("drain rate, 10,000 hosts", rates)));
    Map<String, double[][]> latency = new LinkedHashMap<>();
    latency.put("p50", p50);
    latency.put("p99", p99);
    result.chart(
        Charts.lines(
            ctx,
            "commit-interval-latency",
            "heartbeat → host state (read_committed) at 1,000/s vs commit.interval.ms",
            "commit.interval.ms",
            "ms",
            latency));
    result.note(
        "Each interval runs a fresh heartbeat-ingest (in the harness JVM, exactly-once-v2): first it drains "
            + drainRounds(ctx.quick())
            + " heartbeats of each of 10,000 hosts (rate from its first commit to catching up), then 1,000 "
            + "heartbeats/s arrive for "
            + steady.toSeconds()
            + " s and a read_committed reader of swarm.hosts.v1 takes each host state's latency as its read "
            + "time minus the heartbeat's record time (same clock).");
    return result;
  }

  /** Heartbeats at {@link #STEADY_RATE}/s for {@code length}; latency of their host states. */
  private static Latencies steadyLatency(
      BenchContext ctx, String topic, Duration length, int interval) throws Exception {
    Latencies lat = new Latencies();
    Map<String, Object> props = ctx.consumerProps("unused");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    String hosts = Topics.HOSTS.name();
    long phaseStart = System.currentTimeMillis();
    AtomicBoolean stop = new AtomicBoolean();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      Map<TopicPartition, Long> end = GroupProgress.endOffsets(ctx, List.of(hosts));
      consumer.assign(end.keySet());
      end.forEach(consumer::seek);
      consumer.poll(Duration.ZERO); // positions set before the first heartbeat goes out
      Thread reader =
          new Thread(
              () -> {
                while (!stop.get()) {
                  for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    // heartbeats of this phase only (a liveness patrol's states carry other times)
                    if (r.value() != null && r.timestamp() >= phaseStart) {
                      lat.recordMillis(Math.max(0, System.currentTimeMillis() - r.timestamp()));
                    }
                  }
                }
              },
              "bench-host-state-reader");
      reader.start();
      int count = (int) (STEADY_RATE * length.toSeconds());
      produce(ctx, topic, HOSTS, 1, STEADY_FIRST_SEQ, count);
      // the last states become visible within a commit interval or so
      long deadline = System.nanoTime() + Duration.ofMillis(3 * interval + 2000).toNanos();
      while (lat.count() < count && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      stop.set(true);
      reader.join(5_000);
    }
    return lat;
  }

  /**
   * Heartbeats of hosts 0..hosts-1 from sequence {@code firstSeq}: {@code rounds} full rounds as
   * fast as possible when {@code paced} is 0, else {@code paced} heartbeats at {@link
   * #STEADY_RATE}/s, one per host round robin.
   */
  private static void produce(
      BenchContext ctx, String topic, int hosts, int rounds, long firstSeq, int paced)
      throws InterruptedException {
    SpecificAvroSerializer<HostHeartbeat> serializer = ctx.serializer();
    SplittableRandom rnd = new SplittableRandom(hosts + firstSeq);
    Map<String, Object> props = ctx.producerProps();
    if (paced > 0) {
      props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    }
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
      if (paced == 0) {
        Instant base = Instant.now().minusSeconds(rounds * 3L);
        for (int round = 0; round < rounds; round++) {
          for (int h = 0; h < hosts; h++) {
            HostHeartbeat hb = Records.heartbeat(h, firstSeq + round, base.plusSeconds(round), rnd);
            producer.send(
                new ProducerRecord<>(topic, hb.getHostId(), serializer.serialize(topic, hb)));
          }
        }
      } else {
        Pacer pacer = new Pacer(STEADY_RATE);
        for (int i = 0; i < paced; i++) {
          pacer.awaitTurn(i);
          HostHeartbeat hb = Records.heartbeat(i % hosts, firstSeq + i / hosts, Instant.now(), rnd);
          producer.send(
              new ProducerRecord<>(topic, hb.getHostId(), serializer.serialize(topic, hb)));
        }
      }
      producer.flush();
    }
  }
}
