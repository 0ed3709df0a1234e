package io.swarmsched.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.deadletter.DeadLetterDeserializationHandler;
import io.swarmsched.topics.Topics;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamsPropsTest {
  @TempDir Path stateDir;

  Settings settings(Map<String, String> extra) {
    Map<String, String> values =
        new java.util.HashMap<>(
            Map.of(
                CommonKeys.BOOTSTRAP_SERVERS, "broker:9092",
                CommonKeys.SCHEMA_REGISTRY_URL, "mock://props-test",
                CommonKeys.STATE_DIR, stateDir.toString(),
                CommonKeys.INSTANCE_ID, "i1"));
    values.putAll(extra);
    return Settings.of(values);
  }

  @Test
  void baseCarriesCommonSettingsDeadLetterHandlingAndExplicitNaming() {
    Properties props =
        StreamsProps.base(
            "app",
            settings(
                Map.of(
                    CommonKeys.HTTP_ADVERTISED,
                    "10.0.0.5:8088",
                    "swarm.streams.num.standby.replicas",
                    "1")));

    assertThat(props)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "app")
        .containsEntry(StreamsConfig.CLIENT_ID_CONFIG, "app-i1")
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
        .containsEntry(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString())
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2")
        .containsEntry(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true)
        .containsEntry("schema.registry.url", "mock://props-test")
        .containsEntry(
            StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
            DeadLetterDeserializationHandler.class.getName())
        .containsEntry(
            StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DEAD_LETTERS.name())
        .containsEntry(StreamsConfig.APPLICATION_SERVER_CONFIG, "10.0.0.5:8088")
        .containsEntry(
            StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
            BoundedMemoryRocksDBConfig.class.getName())
        .containsEntry("num.standby.replicas", "1")
        .containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    new StreamsConfig(props); // every value is acceptable to Streams itself
  }

  /**
   * Streams 4.x warns "Processing exception handler is not enabled for the GlobalThread" each time
   * a StreamsConfig is built without {@code processing.exception.handler.global.enabled}: for the
   * KafkaStreams of each service and again for each stream thread's partition assignor. Nothing in
   * the base config makes either warn.
   */
  @Test
  void streamsAcceptsTheBaseConfigWithoutAWarning() {
    Properties props = StreamsProps.base("app", settings(Map.of()));
    try (var log = io.swarmsched.testing.LogCapture.warnings()) {
      StreamsConfig config = new StreamsConfig(props);
      // what Streams' partition assignor builds from the main consumer's config, per stream thread
      new org.apache.kafka.streams.processor.internals.ClientUtils.QuietStreamsConfig(
          config.getMainConsumerConfigs("app", "app-i1-StreamThread-1-consumer", 0));
      assertThat(log.events()).isEmpty();
    }
  }

  @Test
  void failoverDefaultsAreSetAndEachCanBeOverridden() {
    Properties defaults = StreamsProps.base("app", settings(Map.of()));
    Properties overridden =
        StreamsProps.base(
            "app",
            settings(
                Map.of(
                    "swarm.streams.session.timeout.ms",
                    "45000",
                    "swarm.streams.num.standby.replicas",
                    "0")));

    assertThat(defaults)
        .containsEntry("session.timeout.ms", "6000")
        .containsEntry("heartbeat.interval.ms", "1500")
        .containsEntry("num.standby.replicas", "1")
        .containsEntry("transaction.timeout.ms", "10000");
    assertThat(overridden)
        .containsEntry("session.timeout.ms", "45000")
        .containsEntry("num.standby.replicas", "0")
        .containsEntry("heartbeat.interval.ms", "1500");
    // the retry backoff reaches the producers Streams makes, and only them
    StreamsConfig config = new StreamsConfig(defaults);
    assertThat(config.getProducerConfigs("client"))
        .containsEntry("retry.backoff.ms", "10")
        .containsEntry("retry.backoff.max.ms", "100");
    assertThat(config.getMainConsumerConfigs("app", "client", 0))
        .doesNotContainKey("retry.backoff.ms");
    // small polls and fetches only where a service asks for them (the dispatcher), and then for
    // the main consumer only: restoring still fetches in bulk
    assertThat(config.getMainConsumerConfigs("app", "client", 0))
        .doesNotContainEntry("max.poll.records", "100")
        .doesNotContainKey("max.partition.fetch.bytes");
    StreamsConfig fair =
        new StreamsConfig(
            StreamsProps.base("app", settings(Map.of()), StreamsProps.BACKLOG_FAIRNESS));
    assertThat(fair.getMainConsumerConfigs("app", "client", 0))
        .containsEntry("max.poll.records", "100")
        .containsEntry("max.partition.fetch.bytes", "16384");
    assertThat(fair.getRestoreConsumerConfigs("client"))
        .doesNotContainEntry("max.poll.records", "100")
        .doesNotContainKey("max.partition.fetch.bytes");
    // and the user's swarm.streams.* still wins over a service's own defaults
    assertThat(
            new StreamsConfig(
                    StreamsProps.base(
                        "app",
                        settings(Map.of("swarm.streams.main.consumer.max.poll.records", "500")),
                        StreamsProps.BACKLOG_FAIRNESS))
                .getMainConsumerConfigs("app", "client", 0))
        .containsEntry("max.poll.records", "500");
  }

  @Test
  void theCommitIntervalIs100MsUnderEitherGuaranteeAndUsersCanChooseAnother() {
    assertThat(StreamsProps.base("app", settings(Map.of())))
        .containsEntry("commit.interval.ms", "100");
    assertThat(
            StreamsProps.base(
                "app", settings(Map.of("swarm.processing.guarantee", "at_least_once"))))
        .containsEntry("commit.interval.ms", "100");
    assertThat(
            StreamsProps.base("app", settings(Map.of("swarm.streams.commit.interval.ms", "500"))))
        .containsEntry("commit.interval.ms", "500");
  }

  @Test
  void exactlyOnceIsAToggle() {
    Properties props =
        StreamsProps.base(
            "app", settings(Map.of(CommonKeys.PROCESSING_GUARANTEE, "at_least_once")));
    assertThat(props).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "at_least_once");
  }

  @Test
  void applicationServerFollowsAFixedHttpPortAndIsAbsentForAnEphemeralOne() {
    assertThat(StreamsProps.base("app", settings(Map.of(CommonKeys.HTTP_PORT, "8181"))))
        .containsEntry(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:8181");
    assertThat(StreamsProps.base("app", settings(Map.of(CommonKeys.HTTP_PORT, "0"))))
        .doesNotContainKey(StreamsConfig.APPLICATION_SERVER_CONFIG);
  }

  @Test
  void badAdvertisedAddressNamesTheKey() {
    assertThatThrownBy(
            () -> StreamsProps.base("app", settings(Map.of(CommonKeys.HTTP_ADVERTISED, "nohost"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(CommonKeys.HTTP_ADVERTISED);
    assertThatThrownBy(
            () ->
                StreamsProps.base(
                    "app", settings(Map.of(CommonKeys.HTTP_ADVERTISED, "h:notaport"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(CommonKeys.HTTP_ADVERTISED);
  }

  @Test
  void rocksDbStoresOpenWithTheBoundedMemorySetter() {
    StreamsBuilder builder = new StreamsBuilder();
    builder.table(
        "words",
        Consumed.with(Serdes.String(), Serdes.String()).withName("words-source"),
        Materialized.<String, String>as(Stores.persistentKeyValueStore("words-store"))
            .withKeySerde(Serdes.String())
            .withValueSerde(Serdes.String()));
    Properties props =
        StreamsProps.base("rocks-test", settings(Map.of(CommonKeys.ROCKSDB_MEMORY_BYTES, "32MiB")));
    try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
      TestInputTopic<String, String> words =
          driver.createInputTopic(
              "words", Serdes.String().serializer(), Serdes.String().serializer());
      words.pipeInput("a", "apple");
      KeyValueStore<String, String> store = driver.getKeyValueStore("words-store");
      assertThat(store.get("a")).isEqualTo("apple");
    }
    assertThat(BoundedMemoryRocksDBConfig.totalBytes()).isPositive();
    assertThat(props)
        .containsEntry(CommonKeys.ROCKSDB_MEMORY_BYTES, Long.toString(32L * 1024 * 1024));
  }

  @Test
  void tasksAreAssignedByTheFailoverAssignorUnlessTheUserAsksForStreamsOwn() {
    assertThat(StreamsProps.base("app", settings(Map.of())))
        .containsEntry(
            StreamsConfig.TASK_ASSIGNOR_CLASS_CONFIG, FailoverTaskAssignor.class.getName());
    // an empty value gives back Kafka Streams' default (high-availability) assignor
    Properties streamsOwn =
        StreamsProps.base("app", settings(Map.of("swarm.streams.task.assignor.class", "")));
    assertThat(streamsOwn).doesNotContainKey(StreamsConfig.TASK_ASSIGNOR_CLASS_CONFIG);
    new StreamsConfig(streamsOwn); // a valid configuration
  }
}
