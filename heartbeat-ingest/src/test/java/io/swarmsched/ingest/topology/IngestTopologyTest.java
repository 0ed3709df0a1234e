package io.swarmsched.ingest.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.ingest.Heartbeats;
import io.swarmsched.ingest.liveness.LivenessPolicy;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IngestTopologyTest {
  private static final String REGISTRY = "mock://ingest-topology-test";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private Serde<HostHeartbeat> heartbeatSerde;
  private TestInputTopic<String, byte[]> heartbeats;
  private TestOutputTopic<String, HostState> hosts;
  private TestOutputTopic<byte[], byte[]> deadLetters;

  @BeforeEach
  void start() {
    open(IngestConfig.defaults(REGISTRY), "");
    heartbeatSerde =
        SpecificAvroSerde.of(HostHeartbeat.class, IngestConfig.defaults(REGISTRY).serdeConfig());
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTERS.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** A driver (with its own state) over a topology built from this configuration. */
  private void open(IngestConfig config, String suffix) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ingest-topology-test" + suffix);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve("state" + suffix).toString());
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    driver = new TopologyTestDriver(IngestTopology.build(config), props, T0);
    heartbeats =
        driver.createInputTopic(
            Topics.HOST_HEARTBEATS.name(), new StringSerializer(), new ByteArraySerializer());
    hosts =
        driver.createOutputTopic(
            Topics.HOSTS.name(),
            new StringDeserializer(),
            SpecificAvroSerde.of(HostState.class, config.serdeConfig()).deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
    MockSchemaRegistry.dropScope("ingest-topology-test");
  }

  private byte[] bytes(HostHeartbeat hb) {
    return heartbeatSerde.serializer().serialize(Topics.HOST_HEARTBEATS.name(), hb);
  }

  private void send(HostHeartbeat hb) {
    heartbeats.pipeInput(hb.getHostId(), bytes(hb), hb.getTimestamp());
  }

  private HostHeartbeat hb(String host, long sequence, Instant ts) {
    return Heartbeats.valid(host, sequence, ts).build();
  }

  private KeyValueStore<String, StoredHost> store() {
    return driver.getKeyValueStore(IngestTopology.HOST_STORE);
  }

  /** The host's stored state, or null. */
  private HostState stored(String host) {
    StoredHost s = store().get(host);
    return s == null ? null : s.state();
  }

  private double metricTotal(String operation) {
    return driver.metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals(operation + "-total"))
        .filter(e -> e.getKey().group().contains(IngestTopology.METRIC_SCOPE))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .sum();
  }

  private static String header(TestRecord<byte[], byte[]> record, String name) {
    return DeadLetterHeaders.lastValue(record.headers(), name).orElse(null);
  }

  @Test
  void aValidHeartbeatBecomesAnOnlineHost() {
    send(hb("h1", 1, T0));

    TestRecord<String, HostState> out = hosts.readRecord();
    assertThat(out.key()).isEqualTo("h1");
    HostState state = out.value();
    assertThat(state.getLiveness()).isEqualTo(Liveness.ONLINE);
    assertThat(state.getPieceServerAddress()).isEqualTo("10.0.0.7:65001");
    assertThat(state.getTags()).containsExactly("gpu", "cuda-12");
    assertThat(state.getIdc()).isEqualTo("idc-a");
    assertThat(state.getLastSequence()).isEqualTo(1);
    assertThat(state.getLastSeen()).isEqualTo(T0);
    assertThat(state.getFirstSeen()).isEqualTo(T0);
    assertThat(state.getCapacity().getCpuCores()).isEqualTo(32);
    assertThat(state.getLoad().getConcurrentUploads()).isEqualTo(3);
    assertThat(stored("h1")).isEqualTo(state);
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  static Stream<Arguments> invalidHeartbeats() {
    return Stream.of(
        edit("host_id", hb -> hb.setHostId("")),
        edit("piece_server_address", hb -> hb.setPieceServerAddress("no-port")),
        edit("tags[0]", hb -> hb.setTags(new ArrayList<>(List.of("")))),
        edit("tags", hb -> hb.setTags(new ArrayList<>(Collections.nCopies(300, "t")))),
        edit("location", hb -> hb.setLocation("x".repeat(2000))),
        edit("sequence", hb -> hb.setSequence(-3)),
        edit("timestamp", hb -> hb.setTimestamp(T0.plusSeconds(120))),
        edit("capacity.max_tx_bytes_per_sec", hb -> hb.getCapacity().setMaxTxBytesPerSec(-1)),
        edit(
            "capacity.max_rx_bytes_per_sec",
            hb -> hb.getCapacity().setMaxRxBytesPerSec(1_000_000_000_000L)),
        edit("capacity.cpu_cores", hb -> hb.getCapacity().setCpuCores(5000)),
        edit("capacity.memory_bytes", hb -> hb.getCapacity().setMemoryBytes(100L << 40)),
        edit("load.cpu_usage", hb -> hb.getLoad().setCpuUsage(2.0)),
        edit("load.concurrent_uploads", hb -> hb.getLoad().setConcurrentUploads(10_000)),
        edit("load.running_tasks", hb -> hb.getLoad().setRunningTasks(-1)));
  }

  /** A named edit of a heartbeat (what it makes invalid, or what it changes). */
  private static Arguments edit(String field, Consumer<HostHeartbeat> change) {
    return Arguments.of(field, change);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidHeartbeats")
  void anInvalidHeartbeatGoesToTheDeadLetterTopicWithItsOriginalBytesAndReason(
      String field, Consumer<HostHeartbeat> change) {
    HostHeartbeat bad = hb("h1", 1, T0);
    change.accept(bad);
    byte[] raw = bytes(bad);
    RecordHeaders headers = new RecordHeaders();
    headers.add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
    heartbeats.pipeInput(new TestRecord<>("h1", raw, headers, T0));

    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(dead.value()).isEqualTo(raw);
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("h1");
    assertThat(header(dead, DeadLetterHeaders.STAGE)).isEqualTo(IngestTopology.STAGE_VALIDATE);
    assertThat(header(dead, DeadLetterHeaders.REASON)).startsWith(field + ": ");
    assertThat(header(dead, DeadLetterHeaders.SOURCE_TOPIC))
        .isEqualTo(Topics.HOST_HEARTBEATS.name());
    assertThat(header(dead, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(header(dead, "trace-id")).isEqualTo("abc");
    assertThat(hosts.isEmpty()).isTrue();
    assertThat(stored("h1")).isNull();
  }

  @Test
  void aHeartbeatUnderAnotherHostsKeyIsRefused() {
    heartbeats.pipeInput("h2", bytes(hb("h1", 1, T0)), T0);

    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertThat(header(dead, DeadLetterHeaders.REASON))
        .startsWith("host_id: ")
        .contains("record key 'h2'");
    assertThat(hosts.isEmpty()).isTrue();
  }

  @Test
  void aHeartbeatOverTheSizeLimitIsRefused() {
    HostHeartbeat big = hb("h1", 1, T0);
    big.setHostname("x".repeat(1000));
    big.setTags(new ArrayList<>(Collections.nCopies(100, "y".repeat(1000))));
    heartbeats.pipeInput("h1", bytes(big), T0);

    assertThat(header(deadLetters.readRecord(), DeadLetterHeaders.REASON)).startsWith("record: ");
  }

  @Test
  void undeserializableBytesGoToTheDeadLetterTopicAndProcessingContinues() {
    byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
    heartbeats.pipeInput("h1", garbage, T0);
    heartbeats.pipeInput("h1", new byte[] {0, 0, 0, 0x7f, 0x7f, 1, 2}, T0);
    heartbeats.pipeInput("h1", (byte[]) null, T0);
    send(hb("h1", 1, T0));

    List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).hasSize(3);
    assertThat(dead.get(0).value()).isEqualTo(garbage);
    assertThat(dead)
        .allSatisfy(
            r -> {
              assertThat(header(r, DeadLetterHeaders.STAGE))
                  .isEqualTo(IngestTopology.STAGE_DESERIALIZE);
              assertThat(header(r, DeadLetterHeaders.SOURCE_TOPIC))
                  .isEqualTo(Topics.HOST_HEARTBEATS.name());
            });
    assertThat(header(dead.get(0), DeadLetterHeaders.REASON)).contains("Unknown magic byte");
    assertThat(header(dead.get(1), DeadLetterHeaders.REASON)).contains("Unknown schema id");
    assertThat(header(dead.get(2), DeadLetterHeaders.REASON)).contains("no value");
    assertThat(header(dead.get(1), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("1");
    assertThat(hosts.readRecord().value().getLiveness()).isEqualTo(Liveness.ONLINE);
  }

  @Test
  void aSilentHostBecomesSuspiciousAfterTenSecondsThenOfflineAfterTwenty() {
    send(hb("h1", 1, T0));
    hosts.readRecord();

    driver.advanceWallClockTime(Duration.ofSeconds(9));
    assertThat(hosts.isEmpty()).as("nothing published before 10 s").isTrue();

    driver.advanceWallClockTime(Duration.ofSeconds(1));
    TestRecord<String, HostState> suspicious = hosts.readRecord();
    assertThat(suspicious.value().getLiveness()).isEqualTo(Liveness.SUSPICIOUS);
    assertThat(suspicious.value().getLivenessChangedAt()).isEqualTo(T0.plusSeconds(10));

    driver.advanceWallClockTime(Duration.ofSeconds(5));
    assertThat(hosts.isEmpty()).as("a transition is published once").isTrue();

    driver.advanceWallClockTime(Duration.ofSeconds(5));
    TestRecord<String, HostState> offline = hosts.readRecord();
    assertThat(offline.value().getLiveness()).isEqualTo(Liveness.OFFLINE);
    assertThat(stored("h1").getLiveness()).isEqualTo(Liveness.OFFLINE);

    driver.advanceWallClockTime(Duration.ofMinutes(1));
    assertThat(hosts.isEmpty()).isTrue();
  }

  @Test
  void aHeartbeatBringsASuspiciousOrOfflineHostBackOnline() {
    send(hb("h1", 1, T0));
    driver.advanceWallClockTime(Duration.ofSeconds(10));
    send(hb("h1", 2, T0.plusSeconds(10)));
    driver.advanceWallClockTime(Duration.ofSeconds(20));
    send(hb("h1", 3, T0.plusSeconds(30)));

    assertThat(hosts.readValuesToList())
        .extracting(HostState::getLiveness)
        .containsExactly(
            Liveness.ONLINE,
            Liveness.SUSPICIOUS,
            Liveness.ONLINE,
            Liveness.OFFLINE,
            Liveness.ONLINE);
    assertThat(stored("h1").getLivenessChangedAt()).isEqualTo(T0.plusSeconds(30));
  }

  @Test
  void anOfflineHostIsTombstonedAndForgottenAfterTheTtl() {
    send(hb("h1", 1, T0));
    send(hb("h2", 1, T0));
    driver.advanceWallClockTime(Duration.ofSeconds(20));
    hosts.readRecordsToList();

    driver.advanceWallClockTime(Duration.ofMinutes(59));
    send(hb("h2", 2, T0.plus(Duration.ofMinutes(59))));
    hosts.readRecordsToList();
    driver.advanceWallClockTime(Duration.ofSeconds(60));

    List<TestRecord<String, HostState>> out = hosts.readRecordsToList();
    assertThat(out)
        .filteredOn(r -> r.key().equals("h1"))
        .singleElement()
        .satisfies(r -> assertThat(r.value()).as("tombstone").isNull());
    assertThat(out)
        .filteredOn(r -> r.key().equals("h2"))
        .singleElement()
        .satisfies(r -> assertThat(r.value().getLiveness()).isEqualTo(Liveness.OFFLINE));
    assertThat(stored("h1")).isNull();
    assertThat(stored("h2")).isNotNull();
  }

  @Test
  void thresholdsComeFromConfiguration() {
    restartWith(
        IngestConfig.defaults(REGISTRY)
            .withLiveness(
                new LivenessPolicy(
                    Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(6))));

    send(hb("h1", 1, T0));
    for (int i = 0; i < 10; i++) {
      driver.advanceWallClockTime(Duration.ofSeconds(1));
    }
    List<HostState> values = hosts.readValuesToList();
    assertThat(values)
        .extracting(v -> v == null ? null : v.getLiveness())
        .containsExactly(Liveness.ONLINE, Liveness.SUSPICIOUS, Liveness.OFFLINE, null);
  }

  @Test
  void aStaleHeartbeatIsDroppedAndCounted() {
    send(hb("h1", 5, T0));
    send(hb("h1", 4, T0.minusSeconds(3)));
    send(hb("h1", 5, T0.minusMillis(1)));

    assertThat(hosts.readValuesToList()).hasSize(1);
    assertThat(stored("h1").getLastSequence()).isEqualTo(5);
    assertThat(metricTotal(IngestTopology.METRIC_STALE)).isEqualTo(2.0);
  }

  @Test
  void aDuplicateHeartbeatChangesNothing() {
    HostHeartbeat first = hb("h1", 5, T0);
    send(first);
    HostState before = stored("h1");
    hosts.readRecord();

    driver.advanceWallClockTime(Duration.ofSeconds(9));
    send(first);
    driver.advanceWallClockTime(Duration.ofSeconds(1));

    assertThat(stored("h1"))
        .isEqualTo(
            HostState.newBuilder(before)
                .setLiveness(Liveness.SUSPICIOUS)
                .setLivenessChangedAt(T0.plusSeconds(10))
                .build());
    assertThat(hosts.readValuesToList())
        .extracting(HostState::getLiveness)
        .containsExactly(Liveness.SUSPICIOUS);
    assertThat(metricTotal(IngestTopology.METRIC_DUPLICATE)).isEqualTo(1.0);
    assertThat(metricTotal(IngestTopology.METRIC_STALE)).isEqualTo(0.0);
  }

  @Test
  void newerHeartbeatsReplaceLoadInOrder() {
    send(hb("h1", 1, T0));
    HostHeartbeat second = hb("h1", 2, T0.plusSeconds(3));
    second.getLoad().setConcurrentUploads(7);
    driver.advanceWallClockTime(Duration.ofSeconds(3));
    send(second);

    assertThat(hosts.readValuesToList())
        .extracting(s -> s.getLoad().getConcurrentUploads())
        .containsExactly(3, 7);
    assertThat(stored("h1").getLastSeen()).isEqualTo(T0.plusSeconds(3));
    assertThat(stored("h1").getFirstSeen()).isEqualTo(T0);
  }

  @Test
  void aTimestampAheadOfTheClockIsNotStoredAsTheNewestState() {
    // issue 18: a heartbeat within the skew but ahead, with a large sequence, must not make the
    // host's real heartbeats that follow look stale
    send(hb("h1", 5, T0));
    HostHeartbeat forged =
        Heartbeats.valid("h1", 1_000_000, T0.plusSeconds(25))
            .setPieceServerAddress("6.6.6.6:1")
            .build();
    send(forged);
    assertThat(stored("h1").getLastSeen()).isEqualTo(T0);

    driver.advanceWallClockTime(Duration.ofSeconds(3));
    send(hb("h1", 6, T0.plusSeconds(3)));
    assertThat(stored("h1").getPieceServerAddress()).isEqualTo("10.0.0.7:65001");
    assertThat(stored("h1").getLastSequence()).isEqualTo(6);
  }

  @Test
  void aHeartbeatThatMovesOnlyItsSequenceAndTimeIsNotPublishedUntilTheRefresh() {
    send(hb("h1", 1, T0));
    assertThat(hosts.readValuesToList()).hasSize(1);

    driver.advanceWallClockTime(Duration.ofSeconds(3));
    send(hb("h1", 2, T0.plusSeconds(3)));
    assertThat(hosts.isEmpty()).as("nothing readers use changed, 3 s < the 5 s refresh").isTrue();
    assertThat(metricTotal(IngestTopology.METRIC_UNPUBLISHED)).isEqualTo(1.0);
    // the store (and so its changelog, and a restart) still has the heartbeat
    assertThat(stored("h1").getLastSequence()).isEqualTo(2);
    assertThat(stored("h1").getLastSeen()).isEqualTo(T0.plusSeconds(3));

    driver.advanceWallClockTime(Duration.ofSeconds(2));
    send(hb("h1", 3, T0.plusSeconds(5)));
    HostState refreshed = hosts.readRecord().value();
    assertThat(refreshed.getLastSequence()).as("published: the last one is 5 s old").isEqualTo(3);
    assertThat(refreshed.getLastSeen()).isEqualTo(T0.plusSeconds(5));
    assertThat(refreshed).isEqualTo(stored("h1"));
    assertThat(hosts.isEmpty()).isTrue();
  }

  static Stream<Arguments> changesReadersSee() {
    return Stream.of(
        edit("load", hb -> hb.getLoad().setTxBytesPerSec(1)),
        edit("load, a field no reader reads today", hb -> hb.getLoad().setCpuUsage(0.5)),
        edit("capacity", hb -> hb.getCapacity().setMaxTasks(9)),
        edit("tags", hb -> hb.setTags(new ArrayList<>(List.of("gpu")))),
        edit("piece server", hb -> hb.setPieceServerAddress("10.0.0.8:65001")),
        edit("idc", hb -> hb.setIdc("idc-b")),
        edit("disable_shared", hb -> hb.setDisableShared(true)),
        edit("agent version", hb -> hb.setAgentVersion("0.2.0")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changesReadersSee")
  void aHeartbeatThatChangesAnythingElseIsPublishedAtOnce(
      String what, Consumer<HostHeartbeat> edit) {
    send(hb("h1", 1, T0));
    hosts.readRecord();

    driver.advanceWallClockTime(Duration.ofSeconds(1));
    HostHeartbeat next = hb("h1", 2, T0.plusSeconds(1));
    edit.accept(next);
    send(next);

    HostState out = hosts.readRecord().value();
    assertThat(out.getLastSequence()).isEqualTo(2);
    assertThat(out).isEqualTo(stored("h1"));
    assertThat(metricTotal(IngestTopology.METRIC_UNPUBLISHED)).isZero();
  }

  @Test
  void anUnpublishedHeartbeatStillKeepsTheHostAlive() {
    send(hb("h1", 1, T0));
    driver.advanceWallClockTime(Duration.ofSeconds(3));
    send(hb("h1", 2, T0.plusSeconds(3)));
    hosts.readRecordsToList();

    // silence counts from the unpublished heartbeat (3 s), not from the published one (0 s)
    driver.advanceWallClockTime(Duration.ofSeconds(9));
    assertThat(hosts.isEmpty()).isTrue();
    driver.advanceWallClockTime(Duration.ofSeconds(1));
    HostState suspicious = hosts.readRecord().value();
    assertThat(suspicious.getLiveness()).isEqualTo(Liveness.SUSPICIOUS);
    assertThat(suspicious.getLastSequence()).isEqualTo(2);
    assertThat(suspicious.getLastSeen()).isEqualTo(T0.plusSeconds(3));

    // and coming back is a change readers use: published at once
    send(hb("h1", 3, T0.plusSeconds(13)));
    assertThat(hosts.readRecord().value().getLiveness()).isEqualTo(Liveness.ONLINE);
  }

  @Test
  void aRefreshOfZeroPublishesEveryHeartbeat() {
    restartWith(IngestConfig.defaults(REGISTRY).withPublishRefresh(Duration.ZERO));

    send(hb("h1", 1, T0));
    send(hb("h1", 2, T0.plusMillis(1)));
    send(hb("h1", 3, T0.plusMillis(2)));

    assertThat(hosts.readValuesToList())
        .extracting(HostState::getLastSequence)
        .containsExactly(1L, 2L, 3L);
    assertThat(metricTotal(IngestTopology.METRIC_UNPUBLISHED)).isZero();
  }

  /** A new driver (new state) over a topology built from another configuration. */
  private void restartWith(IngestConfig config) {
    driver.close();
    open(config, "-2");
  }

  @Test
  void anAcceptedHeartbeatIsOneChangelogRecordHoldingStateAndHeardTime() {
    TestOutputTopic<String, byte[]> changelog =
        driver.createOutputTopic(
            "ingest-topology-test-" + IngestTopology.HOST_STORE + "-changelog",
            new StringDeserializer(),
            new ByteArrayDeserializer());
    driver.advanceWallClockTime(Duration.ofMillis(250));
    send(hb("h1", 1, T0));

    assertThat(changelog.readRecordsToList())
        .singleElement()
        .satisfies(r -> assertThat(r.key()).isEqualTo("h1"));
    assertThat(store().get("h1").heardMs())
        .as("ingest's clock when it accepted the heartbeat")
        .isEqualTo(T0.toEpochMilli() + 250);
    assertThat(store().get("h1").state()).isEqualTo(hosts.readValue());
    assertThat(IngestTopology.build(IngestConfig.defaults(REGISTRY)).describe().toString())
        .as("no second store per heartbeat")
        .doesNotContain("ingest-last-heard");
  }

  @Test
  void everyInternalResourceIsNamed() {
    String description =
        IngestTopology.build(IngestConfig.defaults(REGISTRY)).describe().toString();
    assertThat(description)
        .contains(
            IngestTopology.SOURCE,
            IngestTopology.DECODE,
            IngestTopology.HOST_STATE,
            IngestTopology.HOSTS_SINK,
            IngestTopology.HOST_STORE,
            IngestTopology.HOST_KEY_STORE,
            IngestTopology.KEYS_SOURCE,
            IngestTopology.KEYS_APPLY,
            IngestTopology.BINDINGS_SINK);
    assertThat(description).doesNotContainPattern("KSTREAM-[A-Z]+-\\d+");
  }
}
