package io.swarmsched.bench.scoring;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Benchmark;
import io.swarmsched.bench.Charts;
import io.swarmsched.bench.GroupProgress;
import io.swarmsched.bench.Measurement;
import io.swarmsched.bench.ProcessStats;
import io.swarmsched.bench.Records;
import io.swarmsched.bench.ServiceSettings;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.streams.StreamsProps;
import io.swarmsched.runtime.streams.StreamsService;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.scoring.streams.ScoringConfig;
import io.swarmsched.scoring.streams.ScoringSettings;
import io.swarmsched.scoring.streams.ScoringTopology;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/**
 * Benchmark 3: events per second through scoring-streams (its own topology from {@link
 * ScoringTopology}, configured from {@link ScoringSettings}, run by service-runtime's {@link
 * StreamsService}), for a realistic mix of host states and piece events over 10,000 and 100,000
 * hosts, at-least-once and exactly-once-v2, beside {@link PlainWindowedAggregation} on the same
 * data with the same guarantee.
 *
 * <p>Each data set goes to topics of its own (same partition count as the catalog), so each run
 * drains exactly its data; only the topic names differ from the service's defaults.
 */
public final class ScoringStreamsBench implements Benchmark {
  /**
   * {@code -Dbench.scoring.quick.drain.seconds=60}: how long {@code --quick} waits for a drain (15
   * s, 8 s for the plain aggregation, unless set), for a quick run on a machine too busy to drain
   * in that time.
   */
  static Duration quickDrain(int seconds) {
    return Duration.ofSeconds(Integer.getInteger("bench.scoring.quick.drain.seconds", seconds));
  }

  public static final String NAME = "scoring-streams";
  public static final String PLAIN = "streams.plain-windowed.";
  public static final String RSS_KEY = "scoring.rss_mib";
  public static final String STATE_KEY = "scoring.state_mib";
  private static final int PIECES_PER_HOST_PER_ROUND = 3;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "scoring-streams events/s (host states + piece events), ALOS and EOS-v2, beside a plain windowed aggregation";
  }

  @Override
  public BenchResult run(BenchContext ctx) throws Exception {
    BenchResult result = BenchResult.of(this);
    List<String> categories = new ArrayList<>();
    List<Double> scoring = new ArrayList<>();
    List<Double> plain = new ArrayList<>();
    for (int hosts : ctx.pick(List.of(10_000), List.of(10_000, 100_000))) {
      int rounds = hosts == 10_000 ? ctx.pick(1, 5) : 1;
      int partitions = Topics.HOSTS.partitions();
      String hostsTopic = ctx.newTopic("scoring-hosts-" + hosts, partitions);
      String piecesTopic =
          ctx.newTopic("scoring-pieces-" + hosts, Topics.PIECE_EVENTS.partitions());
      long events = produce(ctx, hostsTopic, piecesTopic, hosts, rounds);
      ctx.progress(
          "%,d hosts: %d events produced (1 host state + %d piece events per host per round, %d rounds)",
          hosts, events, PIECES_PER_HOST_PER_ROUND, rounds);
      for (String guarantee : List.of("at_least_once", "exactly_once_v2")) {
        String label = String.format("%,d hosts, %s", hosts, guarantee);
        GroupProgress.Drain plainDrain = runPlain(ctx, piecesTopic, guarantee, hosts);
        double plainRate = plainDrain.perSec();
        if (plainDrain.includesStartup()) {
          result.note(
              "plain aggregation, "
                  + label
                  + ": its first commit already covered over a fifth of the records, "
                  + "so its rate includes start-up (it understates)");
        }
        ctx.putBaseline(PLAIN + guarantee + "." + hosts, plainRate);
        result.add(
            Measurement.of(
                "plain windowed aggregation events/s, " + label, plainRate, "records/s"));

        String appId = "bench-scoring-" + guarantee.replace('_', '-') + "-" + hosts;
        Path state = ctx.newDir("scoring-state");
        Settings settings =
            ServiceSettings.of(
                ctx,
                state,
                ScoringSettings.DEFAULTS,
                Map.of(
                    ScoringSettings.APPLICATION_ID, appId,
                    CommonKeys.PROCESSING_GUARANTEE, guarantee,
                    ScoringSettings.HOST_SCORES_TOPIC, ctx.newTopic("scoring-out", partitions)));
        ScoringConfig c = ScoringSettings.config(settings);
        ScoringConfig config =
            new ScoringConfig(
                c.params(),
                c.grace(),
                c.reportedHold(),
                c.epsilon(),
                c.minPublishInterval(),
                c.repartitionPartitions(),
                c.policyId(),
                piecesTopic,
                hostsTopic,
                c.hostScoresTopic(),
                c.deadLettersTopic(),
                c.serdeConfig(),
                c.inMemory());
        Properties props = StreamsProps.base(appId, settings);
        try (StreamsService service = new StreamsService(ScoringTopology.build(config), props)) {
          service.start();
          GroupProgress.Drain d =
              GroupProgress.awaitCaughtUp(
                  ctx,
                  appId,
                  List.of(hostsTopic, piecesTopic),
                  Map.of(),
                  ctx.pick(quickDrain(15), Duration.ofSeconds(45)),
                  "scoring " + label);
          long rss = ProcessStats.rssBytes(ProcessStats.selfPid()).orElse(0);
          long stateBytes = ProcessStats.directorySize(state);
          ctx.progress(
              "scoring %s: %.0f events/s (plain aggregation %.0f/s), RSS %.0f MiB, state %.1f MiB%s",
              label,
              d.perSec(),
              plainRate,
              ProcessStats.mib(rss),
              ProcessStats.mib(stateBytes),
              d.caughtUp() ? "" : " (NOT caught up)");
          result.add(
              ctx.against(
                  "scoring-streams events/s, " + label,
                  d.perSec(),
                  "records/s",
                  PLAIN + guarantee + "." + hosts));
          result.add(
              Measurement.of(
                  "harness JVM RSS during scoring, " + label, ProcessStats.mib(rss), "MiB"));
          result.add(
              Measurement.of(
                  "scoring state on disk (RocksDB), " + label,
                  ProcessStats.mib(stateBytes),
                  "MiB"));
          if (d.includesStartup()) {
            result.note(
                label
                    + ": the first commit already covered over a fifth of the records, so this rate "
                    + "includes start-up (it understates)");
          }
          if (!d.caughtUp()) {
            result.note(
                label + ": did not catch up within the time limit; rate is over what it processed");
          }
          if (hosts == 100_000) {
            ctx.putBaseline(RSS_KEY, ProcessStats.mib(rss));
            ctx.putBaseline(STATE_KEY, ProcessStats.mib(stateBytes));
          }
          categories.add(
              String.format(
                  "%dk %s", hosts / 1000, guarantee.equals("at_least_once") ? "ALOS" : "EOS"));
          scoring.add(d.perSec());
          plain.add(plainRate);
        }
      }
    }
    cpuPerEvent(ctx, result);
    result.chart(
        Charts.bars(
            ctx,
            "scoring-throughput",
            "scoring-streams vs plain windowed aggregation",
            "events/s",
            categories,
            Map.of("scoring-streams", scoring, "plain windowed aggregation (same data)", plain)));
    result.note(
        "The plain aggregation reads only the piece events (re-key by parent host, 1 s windows, sum); "
            + "scoring-streams reads piece events and host states, so it does strictly more work per event. Rates are "
            + "from the first commit to catching up (commit.interval.ms=100). Services run in the harness JVM.");
    return result;
  }

  /**
   * CPU per event without a broker ({@link ScoringCpuCost}): scoring with its horizon in memory,
   * scoring reading its window stores, and the plain aggregation, interleaved in this JVM.
   */
  private static void cpuPerEvent(BenchContext ctx, BenchResult result) {
    int hosts = 10_000;
    int rounds = ctx.pick(3, 5);
    int reps = ctx.pick(3, 5);
    ScoringCpuCost.Cost cost =
        ScoringCpuCost.measure(
            ctx.newDir("scoring-cpu-cost"), hosts, rounds, reps, line -> ctx.progress("%s", line));
    String shape =
        String.format(
            "in-process, %,d hosts, %d rounds, median of repetitions 2-%d", hosts, rounds, reps);
    result.add(
        Measurement.of(
            "scoring-streams CPU per event, horizon in memory (" + shape + ")",
            cost.inMemoryMicros(),
            "µs"));
    result.add(
        Measurement.of(
            "scoring-streams CPU per event, window stores read (" + shape + ")",
            cost.storesMicros(),
            "µs"));
    result.add(
        Measurement.of(
            "plain windowed aggregation CPU per piece event (" + shape + ")",
            cost.plainMicros(),
            "µs"));
    result.add(
        Measurement.of(
            "scoring-streams rate / plain aggregation rate by CPU, horizon in memory",
            cost.inMemoryRatio(),
            "ratio"));
    result.add(
        Measurement.of(
            "scoring-streams rate / plain aggregation rate by CPU, window stores read",
            cost.storesRatio(),
            "ratio"));
    result.chart(
        Charts.bars(
            ctx,
            "scoring-cpu-per-event",
            "CPU per event without a broker (median of repetitions 2-" + reps + ")",
            "µs per event",
            List.of(
                "scoring, horizon in memory", "scoring, window stores read", "plain aggregation"),
            Map.of(
                "µs CPU per event",
                List.of(cost.inMemoryMicros(), cost.storesMicros(), cost.plainMicros()))));
    result.note(
        String.format(
            "CPU per event without a broker (ScoringCpuCost): the same %,d hosts × %d rounds of one host"
                + " state and %d served pieces per host and round, encoded first, piped through a"
                + " TopologyTestDriver on one thread whose CPU time is measured; the plain aggregation's"
                + " figure is per piece event, as its broker rate is. Repetitions: in memory %s µs,"
                + " stores read %s µs, plain %s µs.",
            hosts,
            rounds,
            ScoringCpuCost.PIECES_PER_HOST_PER_ROUND,
            java.util.Arrays.toString(cost.inMemoryReps()),
            java.util.Arrays.toString(cost.storesReps()),
            java.util.Arrays.toString(cost.plainReps())));
  }

  private static GroupProgress.Drain runPlain(
      BenchContext ctx, String piecesTopic, String guarantee, int hosts) throws Exception {
    String appId = "bench-plain-" + guarantee.replace('_', '-') + "-" + hosts;
    Path state = ctx.newDir("plain-state");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, ctx.bootstrapServers());
    props.putAll(ctx.security());
    props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put("consumer.auto.offset.reset", "earliest");
    String out = ctx.newTopic("plain-out", Topics.PIECE_EVENTS.partitions());
    Topology topology =
        PlainWindowedAggregation.build(
            piecesTopic, out, Map.of("schema.registry.url", ctx.registryUrl()));
    try (StreamsService service = new StreamsService(topology, props)) {
      service.start();
      GroupProgress.Drain d =
          GroupProgress.awaitCaughtUp(
              ctx,
              appId,
              List.of(piecesTopic),
              Map.of(),
              ctx.pick(quickDrain(8), Duration.ofSeconds(20)),
              "plain aggregation");
      ctx.progress(
          "plain windowed aggregation, %,d hosts, %s: %.0f events/s%s",
          hosts,
          guarantee,
          d.perSec(),
          d.includesStartup() ? " (includes start-up: the first commit covered over a fifth)" : "");
      return d;
    }
  }

  /** Host states and piece events over {@code rounds} seconds of stream time ending now. */
  private static long produce(
      BenchContext ctx, String hostsTopic, String piecesTopic, int hosts, int rounds) {
    SpecificAvroSerializer<HostState> states = ctx.serializer();
    SpecificAvroSerializer<PieceEvent> pieces = ctx.serializer();
    SplittableRandom rnd = new SplittableRandom(hosts * 31L);
    Instant base = Instant.now().minusSeconds(rounds);
    long count = 0;
    long seq = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(ctx.producerProps())) {
      for (int round = 0; round < rounds; round++) {
        Instant at = base.plusSeconds(round);
        for (int h = 0; h < hosts; h++) {
          HostState s = Records.hostState(h, round + 1, at, rnd);
          producer.send(
              new ProducerRecord<>(hostsTopic, s.getHostId(), states.serialize(hostsTopic, s)));
          count++;
          for (int p = 0; p < PIECES_PER_HOST_PER_ROUND; p++) {
            int task = rnd.nextInt(1000);
            int parent = rnd.nextInt(hosts);
            PieceEvent e =
                Records.pieceEvent(seq++, task, h, parent, at.plusMillis(rnd.nextInt(1000)), rnd);
            producer.send(
                new ProducerRecord<>(piecesTopic, e.getTaskId(), pieces.serialize(piecesTopic, e)));
            count++;
          }
        }
      }
      producer.flush();
    }
    return count;
  }
}
