package io.swarmsched.scoring.streams;

import io.swarmsched.schemas.HostScore;
import io.swarmsched.serde.SpecificAvroSerde;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/** A scoring topology on a {@link TopologyTestDriver}, with its two inputs and two outputs. */
final class ScoringDriver implements AutoCloseable {
  final TopologyTestDriver driver;
  final TestInputTopic<String, byte[]> pieces;
  final TestInputTopic<String, byte[]> hosts;
  final TestOutputTopic<String, HostScore> scores;
  final TestOutputTopic<String, byte[]> deadLetters;

  /**
   * @param topology a scoring topology built from {@code config}
   * @param startMs the driver's wall clock at start
   */
  ScoringDriver(
      Topology topology, ScoringConfig config, Path stateDir, String appId, long startMs) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    driver = new TopologyTestDriver(topology, props, Instant.ofEpochMilli(startMs));
    pieces =
        driver.createInputTopic(
            config.pieceEventsTopic(), new StringSerializer(), new ByteArraySerializer());
    hosts =
        driver.createInputTopic(
            config.hostsTopic(), new StringSerializer(), new ByteArraySerializer());
    scores =
        driver.createOutputTopic(
            config.hostScoresTopic(),
            new StringDeserializer(),
            SpecificAvroSerde.of(HostScore.class, config.serdeConfig()).deserializer());
    deadLetters =
        driver.createOutputTopic(
            config.deadLettersTopic(), new StringDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public void close() {
    driver.close();
  }
}
