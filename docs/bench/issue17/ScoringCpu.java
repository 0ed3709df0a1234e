import io.swarmsched.bench.Records;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.scoring.streams.ScoringConfig;
import io.swarmsched.scoring.streams.ScoringTopology;
import io.swarmsched.serde.SpecificAvroSerializer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Thread CPU per event through ScoringTopology on a TopologyTestDriver (no broker): the scoring
 * bench's own events (per host and round: 1 host state + 3 piece events), interleaved as produced.
 * Not part of the harness. Usage: ScoringCpu HOSTS ROUNDS REPS [plain]; with {@code plain}, the
 * bench's baseline instead (PlainWindowedAggregation over the same piece events only).
 */
public class ScoringCpu {
  record In(boolean host, String key, byte[] value, long at) {}

  public static void main(String[] a) throws Exception {
    int hosts = Integer.parseInt(a[0]);
    int rounds = Integer.parseInt(a[1]);
    int reps = Integer.parseInt(a[2]);
    boolean plain = a.length > 3 && a[3].equals("plain");
    String scope = "scoring-cpu";
    ScoringConfig config = ScoringConfig.forMockRegistry(scope);
    String url = MockSchemaRegistry.MOCK_URL_PREFIX + scope;
    SpecificAvroSerializer<HostState> states = Records.serializer(url);
    SpecificAvroSerializer<PieceEvent> pieces = Records.serializer(url);
    SplittableRandom rnd = new SplittableRandom(hosts * 31L);
    Instant base = Instant.parse("2026-12-05T00:00:00Z");
    List<In> in = new ArrayList<>();
    long seq = 0;
    for (int round = 0; round < rounds; round++) {
      Instant at = base.plusSeconds(round);
      for (int h = 0; h < hosts; h++) {
        HostState s = Records.hostState(h, round + 1, at, rnd);
        in.add(new In(true, s.getHostId(), states.serialize(config.hostsTopic(), s), at.toEpochMilli()));
        for (int p = 0; p < 3; p++) {
          int task = rnd.nextInt(1000);
          int parent = rnd.nextInt(hosts);
          Instant t = at.plusMillis(rnd.nextInt(1000));
          PieceEvent e = Records.pieceEvent(seq++, task, h, parent, t, rnd);
          in.add(new In(false, e.getTaskId(), pieces.serialize(config.pieceEventsTopic(), e), t.toEpochMilli()));
        }
      }
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int rep = 0; rep < reps; rep++) {
      Path dir = Files.createTempDirectory("scoring-cpu");
      Properties p = new Properties();
      p.put(StreamsConfig.APPLICATION_ID_CONFIG, "scoring-cpu");
      p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
      var topology =
          plain
              ? io.swarmsched.bench.scoring.PlainWindowedAggregation.build(
                  config.pieceEventsTopic(), config.hostScoresTopic(), config.serdeConfig())
              : ScoringTopology.build(config);
      try (TopologyTestDriver d = new TopologyTestDriver(topology, p, base)) {
        TestInputTopic<String, byte[]> hs =
            d.createInputTopic(config.hostsTopic(), new StringSerializer(), new ByteArraySerializer());
        TestInputTopic<String, byte[]> ps =
            d.createInputTopic(config.pieceEventsTopic(), new StringSerializer(), new ByteArraySerializer());
        var out = d.createOutputTopic(config.hostScoresTopic(),
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        long cpu0 = mx.getCurrentThreadCpuTime();
        long published = 0;
        int i = 0;
        long n = 0;
        for (In r : in) {
          if (plain && r.host) {
            continue;
          }
          (r.host ? hs : ps).pipeInput(r.key, r.value, r.at);
          n++;
          if (++i % 1000 == 0) {
            published += out.getQueueSize();
            out.readRecordsToList();
          }
        }
        long cpu1 = mx.getCurrentThreadCpuTime();
        System.out.printf("rep %d" + (plain ? " plain" : "") + ": %.1f us CPU per event (%d events, %d scores)%n",
            rep, (cpu1 - cpu0) / 1e3 / n, n, published + out.getQueueSize());
      }
    }
  }
}
