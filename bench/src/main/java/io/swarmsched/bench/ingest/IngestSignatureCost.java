package io.swarmsched.bench.ingest;

import io.swarmsched.bench.Records;
import io.swarmsched.ingest.topology.IngestConfig;
import io.swarmsched.ingest.topology.IngestTopology;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.topics.Topics;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * The CPU time heartbeat-ingest's topology spends per heartbeat, unsigned and signed (issue 18),
 * in-process on a TopologyTestDriver: the records are prepared first, then piped on this thread,
 * whose CPU time is measured (thread CPU time, so other load on the machine does not count).
 * Signed: each host has its own Ed25519 key; its first heartbeat binds it, every one is verified.
 */
final class IngestSignatureCost {
  private IngestSignatureCost() {}

  /** CPU microseconds per heartbeat. */
  record Cost(double unsignedMicros, double signedMicros) {}

  static Cost measure(Path stateDir, int hosts, int rounds) {
    String scope = "bench-ingest-signature-cost";
    String url = MockSchemaRegistry.MOCK_URL_PREFIX + scope;
    try {
      SpecificAvroSerializer<HostHeartbeat> serializer = Records.serializer(url);
      List<TestRecord<String, byte[]>> plain = records(serializer, hosts, rounds, false);
      List<TestRecord<String, byte[]>> signed = records(serializer, hosts, rounds, true);
      double u = pipe(stateDir.resolve("unsigned"), url, plain);
      double s = pipe(stateDir.resolve("signed"), url, signed);
      return new Cost(u, s);
    } finally {
      MockSchemaRegistry.dropScope(scope);
    }
  }

  private static List<TestRecord<String, byte[]>> records(
      SpecificAvroSerializer<HostHeartbeat> serializer, int hosts, int rounds, boolean signed) {
    String topic = Topics.HOST_HEARTBEATS.name();
    SplittableRandom rnd = new SplittableRandom(hosts);
    HostKeyPair[] keys = new HostKeyPair[hosts];
    Instant base = Instant.now().minusSeconds(rounds * 3L);
    List<TestRecord<String, byte[]>> out = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      Instant at = base.plusSeconds(round * 3L);
      for (int h = 0; h < hosts; h++) {
        HostHeartbeat hb = Records.heartbeat(h, round + 1, at, rnd);
        byte[] value = serializer.serialize(topic, hb);
        RecordHeaders headers = new RecordHeaders();
        if (signed) {
          if (keys[h] == null) {
            keys[h] = HostKeyPair.generate();
          }
          RecordSignatures.sign(keys[h], value, headers);
        }
        out.add(new TestRecord<>(hb.getHostId(), value, headers, at));
      }
    }
    return out;
  }

  private static double pipe(Path state, String url, List<TestRecord<String, byte[]>> records) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-ingest-signature-cost");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    try (TopologyTestDriver driver =
        new TopologyTestDriver(IngestTopology.build(IngestConfig.defaults(url)), props)) {
      TestInputTopic<String, byte[]> in =
          driver.createInputTopic(
              Topics.HOST_HEARTBEATS.name(), new StringSerializer(), new ByteArraySerializer());
      long cpu0 = mx.getCurrentThreadCpuTime();
      in.pipeRecordList(records);
      long cpu1 = mx.getCurrentThreadCpuTime();
      return (cpu1 - cpu0) / 1e3 / records.size();
    }
  }
}
