package io.swarmsched.dispatcher.topology;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.deadletter.DeadLetterDeserializationHandler;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.ScoreWindow;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/** A dispatcher topology on a TopologyTestDriver, with builders for every input. */
final class DispatcherFixture implements AutoCloseable {
  static final long T0 = 1_700_000_000_000L;

  final String scope = "dispatcher-" + UUID.randomUUID();
  final DispatcherConfig config;
  final TopologyTestDriver driver;
  final TestInputTopic<String, ScheduleRequest> requests;
  final TestInputTopic<String, PeerEvent> peerEvents;
  final TestInputTopic<String, PieceEvent> pieceEvents;
  final TestInputTopic<String, HostState> hosts;
  final TestInputTopic<String, HostScore> scores;
  final TestInputTopic<String, byte[]> rawRequests;
  final TestOutputTopic<String, ScheduleDecision> decisions;
  final TestOutputTopic<String, PeerEvent> peerEventsOut;
  final TestOutputTopic<byte[], byte[]> deadLetters;
  private int clockEvents;

  DispatcherFixture() {
    this(Map.of());
  }

  DispatcherFixture(Map<String, String> overrides) {
    this(overrides, null);
  }

  /** With {@code serviceKey} signing what the dispatcher writes itself (null: unsigned). */
  DispatcherFixture(
      Map<String, String> overrides, io.swarmsched.runtime.auth.HostKeyPair serviceKey) {
    Map<String, String> values = new java.util.HashMap<>(overrides);
    values.put(DispatcherConfig.SCHEMA_REGISTRY_URL, MockSchemaRegistry.MOCK_URL_PREFIX + scope);
    values.putIfAbsent(DispatcherConfig.APPLICATION_ID, "dispatcher-test");
    config = DispatcherConfig.from(values);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterDeserializationHandler.class);
    try {
      props.put(
          StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("dispatcher-ttd").toString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    driver =
        new TopologyTestDriver(
            DispatcherTopology.build(
                config, new io.swarmsched.dispatcher.state.HostIndex(), serviceKey),
            props,
            Instant.ofEpochMilli(T0));
    Map<String, String> serdeConfig = config.serdeConfig();
    StringSerializer keys = new StringSerializer();
    requests =
        driver.createInputTopic(
            Topics.SCHEDULE_REQUESTS.name(),
            keys,
            serde(ScheduleRequest.class, serdeConfig).serializer());
    peerEvents =
        driver.createInputTopic(
            Topics.PEER_EVENTS.name(), keys, serde(PeerEvent.class, serdeConfig).serializer());
    pieceEvents =
        driver.createInputTopic(
            Topics.PIECE_EVENTS.name(), keys, serde(PieceEvent.class, serdeConfig).serializer());
    hosts =
        driver.createInputTopic(
            Topics.HOSTS.name(), keys, serde(HostState.class, serdeConfig).serializer());
    scores =
        driver.createInputTopic(
            Topics.HOST_SCORES.name(), keys, serde(HostScore.class, serdeConfig).serializer());
    rawRequests =
        driver.createInputTopic(Topics.SCHEDULE_REQUESTS.name(), keys, new ByteArraySerializer());
    decisions =
        driver.createOutputTopic(
            Topics.SCHEDULE_DECISIONS.name(),
            new StringDeserializer(),
            serde(ScheduleDecision.class, serdeConfig).deserializer());
    peerEventsOut =
        driver.createOutputTopic(
            Topics.PEER_EVENTS.name(),
            new StringDeserializer(),
            serde(PeerEvent.class, serdeConfig).deserializer());
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTERS.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static <T extends SpecificRecord> Serde<T> serde(
      Class<T> type, Map<String, String> config) {
    return SpecificAvroSerde.of(type, config);
  }

  @Override
  public void close() {
    driver.close();
    MockSchemaRegistry.dropScope(scope);
  }

  // ------------------------------------------------------------ inputs

  void host(String id, HostType type, Liveness liveness) {
    host(id, type, liveness, false);
  }

  void host(String id, HostType type, Liveness liveness, boolean disableShared) {
    hosts.pipeInput(id, hostState(id, type, liveness, disableShared).build(), T0);
  }

  static HostState.Builder hostState(
      String id, HostType type, Liveness liveness, boolean disableShared) {
    return HostState.newBuilder()
        .setHostId(id)
        .setPieceServerAddress(id + ":4000")
        .setType(type)
        .setIdc("idc-a")
        .setLocation("cn|zj|hz")
        .setDisableShared(disableShared)
        .setCapacity(
            HostCapacity.newBuilder()
                .setMaxTxBytesPerSec(100L << 20)
                .setUploadSlotLimit(50)
                .build())
        .setLoad(HostLoad.newBuilder().build())
        .setLastSequence(1)
        .setLastSeen(Instant.ofEpochMilli(T0))
        .setFirstSeen(Instant.ofEpochMilli(T0))
        .setLiveness(liveness)
        .setLivenessChangedAt(Instant.ofEpochMilli(T0));
  }

  void score(String hostId, double peak, double duration, double concurrency) {
    scores.pipeInput(
        hostId,
        HostScore.newBuilder()
            .setHostId(hostId)
            .setLoadQuality(0.5 * peak + 0.3 * duration + 0.2 * concurrency)
            .setPeakBandwidthUsage(peak)
            .setBandwidthDurationRatio(duration)
            .setConcurrentEfficiency(concurrency)
            .setWindow(
                ScoreWindow.newBuilder()
                    .setHorizonBuckets(60)
                    .setPeakTxBytesPerSec(0)
                    .setSaturatedBuckets(0)
                    .setConcurrentUploads(0)
                    .setMaxTxBytesPerSec(100L << 20)
                    .setWindowEnd(Instant.ofEpochMilli(T0))
                    .build())
            .setComputedAt(Instant.ofEpochMilli(T0))
            .build(),
        T0);
  }

  static ScheduleRequest.Builder request(
      String requestId, String taskId, String peerId, String hostId, long at) {
    return ScheduleRequest.newBuilder()
        .setRequestId(requestId)
        .setTaskId(taskId)
        .setPeerId(peerId)
        .setHostId(hostId)
        .setUrl("https://origin/" + taskId)
        .setTimestamp(Instant.ofEpochMilli(at));
  }

  void send(ScheduleRequest r) {
    requests.pipeInput(r.getTaskId(), r, r.getTimestamp().toEpochMilli());
  }

  void peer(String taskId, String peerId, String hostId, PeerEventType type, long at) {
    peerEvents.pipeInput(
        taskId,
        PeerEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setTaskId(taskId)
            .setPeerId(peerId)
            .setHostId(hostId)
            .setType(type)
            .setPiecesFinished(type == PeerEventType.REGISTERED ? 0 : 1)
            .setTimestamp(Instant.ofEpochMilli(at))
            .build(),
        at);
  }

  void piece(
      String taskId,
      String peerId,
      String hostId,
      String parentPeer,
      String parentHost,
      PieceOutcome outcome,
      long cost,
      long at) {
    pieceEvents.pipeInput(
        taskId,
        PieceEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setTaskId(taskId)
            .setPeerId(peerId)
            .setHostId(hostId)
            .setPieceNumber(0)
            .setOutcome(outcome)
            .setSource(parentPeer == null ? PieceSource.ORIGIN : PieceSource.PARENT)
            .setParentPeerId(parentPeer)
            .setParentHostId(parentHost)
            .setBytes(1024)
            .setCostMillis(cost)
            .setTimestamp(Instant.ofEpochMilli(at))
            .build(),
        at);
  }

  /**
   * Advances stream time to {@code at} in 100 ms steps (an unrelated task's events), firing
   * punctuators.
   */
  void advanceTo(long from, long at) {
    for (long t = from; t <= at; t += 100) {
      peerEvents.pipeInput(
          "clock-task",
          PeerEvent.newBuilder()
              .setEventId("clock-" + (clockEvents++))
              .setTaskId("clock-task")
              .setPeerId("clock-peer")
              .setHostId("clock-host")
              .setType(PeerEventType.REGISTERED)
              .setTimestamp(Instant.ofEpochMilli(t))
              .build(),
          t);
    }
  }

  List<ScheduleDecision> readDecisions() {
    List<ScheduleDecision> out = new ArrayList<>();
    for (TestRecord<String, ScheduleDecision> r : decisions.readRecordsToList()) {
      if (!r.key().equals(r.value().getTargetHostId())) {
        throw new AssertionError(
            "decision keyed by " + r.key() + " but targets " + r.value().getTargetHostId());
      }
      out.add(r.value());
    }
    return out;
  }

  static List<ScheduleDecision> terminal(List<ScheduleDecision> all) {
    return all.stream().filter(d -> d.getOutcome() != DecisionOutcome.SEED_TRIGGER).toList();
  }
}
