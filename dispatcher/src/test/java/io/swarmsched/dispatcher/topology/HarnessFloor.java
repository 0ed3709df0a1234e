package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;

import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The {@link DispatcherLoadHarness}'s floor: the same piping into a topology whose processor does
 * nothing (TopologyTestDriver + Avro decode), the cost no dispatcher change can remove.
 */
final class HarnessFloor {
  private HarnessFloor() {}

  private static final class NoOp
      implements org.apache.kafka.streams.processor.api.Processor<String, PeerEvent, Void, Void> {
    @Override
    public void process(org.apache.kafka.streams.processor.api.Record<String, PeerEvent> record) {}
  }

  /** Pipes {@code events} peer events through the no-op topology and prints the CPU per event. */
  static void floor(int events) throws Exception {
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
      long c0 = DispatcherLoadHarness.cpu();
      for (int i = 0; i < events; i++) in.pipeInput("t", values.get(i), T0 + i);
      System.out.printf(
          "floor (TopologyTestDriver + Avro decode, no-op processor): %.1f us/event%n",
          (DispatcherLoadHarness.cpu() - c0) / 1e3 / events);
    }
  }
}
