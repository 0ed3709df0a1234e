package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, findings 2, 6 and 7 on the dispatcher's topology: what it refuses, and that it keeps
 * deciding after.
 */
class DispatcherHostileInputTest {
  private static final byte[] NOT_UTF8 = {(byte) 0xc3, (byte) 0x28, (byte) 0xff};

  private final DispatcherFixture f = new DispatcherFixture();

  @AfterEach
  void close() {
    f.close();
  }

  private TestInputTopic<byte[], byte[]> raw(String topic) {
    return f.driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private void assertStillDeciding(String requestId) {
    f.send(request(requestId, "t-ok", "p-" + requestId, "h1", T0).build());
    assertThat(f.readDecisions()).extracting(ScheduleDecision::getRequestId).contains(requestId);
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    return DeadLetterHeaders.lastValue(r.headers(), name).orElse(null);
  }

  @Test
  void undecodableRecordsOnTheGlobalTablesAreSkippedAndTheDispatcherKeepsRunning() {
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    raw(Topics.HOSTS.name())
        .pipeInput("h1".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0x7f, 0x7f, 1}, T0);
    raw(Topics.HOSTS.name()).pipeInput(NOT_UTF8, new byte[] {9, 9}, T0);
    raw(Topics.HOST_SCORES.name())
        .pipeInput("h1".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(), T0);

    // h1 kept its last good state: its request is decided as before
    assertStillDeciding("r-after-bad-hosts");
  }

  @Test
  void aTombstoneOnTheRequestsTopicIsDeadLetteredWithItsOriginalKey() {
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    raw(Topics.SCHEDULE_REQUESTS.name()).pipeInput(NOT_UTF8, null, T0);

    TestRecord<byte[], byte[]> dead = f.deadLetters.readRecord();
    assertThat(dead.key()).isEqualTo(NOT_UTF8);
    assertThat(dead.value()).isNull();
    assertThat(header(dead, DeadLetterHeaders.REASON)).contains("no value");
    assertThat(header(dead, DeadLetterHeaders.SOURCE_TOPIC))
        .isEqualTo(Topics.SCHEDULE_REQUESTS.name());
    assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
    assertStillDeciding("r-after-tombstone");
  }

  @Test
  void requestsDatedFarAheadOrFarBehindTheClockAreRejectedWithTheReason() {
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    long year2100 = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();
    // the field dated wrong, the record's Kafka timestamp right
    f.requests.pipeInput("t1", request("r-2100", "t1", "p1", "h1", year2100).build(), T0);
    f.requests.pipeInput("t1", request("r-1970", "t1", "p2", "h1", 86_400_000L).build(), T0);
    f.requests.pipeInput(
        "t1", request("r-ts-ahead", "t1", "p3", "h1", T0).build(), T0 + 3_600_000L);

    List<ScheduleDecision> out = f.readDecisions();
    assertThat(out).extracting(ScheduleDecision::getOutcome).containsOnly(DecisionOutcome.REJECTED);
    assertThat(out.get(0).getReason())
        .startsWith("timestamp: 2100-01-01T00:00:00Z is")
        .contains("ahead");
    assertThat(out.get(1).getReason())
        .startsWith("timestamp: 1970-01-02T00:00:00Z is more than 604800 s behind");
    assertThat(out.get(2).getReason()).startsWith("record timestamp:").contains("ahead");
    assertStillDeciding("r-after-clocks");
  }

  @Test
  void aRecordDatedFarAheadMovesNeitherDecisionTimesNorPeerAges() {
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.peer("t-live", "p-live", "h1", PeerEventType.RUNNING, T0);
    // a producer whose clock is 50 min fast: rejected, and its timestamp must not become the
    // dispatcher's clock, which would age p-live past the 30 min no-progress limit (finding 5)
    f.send(request("r-ahead", "t-other", "p9", "h1", T0 + 50 * 60_000L).build());
    f.send(request("r-next", "t-next", "p10", "h1", T0 + 1_000).build());

    List<ScheduleDecision> out = f.readDecisions();
    assertThat(out)
        .filteredOn(d -> d.getRequestId().equals("r-ahead"))
        .singleElement()
        .satisfies(d -> assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.REJECTED));
    assertThat(out)
        .filteredOn(d -> d.getRequestId().equals("r-next"))
        .isNotEmpty()
        .allSatisfy(d -> assertThat(d.getDecidedAt().toEpochMilli()).isLessThan(T0 + 60_000));
    assertThat(f.peerEventsOut.readValuesToList())
        .noneMatch(e -> e.getType() == PeerEventType.LEFT);
  }

  @Test
  void theClockBoundsAreConfiguration() {
    try (DispatcherFixture wide =
        new DispatcherFixture(
            java.util.Map.of(io.swarmsched.dispatcher.DispatcherConfig.MAX_CLOCK_AHEAD, "2h"))) {
      wide.host("h1", HostType.NORMAL, Liveness.ONLINE);
      wide.requests.pipeInput(
          "t1", request("r-ahead", "t1", "p1", "h1", T0 + 3_600_000L).build(), T0);
      assertThat(wide.readDecisions())
          .extracting(ScheduleDecision::getOutcome)
          .doesNotContain(DecisionOutcome.REJECTED);
    }
  }

  private PieceEvent.Builder piece(String host, int number) {
    return PieceEvent.newBuilder()
        .setEventId("e-" + host + number)
        .setTaskId("t1")
        .setPeerId("p1")
        .setHostId(host)
        .setPieceNumber(number)
        .setOutcome(PieceOutcome.FINISHED)
        .setSource(PieceSource.ORIGIN)
        .setBytes(1)
        .setCostMillis(1)
        .setTimestamp(Instant.ofEpochMilli(T0));
  }

  @Test
  void pieceEventsOutOfRangeOrFromAnUnknownHostAreDeadLettered() {
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.peerEvents.pipeInput(
        "t1",
        io.swarmsched.schemas.PeerEvent.newBuilder()
            .setEventId("pe")
            .setTaskId("t1")
            .setPeerId("p1")
            .setHostId("h1")
            .setType(io.swarmsched.schemas.PeerEventType.RUNNING)
            .setPieceCount(16)
            .setTimestamp(Instant.ofEpochMilli(T0))
            .build(),
        T0);
    f.pieceEvents.pipeInput("t1", piece("h1", 2_000_000_000).build(), T0);
    f.pieceEvents.pipeInput("t1", piece("h1", 16).build(), T0);
    f.pieceEvents.pipeInput("t1", piece("nobody", 0).build(), T0);
    f.pieceEvents.pipeInput("t1", piece("h1", 15).build(), T0);

    List<String> reasons =
        f.deadLetters.readRecordsToList().stream()
            .map(r -> header(r, DeadLetterHeaders.REASON))
            .toList();
    assertThat(reasons)
        .containsExactly(
            "piece_number: 2000000000 is not below 16777216",
            "piece_number: 16 is out of range for a task of 16 pieces",
            "host_id: unknown host 'nobody' (not in the hosts table)");
  }

  @Test
  void aDeadLetterKeepsTheOriginalKeyAndValueBytes() {
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    // valid Avro, but its key is not the task id and not UTF-8
    byte[] value =
        SpecificAvroSerde.of(PieceEvent.class, f.config.serdeConfig())
            .serializer()
            .serialize(Topics.PIECE_EVENTS.name(), piece("h1", 0).build());
    raw(Topics.PIECE_EVENTS.name()).pipeInput(NOT_UTF8, value, T0);

    TestRecord<byte[], byte[]> dead = f.deadLetters.readRecord();
    assertThat(dead.key()).isEqualTo(NOT_UTF8);
    assertThat(dead.value()).isEqualTo(value);
    assertThat(header(dead, DeadLetterHeaders.STAGE)).isEqualTo("piece-event-validate");
    assertThat(header(dead, DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
  }
}
