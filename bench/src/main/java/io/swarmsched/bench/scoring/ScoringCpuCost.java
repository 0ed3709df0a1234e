package io.swarmsched.bench.scoring;

import io.swarmsched.bench.Records;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.scoring.streams.ScoringConfig;
import io.swarmsched.scoring.streams.ScoringTopology;
import io.swarmsched.serde.SpecificAvroSerializer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The CPU time the scoring topology spends per event, beside the plain windowed aggregation's on
 * the same piece events, in-process on a TopologyTestDriver (no broker: the broker runs of this
 * machine move more between runs than between versions). The events are those the broker benchmark
 * produces (per host and one-second round: one host state and three served pieces), encoded first,
 * then piped on this thread, whose CPU time is measured. Three topologies, interleaved repetition
 * by repetition in one JVM: scoring with each host's horizon in memory (the default), scoring that
 * reads its window stores on every evaluation ({@code swarm.scoring.in.memory=false}), and the
 * plain aggregation of the piece events alone.
 */
final class ScoringCpuCost {
  private ScoringCpuCost() {}

  static final int PIECES_PER_HOST_PER_ROUND = 3;

  /** Median CPU microseconds per event of each variant over the repetitions after the first. */
  record Cost(
      double inMemoryMicros,
      double storesMicros,
      double plainMicros,
      double[] inMemoryReps,
      double[] storesReps,
      double[] plainReps) {
    /**
     * The in-memory scorer's rate as a fraction of the plain aggregation's, from CPU per event (as
     * the broker benchmark's ratio: scoring's events are host states and pieces, plain's pieces).
     */
    double inMemoryRatio() {
      return plainMicros / inMemoryMicros;
    }

    double storesRatio() {
      return plainMicros / storesMicros;
    }
  }

  /**
   * {@code java -cp "bench/target/swarmsched-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*"
   * io.swarmsched.bench.scoring.ScoringCpuCost [hosts] [rounds] [repetitions]}: this measurement on
   * its own (10,000 hosts, 3 rounds, 5 repetitions unless given), e.g. under a profiler.
   */
  public static void main(String[] args) throws Exception {
    int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int reps = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Path dir = java.nio.file.Files.createTempDirectory("scoring-cpu-cost");
    Cost c = measure(dir, hosts, rounds, reps, System.out::println);
    System.out.printf(
        "median of repetitions 2-%d: horizon in memory %.1f µs (%.3f of plain), window stores read"
            + " %.1f µs (%.3f of plain), plain aggregation %.1f µs per piece event%n",
        reps,
        c.inMemoryMicros(),
        c.inMemoryRatio(),
        c.storesMicros(),
        c.storesRatio(),
        c.plainMicros());
  }

  static Cost measure(Path stateDir, int hosts, int rounds, int reps, Consumer<String> progress) {
    String scope = "bench-scoring-cpu-cost";
    String url = MockSchemaRegistry.MOCK_URL_PREFIX + scope;
    Map<String, Object> serde = Map.of("schema.registry.url", url);
    ScoringConfig config = ScoringConfig.defaults(serde);
    try {
      SpecificAvroSerializer<HostState> states = Records.serializer(url);
      SpecificAvroSerializer<PieceEvent> pieces = Records.serializer(url);
      List<TestRecord<String, byte[]>> hostRecords = new ArrayList<>();
      List<TestRecord<String, byte[]>> pieceRecords = new ArrayList<>();
      List<Boolean> order = new ArrayList<>(); // true: the next host record, false: the next piece
      SplittableRandom rnd = new SplittableRandom(hosts * 31L);
      Instant base = Instant.now().minusSeconds(rounds);
      long seq = 0;
      for (int round = 0; round < rounds; round++) {
        Instant at = base.plusSeconds(round);
        for (int h = 0; h < hosts; h++) {
          HostState s = Records.hostState(h, round + 1, at, rnd);
          hostRecords.add(
              new TestRecord<>(s.getHostId(), states.serialize(config.hostsTopic(), s), null, at));
          order.add(true);
          for (int p = 0; p < PIECES_PER_HOST_PER_ROUND; p++) {
            Instant t = at.plusMillis(rnd.nextInt(1000));
            PieceEvent e =
                Records.pieceEvent(seq++, rnd.nextInt(1000), h, rnd.nextInt(hosts), t, rnd);
            pieceRecords.add(
                new TestRecord<>(
                    e.getTaskId(), pieces.serialize(config.pieceEventsTopic(), e), null, t));
            order.add(false);
          }
        }
      }
      double[] inMemory = new double[reps];
      double[] stores = new double[reps];
      double[] plain = new double[reps];
      for (int rep = 0; rep < reps; rep++) {
        inMemory[rep] =
            pipeScoring(
                stateDir.resolve("in-memory-" + rep),
                config.withInMemory(true),
                hostRecords,
                pieceRecords,
                order);
        stores[rep] =
            pipeScoring(
                stateDir.resolve("stores-" + rep),
                config.withInMemory(false),
                hostRecords,
                pieceRecords,
                order);
        plain[rep] = pipePlain(stateDir.resolve("plain-" + rep), config, serde, pieceRecords);
        progress.accept(
            String.format(
                "scoring CPU per event, repetition %d of %d: horizon in memory %.1f µs, window stores"
                    + " read %.1f µs, plain aggregation %.1f µs per piece event",
                rep + 1, reps, inMemory[rep], stores[rep], plain[rep]));
      }
      return new Cost(
          medianAfterFirst(inMemory),
          medianAfterFirst(stores),
          medianAfterFirst(plain),
          inMemory,
          stores,
          plain);
    } finally {
      MockSchemaRegistry.dropScope(scope);
    }
  }

  /** The first repetition warms the JIT up; the median of the others (all of them if only one). */
  static double medianAfterFirst(double[] reps) {
    double[] warm = reps.length > 1 ? Arrays.copyOfRange(reps, 1, reps.length) : reps.clone();
    Arrays.sort(warm);
    int n = warm.length;
    return n % 2 == 1 ? warm[n / 2] : (warm[n / 2 - 1] + warm[n / 2]) / 2;
  }

  /** CPU µs per record of {@code pipe}'s work on a driver of {@code topology}. */
  private static double cpuPerRecord(
      Topology topology, Path state, String appId, int records, Consumer<TopologyTestDriver> pipe) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
      long cpu0 = mx.getCurrentThreadCpuTime();
      pipe.accept(driver);
      long cpu1 = mx.getCurrentThreadCpuTime();
      return (cpu1 - cpu0) / 1e3 / records;
    }
  }

  /** CPU µs per event of every host state and piece event, in the order they were produced. */
  private static double pipeScoring(
      Path state,
      ScoringConfig config,
      List<TestRecord<String, byte[]>> hostRecords,
      List<TestRecord<String, byte[]>> pieceRecords,
      List<Boolean> order) {
    return cpuPerRecord(
        ScoringTopology.build(config),
        state,
        "bench-scoring-cpu",
        order.size(),
        driver -> {
          TestInputTopic<String, byte[]> hosts =
              driver.createInputTopic(
                  config.hostsTopic(), new StringSerializer(), new ByteArraySerializer());
          TestInputTopic<String, byte[]> pieces =
              driver.createInputTopic(
                  config.pieceEventsTopic(), new StringSerializer(), new ByteArraySerializer());
          int h = 0;
          int p = 0;
          for (boolean isHost : order) {
            if (isHost) {
              hosts.pipeInput(hostRecords.get(h++));
            } else {
              pieces.pipeInput(pieceRecords.get(p++));
            }
          }
        });
  }

  /**
   * CPU µs per piece event of the plain aggregation, which reads only the piece events (as the
   * broker benchmark's rates count it: its rate is over the piece events, scoring's over all).
   */
  private static double pipePlain(
      Path state,
      ScoringConfig config,
      Map<String, Object> serde,
      List<TestRecord<String, byte[]>> pieceRecords) {
    return cpuPerRecord(
        PlainWindowedAggregation.build(config.pieceEventsTopic(), "plain-cpu-out", serde),
        state,
        "bench-plain-cpu",
        pieceRecords.size(),
        driver ->
            driver
                .createInputTopic(
                    config.pieceEventsTopic(), new StringSerializer(), new ByteArraySerializer())
                .pipeRecordList(pieceRecords));
  }
}
