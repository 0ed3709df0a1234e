import io.swarmsched.bench.Records;
import io.swarmsched.ingest.topology.IngestConfig;
import io.swarmsched.ingest.topology.IngestTopology;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

/** Thread CPU per heartbeat through IngestTopology on a TopologyTestDriver (no broker). Not committed. */
public class IngestCpu {
  public static void main(String[] a) throws Exception {
    int hosts = Integer.parseInt(a[0]);
    int rounds = Integer.parseInt(a[1]);
    boolean steady = a[2].equals("steady");
    int reps = Integer.parseInt(a[3]);
    String url = MockSchemaRegistry.MOCK_URL_PREFIX + "cpu";
    SpecificAvroSerializer<HostHeartbeat> ser = Records.serializer(url);
    Instant t0 = Instant.parse("2026-12-05T00:00:00Z");
    List<List<byte[]>> byRound = new ArrayList<>();
    List<List<String>> keys = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      // steady: every round draws the same load (same seed); random: a new load each heartbeat
      SplittableRandom rnd = new SplittableRandom(steady ? 1 : 1 + r);
      List<byte[]> vs = new ArrayList<>();
      List<String> ks = new ArrayList<>();
      for (int h = 0; h < hosts; h++) {
        HostHeartbeat hb = Records.heartbeat(h, r + 1, t0.plusSeconds(3L * r), rnd);
        vs.add(ser.serialize(Topics.HOST_HEARTBEATS.name(), hb));
        ks.add(hb.getHostId());
      }
      byRound.add(vs);
      keys.add(ks);
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int rep = 0; rep < reps; rep++) {
      Path dir = Files.createTempDirectory("ingest-cpu");
      Properties p = new Properties();
      p.put(StreamsConfig.APPLICATION_ID_CONFIG, "ingest-cpu");
      p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
      try (TopologyTestDriver d =
          new TopologyTestDriver(IngestTopology.build(IngestConfig.defaults(url)), p, t0)) {
        TestInputTopic<String, byte[]> in =
            d.createInputTopic(Topics.HOST_HEARTBEATS.name(), new StringSerializer(), new ByteArraySerializer());
        var out = d.createOutputTopic(Topics.HOSTS.name(),
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        long cpu0 = mx.getCurrentThreadCpuTime();
        long n = 0;
        long published = 0;
        for (int r = 0; r < rounds; r++) {
          if (r > 0) {
            // 3 s between rounds, a patrol each second (the wall clock moves in 1 s steps)
            for (int s = 0; s < 3; s++) d.advanceWallClockTime(Duration.ofSeconds(1));
          }
          List<byte[]> vs = byRound.get(r);
          List<String> ks = keys.get(r);
          Instant at = t0.plusSeconds(3L * r);
          for (int i = 0; i < vs.size(); i++) {
            in.pipeInput(ks.get(i), vs.get(i), at);
            n++;
          }
          published += out.getQueueSize();
          out.readRecordsToList();
        }
        long cpu1 = mx.getCurrentThreadCpuTime();
        System.out.printf("rep %d %s: %.1f us CPU per heartbeat (%d heartbeats, %d published)%n",
            rep, steady ? "steady" : "random", (cpu1 - cpu0) / 1e3 / n, n, published);
      }
    }
  }
}
