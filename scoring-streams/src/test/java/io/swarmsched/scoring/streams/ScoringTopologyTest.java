package io.swarmsched.scoring.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.serde.SpecificAvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoringTopologyTest {
  static final long T0 = 1_700_000_000_000L;
  static final long MAX_TX = 100_000_000L;
  static final long M = 1_000_000L;

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private ScoringConfig config;
  private Serde<PieceEvent> pieceSerde;
  private Serde<HostState> hostSerde;
  private TestInputTopic<String, byte[]> pieces;
  private TestInputTopic<String, byte[]> hosts;
  private TestOutputTopic<String, HostScore> scores;
  private TestOutputTopic<String, byte[]> deadLetters;
  private int eventSeq;

  private void start(UnaryOperator<ScoringConfig> tune) {
    String scope = "scoring-test-" + UUID.randomUUID();
    config = tune.apply(ScoringConfig.forMockRegistry(scope));
    ScoringDriver run =
        new ScoringDriver(ScoringTopology.build(config), config, stateDir, "scoring-test", T0);
    driver = run.driver;
    pieces = run.pieces;
    hosts = run.hosts;
    scores = run.scores;
    deadLetters = run.deadLetters;
    pieceSerde = SpecificAvroSerde.of(PieceEvent.class, config.serdeConfig());
    hostSerde = SpecificAvroSerde.of(HostState.class, config.serdeConfig());
  }

  /** Publication on every change, no rate limit: each heartbeat's evaluation is visible. */
  private void startEager() {
    start(c -> c.withEpsilon(0.0).withMinPublishInterval(Duration.ZERO));
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  // ---- input helpers ------------------------------------------------------------------------

  static HostState hostState(
      String host, long at, long tx, long maxTx, int concurrent, Liveness liveness) {
    return HostState.newBuilder()
        .setHostId(host)
        .setPieceServerAddress(host + ":65002")
        .setIdc("idc-1")
        .setLocation("cn|zj|hz")
        .setCapacity(
            HostCapacity.newBuilder().setMaxTxBytesPerSec(maxTx).setUploadSlotLimit(20).build())
        .setLoad(
            HostLoad.newBuilder().setTxBytesPerSec(tx).setConcurrentUploads(concurrent).build())
        .setLastSequence(at)
        .setLastSeen(Instant.ofEpochMilli(at))
        .setFirstSeen(Instant.ofEpochMilli(T0))
        .setLiveness(liveness)
        .setLivenessChangedAt(Instant.ofEpochMilli(T0))
        .build();
  }

  private void heartbeat(String host, long at, long tx) {
    heartbeat(hostState(host, at, tx, MAX_TX, 0, Liveness.ONLINE), at);
  }

  private void heartbeat(HostState state, long at) {
    hosts.pipeInput(
        state.getHostId(), hostSerde.serializer().serialize(config.hostsTopic(), state), at);
  }

  private PieceEvent piece(String parentHost, long at, long bytes) {
    return PieceEvent.newBuilder()
        .setEventId("e-" + (++eventSeq))
        .setTaskId("task-1")
        .setPeerId("peer-child")
        .setHostId("child-host")
        .setPieceNumber(eventSeq)
        .setOutcome(PieceOutcome.FINISHED)
        .setSource(PieceSource.PARENT)
        .setParentPeerId(parentHost == null ? null : "peer-" + parentHost)
        .setParentHostId(parentHost)
        .setBytes(bytes)
        .setCostMillis(100)
        .setTimestamp(Instant.ofEpochMilli(at))
        .build();
  }

  private void served(String parentHost, long at, long bytes) {
    pipePiece(piece(parentHost, at, bytes), at);
  }

  private void pipePiece(PieceEvent event, long at) {
    pieces.pipeInput(
        event.getTaskId(), pieceSerde.serializer().serialize(config.pieceEventsTopic(), event), at);
  }

  /** Advances stream time with a heartbeat of an unrelated host. */
  private void clock(long at) {
    heartbeat("clock", at, 0);
  }

  private List<HostScore> published(List<TestRecord<String, HostScore>> records, String host) {
    return records.stream().filter(r -> host.equals(r.key())).map(TestRecord::value).toList();
  }

  private Map<String, HostScore> latest(List<TestRecord<String, HostScore>> records) {
    Map<String, HostScore> latest = new LinkedHashMap<>();
    records.forEach(r -> latest.put(r.key(), r.value()));
    return latest;
  }

  private static String header(TestRecord<String, byte[]> record, String name) {
    return DeadLetterHeaders.lastValue(record.headers(), name).orElse(null);
  }

  // ---- tests --------------------------------------------------------------------------------

  @Test
  void everyInternalResourceIsNamedSoTheTopologyBuildsWithExplicitNamingEnforced() {
    startEager();
    TopologyDescription description = ScoringTopology.build(config).describe();
    assertThat(description.toString())
        .contains(
            ScoringTopology.SCORER,
            ScoringTopology.SERVED_REPARTITION,
            ScoringTopology.SCORES_SINK,
            ScoringTopology.SERVED_BYTES_STORE,
            ScoringTopology.SCORES_STORE)
        .doesNotContain("KSTREAM-", "KTABLE-");
  }

  @Test
  void aSaturatedHostScoresLowAndAnIdleHostScoresOne() {
    startEager();
    heartbeat("busy", T0, 0);
    heartbeat("idle", T0, 0);
    for (int s = 0; s < 60; s++) {
      served("busy", T0 + s * 1000L + 500, 90 * M);
    }
    heartbeat("busy", T0 + 59_900, 0);
    heartbeat("idle", T0 + 59_900, 0);

    Map<String, HostScore> latest = latest(scores.readRecordsToList());
    HostScore busy = latest.get("busy");
    // peak 90 of 100 -> 0.1; 60 of 60 buckets >= 80 -> 0; no concurrent upload -> 1
    assertThat(busy.getPeakBandwidthUsage()).isCloseTo(0.1, within(1e-9));
    assertThat(busy.getBandwidthDurationRatio()).isCloseTo(0.0, within(1e-9));
    assertThat(busy.getConcurrentEfficiency()).isEqualTo(1.0);
    assertThat(busy.getLoadQuality()).isCloseTo(0.25, within(1e-9));
    assertThat(busy.getWindow().getSaturatedBuckets()).isEqualTo(60);
    assertThat(busy.getWindow().getPeakTxBytesPerSec()).isEqualTo(90 * M);
    assertThat(busy.getWindow().getServedTxBytes()).isEqualTo(60 * 90 * M);
    assertThat(busy.getWindow().getWindowEnd()).isEqualTo(Instant.ofEpochMilli(T0 + 60_000));
    assertThat(busy.getIdc()).isEqualTo("idc-1");
    assertThat(busy.getPieceServerAddress()).isEqualTo("busy:65002");
    assertThat(latest.get("idle").getLoadQuality()).isEqualTo(1.0);
  }

  @Test
  void aBurstAgesOutOfTheHorizonAndTheIdleHostRecoversWithoutNewEvents() {
    start(c -> c); // default epsilon and once-per-second limit
    heartbeat("h", T0, 0);
    served("h", T0 + 500, 100 * M);
    for (long t = T0 + 1_000; t <= T0 + 62_000; t += 1_000) {
      clock(t);
    }
    List<HostScore> h = published(scores.readRecordsToList(), "h");
    // burst: peak = capacity -> 0; 1 of 60 buckets saturated -> 59/60; no uploads -> 1
    assertThat(h)
        .anySatisfy(
            s -> assertThat(s.getLoadQuality()).isCloseTo(0.3 * 59 / 60 + 0.2, within(1e-9)));
    HostScore last = h.get(h.size() - 1);
    assertThat(last.getLoadQuality()).isEqualTo(1.0);
    assertThat(last.getWindow().getServedTxBytes()).isZero();
    assertThat(last.getComputedAt().toEpochMilli()).isGreaterThanOrEqualTo(T0 + 60_000);
  }

  @Test
  void outOfOrderPieceEventsWithinGraceAreCounted() {
    startEager();
    heartbeat("h", T0, 0);
    served("h", T0 + 10_500, 10 * M);
    served("h", T0 + 5_500, 20 * M); // 5 s behind stream time, grace is 30 s
    heartbeat("h", T0 + 11_000, 0);

    HostScore h = latest(scores.readRecordsToList()).get("h");
    assertThat(h.getWindow().getServedTxBytes()).isEqualTo(30 * M);
    assertThat(h.getWindow().getPeakTxBytesPerSec()).isEqualTo(20 * M);
    assertThat(deadLetters.isEmpty()).isTrue();
  }

  /** Every score published, a grace of 30 s, and 1 MiB served by "h" at stream time 100.5 s. */
  private void startWithAGraceOf30sAndServed1MiB() {
    start(
        c ->
            c.withEpsilon(0.0)
                .withMinPublishInterval(Duration.ZERO)
                .withGrace(Duration.ofSeconds(30)));
    heartbeat("h", T0 + 99_000, 0);
    served("h", T0 + 100_500, 1 * M);
  }

  @Test
  void aPieceEventLaterThanGraceGoesToTheDeadLettersAndIsNotCounted() {
    startWithAGraceOf30sAndServed1MiB();
    served("h", T0 + 50_500, 5 * M); // 50 s behind stream time
    heartbeat("h", T0 + 100_900, 0);

    HostScore h = latest(scores.readRecordsToList()).get("h");
    assertThat(h.getWindow().getServedTxBytes()).isEqualTo(1 * M);
    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).key()).isEqualTo("h");
    assertThat(header(dead.get(0), DeadLetterHeaders.STAGE)).isEqualTo(HostScorer.LATE_STAGE);
    assertThat(header(dead.get(0), DeadLetterHeaders.REASON)).startsWith("late:");
    PieceEvent refused =
        pieceSerde.deserializer().deserialize(config.pieceEventsTopic(), dead.get(0).value());
    assertThat(refused.getBytes()).isEqualTo(5 * M);
  }

  @Test
  void aLatePiecesDeadLetterCarriesTheEventsBytesAsRead() {
    startWithAGraceOf30sAndServed1MiB();
    PieceEvent late = piece("h", T0 + 50_500, 5 * M);
    byte[] asSent = pieceSerde.serializer().serialize(config.pieceEventsTopic(), late);
    pieces.pipeInput(late.getTaskId(), asSent, T0 + 50_500);

    assertThat(deadLetters.readRecordsToList())
        .singleElement()
        .satisfies(d -> assertThat(d.value()).isEqualTo(asSent));
  }

  @Test
  void servedBytesOfAnUnknownHostAreKeptAndCountOnceTheHostAppears() {
    startEager();
    served("newcomer", T0 + 500, 50 * M);
    clock(T0 + 900);
    assertThat(published(scores.readRecordsToList(), "newcomer")).isEmpty();

    heartbeat("newcomer", T0 + 1_000, 0);
    HostScore h = latest(scores.readRecordsToList()).get("newcomer");
    assertThat(h.getWindow().getServedTxBytes()).isEqualTo(50 * M);
    assertThat(h.getPeakBandwidthUsage()).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void aReportedRateFillsBucketsUntilTheNextHeartbeat() {
    startEager();
    heartbeat("h", T0, 90 * M);
    heartbeat("h", T0 + 5_000, 0);
    HostScore h = latest(scores.readRecordsToList()).get("h");
    assertThat(h.getWindow().getSaturatedBuckets()).isEqualTo(5);
    assertThat(h.getWindow().getPeakTxBytesPerSec()).isEqualTo(90 * M);
    assertThat(h.getWindow().getServedTxBytes()).isZero();
  }

  @Test
  void servedTrafficLargerThanReportedWinsInItsBucket() {
    startEager();
    heartbeat("h", T0, 10 * M);
    served("h", T0 + 2_500, 85 * M);
    heartbeat("h", T0 + 3_000, 10 * M);
    HostScore h = latest(scores.readRecordsToList()).get("h");
    assertThat(h.getWindow().getPeakTxBytesPerSec()).isEqualTo(85 * M);
    assertThat(h.getWindow().getSaturatedBuckets()).isEqualTo(1);
  }

  @Test
  void aHostWithUnknownCapacityScoresZero() {
    startEager();
    heartbeat(hostState("h", T0, 10 * M, 0, 2, Liveness.ONLINE), T0);
    HostScore h = latest(scores.readRecordsToList()).get("h");
    assertThat(h.getLoadQuality()).isZero();
    assertThat(h.getPeakBandwidthUsage()).isZero();
    assertThat(h.getBandwidthDurationRatio()).isZero();
    assertThat(h.getConcurrentEfficiency()).isZero();
  }

  @Test
  void aHostIsPublishedAtMostOncePerSecondAndTheHeldBackChangeFollows() {
    start(c -> c.withEpsilon(0.0).withMinPublishInterval(Duration.ofSeconds(1)));
    heartbeat("h", T0, 0);
    heartbeat("h", T0 + 200, 50 * M);
    heartbeat("h", T0 + 400, 90 * M);
    for (long t = T0 + 1_000; t <= T0 + 3_000; t += 500) {
      clock(t);
    }
    List<HostScore> h = published(scores.readRecordsToList(), "h");
    assertThat(h).hasSizeGreaterThanOrEqualTo(2);
    assertThat(h.get(0).getComputedAt().toEpochMilli()).isEqualTo(T0);
    for (int i = 1; i < h.size(); i++) {
      assertThat(
              h.get(i).getComputedAt().toEpochMilli() - h.get(i - 1).getComputedAt().toEpochMilli())
          .isGreaterThanOrEqualTo(1_000);
    }
    assertThat(h.get(1).getWindow().getPeakTxBytesPerSec()).isEqualTo(90 * M);
  }

  @Test
  void aChangeSmallerThanEpsilonIsNotRepublishedAndALargerOneIs() {
    start(c -> c.withEpsilon(0.05).withMinPublishInterval(Duration.ZERO));
    heartbeat("h", T0, 0); // 1.0
    heartbeat("h", T0 + 2_000, 5 * M); // 0.975: moved 0.025 <= 0.05
    heartbeat("h", T0 + 4_000, 20 * M); // 0.9: moved 0.1 > 0.05
    List<HostScore> h = published(scores.readRecordsToList(), "h");
    assertThat(h).hasSize(2);
    assertThat(h.get(0).getLoadQuality()).isEqualTo(1.0);
    assertThat(h.get(1).getLoadQuality()).isCloseTo(0.9, within(1e-9));
  }

  @Test
  void aLivenessChangeIsRepublishedWithAnUnchangedScore() {
    start(c -> c.withEpsilon(0.05).withMinPublishInterval(Duration.ofSeconds(1)));
    heartbeat("h", T0, 0);
    heartbeat(hostState("h", T0, 0, MAX_TX, 0, Liveness.SUSPICIOUS), T0 + 10_000);
    List<HostScore> h = published(scores.readRecordsToList(), "h");
    assertThat(h)
        .extracting(HostScore::getLiveness)
        .containsExactly(Liveness.ONLINE, Liveness.SUSPICIOUS);
    assertThat(h).extracting(HostScore::getLoadQuality).containsExactly(1.0, 1.0);
  }

  @Test
  void aHostTombstoneRemovesTheHostsScore() {
    startEager();
    heartbeat("h", T0, 0);
    hosts.pipeInput("h", null, T0 + 1_000);
    List<TestRecord<String, HostScore>> records = scores.readRecordsToList();
    assertThat(records).hasSize(2);
    assertThat(records.get(1).key()).isEqualTo("h");
    assertThat(records.get(1).value()).isNull();
  }

  @Test
  void aHostThatComesBackAfterATombstoneIsReScoredAsWhatItServedBeforeAgesOut() {
    start(c -> c);
    heartbeat("h", T0, 0);
    served("h", T0 + 500, 100 * M);
    clock(T0 + 1_000);
    hosts.pipeInput("h", null, T0 + 1_500);
    // back: what it served half a second before still counts in its horizon
    heartbeat("h", T0 + 2_000, 0);
    for (long t = T0 + 3_000; t <= T0 + 63_000; t += 1_000) {
      clock(t);
    }
    List<TestRecord<String, HostScore>> records = scores.readRecordsToList();
    List<HostScore> back =
        records.stream()
            .filter(r -> "h".equals(r.key()) && r.timestamp() >= T0 + 2_000)
            .map(TestRecord::value)
            .toList();
    assertThat(back.get(0).getWindow().getServedTxBytes()).isEqualTo(100 * M);
    HostScore last = back.get(back.size() - 1);
    assertThat(last.getLoadQuality()).isEqualTo(1.0);
    assertThat(last.getWindow().getServedTxBytes()).isZero();
  }

  @Test
  void badRecordsGoToTheDeadLettersWithTheirReasonAndProcessingContinues() {
    startEager();
    byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);
    pieces.pipeInput("task-1", garbage, T0);
    PieceEvent negative = piece("h", T0, -5);
    pipePiece(negative, T0);
    pipePiece(piece(null, T0, 10), T0);
    heartbeat(hostState("bad", T0, -1, MAX_TX, 0, Liveness.ONLINE), T0);
    heartbeat("h", T0 + 100, 0);

    List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).hasSize(4);
    assertThat(dead.get(0).value()).isEqualTo(garbage);
    assertThat(header(dead.get(0), DeadLetterHeaders.STAGE)).isEqualTo(ScoringTopology.PIECE_STAGE);
    assertThat(header(dead.get(0), DeadLetterHeaders.REASON)).startsWith("deserialization failed");
    assertThat(header(dead.get(0), DeadLetterHeaders.SOURCE_TOPIC))
        .isEqualTo(config.pieceEventsTopic());
    assertThat(header(dead.get(1), DeadLetterHeaders.REASON))
        .contains("bytes")
        .contains("negative");
    assertThat(header(dead.get(2), DeadLetterHeaders.REASON)).contains("parent_host_id");
    assertThat(header(dead.get(3), DeadLetterHeaders.STAGE)).isEqualTo(ScoringTopology.HOST_STAGE);
    assertThat(header(dead.get(3), DeadLetterHeaders.REASON)).contains("load.tx_bytes_per_sec");

    assertThat(latest(scores.readRecordsToList())).containsOnlyKeys("h");
  }
}
