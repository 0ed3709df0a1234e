package io.swarmsched.dispatcher.topology;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;

/**
 * One phase of the {@link DispatcherLoadHarness}: its inputs serialized ahead of the timed loop,
 * piped in batches, the decisions drained (each handed to the harness's digest) and the changelog
 * bytes counted.
 */
final class HarnessRun {
  /**
   * One input, serialized before the timed loop so the harness's own Avro encoding is not counted.
   */
  record In(TestInputTopic<String, byte[]> topic, String key, byte[] value, long ts) {}

  final DispatcherFixture f;
  final TestInputTopic<String, byte[]> requests;
  final TestInputTopic<String, byte[]> peerEvents;
  final TestInputTopic<String, byte[]> pieceEvents;
  final Serializer<ScheduleRequest> requestSer;
  final Serializer<PeerEvent> peerSer;
  final Serializer<PieceEvent> pieceSer;
  final Consumer<ScheduleDecision> onDecision;
  final Map<DecisionOutcome, Integer> outcomes = new EnumMap<>(DecisionOutcome.class);
  long changelogBytes;
  long changelogRecords;

  HarnessRun(DispatcherFixture f, Consumer<ScheduleDecision> onDecision) {
    this.onDecision = onDecision;
    this.f = f;
    StringSerializer keys = new StringSerializer();
    requests =
        f.driver.createInputTopic(Topics.SCHEDULE_REQUESTS.name(), keys, new ByteArraySerializer());
    peerEvents =
        f.driver.createInputTopic(Topics.PEER_EVENTS.name(), keys, new ByteArraySerializer());
    pieceEvents =
        f.driver.createInputTopic(Topics.PIECE_EVENTS.name(), keys, new ByteArraySerializer());
    requestSer = SpecificAvroSerde.of(ScheduleRequest.class, f.config.serdeConfig()).serializer();
    peerSer = SpecificAvroSerde.of(PeerEvent.class, f.config.serdeConfig()).serializer();
    pieceSer = SpecificAvroSerde.of(PieceEvent.class, f.config.serdeConfig()).serializer();
  }

  In request(ScheduleRequest r) {
    return new In(
        requests,
        r.getTaskId(),
        requestSer.serialize(Topics.SCHEDULE_REQUESTS.name(), r),
        r.getTimestamp().toEpochMilli());
  }

  In peer(String task, String peer, String host, PeerEventType type, long at) {
    PeerEvent e =
        PeerEvent.newBuilder()
            .setEventId("pe-" + task + "-" + peer + "-" + at)
            .setTaskId(task)
            .setPeerId(peer)
            .setHostId(host)
            .setType(type)
            .setPiecesFinished(1)
            .setPieceCount(64)
            .setTimestamp(Instant.ofEpochMilli(at))
            .build();
    return new In(peerEvents, task, peerSer.serialize(Topics.PEER_EVENTS.name(), e), at);
  }

  In piece(
      String task,
      String peer,
      String host,
      String parentPeer,
      String parentHost,
      PieceOutcome outcome,
      long cost,
      int number,
      long at) {
    PieceEvent e =
        PieceEvent.newBuilder()
            .setEventId("pc-" + task + "-" + peer + "-" + at)
            .setTaskId(task)
            .setPeerId(peer)
            .setHostId(host)
            .setPieceNumber(number)
            .setOutcome(outcome)
            .setSource(PieceSource.PARENT)
            .setParentPeerId(parentPeer)
            .setParentHostId(parentHost)
            .setBytes(4 << 20)
            .setCostMillis(cost)
            .setTimestamp(Instant.ofEpochMilli(at))
            .build();
    return new In(pieceEvents, task, pieceSer.serialize(Topics.PIECE_EVENTS.name(), e), at);
  }

  /**
   * Pipes the inputs in batches, draining outputs between batches; returns the CPU ns of the piping
   * alone.
   */
  long pipe(List<In> inputs) {
    long total = 0;
    for (int i = 0; i < inputs.size(); i += 50) {
      long c0 = DispatcherLoadHarness.cpu();
      for (In in : inputs.subList(i, Math.min(inputs.size(), i + 50)))
        in.topic().pipeInput(in.key(), in.value(), in.ts());
      total += DispatcherLoadHarness.cpu() - c0;
      drain();
    }
    return total;
  }

  void drain() {
    for (String topic : f.driver.producedTopicNames()) {
      if (topic.equals(Topics.SCHEDULE_DECISIONS.name())) {
        for (ScheduleDecision d : f.readDecisions()) {
          outcomes.merge(d.getOutcome(), 1, Integer::sum);
          onDecision.accept(d);
        }
      } else {
        TestOutputTopic<byte[], byte[]> out =
            f.driver.createOutputTopic(
                topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (TestRecord<byte[], byte[]> r : out.readRecordsToList()) {
          if (topic.endsWith("-changelog")) {
            changelogRecords++;
            changelogBytes +=
                (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
          }
        }
      }
    }
  }

  String takeChangelog(int events) {
    String s =
        String.format(
            "%,.0f B in %.2f changelog records/event",
            (double) changelogBytes / events, (double) changelogRecords / events);
    changelogBytes = 0;
    changelogRecords = 0;
    return s;
  }
}
