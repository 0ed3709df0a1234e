package io.swarmsched.replay;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.dispatcher.topology.RoundClock;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * One task partition of the live dispatcher: a {@link TopologyTestDriver} with the dispatcher's
 * topology, its input topics, and its outputs under {@link Replayer#OUTPUT_PREFIX} (inside the
 * driver: nothing leaves it but what {@link #drain} hands on).
 */
final class Lane implements AutoCloseable {
  final TopologyTestDriver driver;
  final Path stateDir;
  final TestInputTopic<String, ScheduleRequest> requests;
  final TestInputTopic<String, PeerEvent> peerEvents;
  final TestInputTopic<String, PieceEvent> pieceEvents;
  final TestInputTopic<String, HostState> hosts;
  final TestInputTopic<String, HostScore> scores;
  final TestOutputTopic<String, ScheduleDecision> decisions;
  final TestOutputTopic<String, PeerEvent> left;
  final Rounds rounds = new Rounds();
  long wall;

  /**
   * When the lane's dispatcher runs its rounds: on its own clock (stream time, the idle wall clock)
   * unless turned off, and the recorded rounds {@link #runRound} offers.
   */
  static final class Rounds implements RoundClock {
    boolean own = true;
    long offered = NONE;

    @Override
    public boolean ownRounds() {
      return own;
    }

    @Override
    public long take() {
      long at = offered;
      offered = NONE;
      return at;
    }
  }

  Lane(DispatcherConfig config, long startMillis) {
    try {
      stateDir = Files.createTempDirectory("swarmsched-replay");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay-has-no-broker:9092");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            DispatcherTopology.build(config, new HostIndex(), Replayer.OUTPUT_PREFIX, true, rounds),
            props,
            Instant.ofEpochMilli(startMillis));
    wall = startMillis;
    Map<String, String> serde = config.serdeConfig();
    StringSerializer keys = new StringSerializer();
    requests =
        driver.createInputTopic(
            Topics.SCHEDULE_REQUESTS.name(),
            keys,
            SpecificAvroSerde.of(ScheduleRequest.class, serde).serializer());
    peerEvents =
        driver.createInputTopic(
            Topics.PEER_EVENTS.name(),
            keys,
            SpecificAvroSerde.of(PeerEvent.class, serde).serializer());
    pieceEvents =
        driver.createInputTopic(
            Topics.PIECE_EVENTS.name(),
            keys,
            SpecificAvroSerde.of(PieceEvent.class, serde).serializer());
    hosts =
        driver.createInputTopic(
            Topics.HOSTS.name(), keys, SpecificAvroSerde.of(HostState.class, serde).serializer());
    scores =
        driver.createInputTopic(
            Topics.HOST_SCORES.name(),
            keys,
            SpecificAvroSerde.of(HostScore.class, serde).serializer());
    decisions =
        driver.createOutputTopic(
            Replayer.OUTPUT_PREFIX + Topics.SCHEDULE_DECISIONS.name(),
            new StringDeserializer(),
            SpecificAvroSerde.of(ScheduleDecision.class, serde).deserializer());
    left =
        driver.createOutputTopic(
            Replayer.OUTPUT_PREFIX + Topics.PEER_EVENTS.name(),
            new StringDeserializer(),
            SpecificAvroSerde.of(PeerEvent.class, serde).deserializer());
  }

  /**
   * The wall clock follows the records, in whole steps of the dispatcher's tick (its punctuator's
   * period: a step shorter than that would fire nothing, and costs a driver call per record).
   */
  void advanceTo(long t, long tick) {
    while (wall + tick <= t) {
      driver.advanceWallClockTime(Duration.ofMillis(tick));
      wall += tick;
    }
  }

  /**
   * Runs a round the live dispatcher ran at {@code at}: offered to the dispatcher, whose wall-clock
   * punctuation takes it when the clock steps by one {@code tick} (the punctuation's period, so it
   * fires).
   */
  void runRound(long at, long tick) {
    rounds.offered = at;
    driver.advanceWallClockTime(Duration.ofMillis(tick));
    wall += tick;
    if (rounds.offered != RoundClock.NONE) {
      throw new IllegalStateException("the dispatcher's wall-clock punctuation did not run");
    }
  }

  /** Hands on what the driver has produced since the last call, and forgets it. */
  void drain(ReplayOutput into) {
    while (!decisions.isEmpty()) into.decision(decisions.readValue());
    while (!left.isEmpty()) {
      KeyValue<String, PeerEvent> kv = left.readKeyValue();
      into.peerEvent(kv.key, kv.value);
    }
  }

  @Override
  public void close() {
    try {
      driver.close();
    } finally {
      deleteTree(stateDir);
    }
  }

  static void deleteTree(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // a temp dir left behind is not worth failing a replay for
                }
              });
    } catch (IOException e) {
      // same
    }
  }
}
