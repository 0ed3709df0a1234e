package io.swarmsched.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.WireFormat;
import io.swarmsched.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays of a history made on a TopologyTestDriver (SyntheticHistory's "live run"): with the
 * recorded policy every decision is reproduced; with another policy the report's figures are those
 * of the replayed decisions; bad input is refused with one line, undecodable records are counted.
 */
class ReplayTest {
  @TempDir static Path dir;
  static Path file;
  static RecordingFile.Recording recording;

  @BeforeAll
  static void record() {
    file = dir.resolve("history.avro");
    SyntheticHistory.write(SyntheticHistory.generate(SyntheticHistory.Options.small(400)), file);
    recording = RecordingFile.read(file);
  }

  @Test
  void aDriverMadeHistoryReplaysIdenticallyWithTheRecordedPolicy() {
    List<ScheduleDecision> decisions = new ArrayList<>();
    Replayer.Result r =
        Replayer.replay(recording, Replayer.Options.of(null).withOutput(decisions::add));
    Comparison.Result c = r.comparison();

    assertThat(r.policy()).isEqualTo(DispatcherConfig.POLICY_LOAD_AWARE);
    assertThat(r.policyId()).isEqualTo(r.recordedPolicyId());
    assertThat(r.undecodable()).isEmpty();
    assertThat(c.compared()).isGreaterThanOrEqualTo(400);
    assertThat(c.differences()).as("differences").isEmpty();
    assertThat(c.identical()).isEqualTo(c.compared());
    assertThat(c.replayedSeedTriggers()).isEqualTo(c.recordedSeedTriggers()).isPositive();
    // the history exercises the interesting outcomes, or identity would prove little
    Set<DecisionOutcome> outcomes = new HashSet<>();
    decisions.forEach(d -> outcomes.add(d.getOutcome()));
    assertThat(outcomes)
        .contains(
            DecisionOutcome.PARENTS, DecisionOutcome.BACK_TO_SOURCE, DecisionOutcome.SEED_TRIGGER);
    // every replayed decision carries its provenance, with the tables' positions
    assertThat(decisions)
        .allSatisfy(d -> assertThat(d.getProvenance().getScoresAsOf()).isPositive());
    assertThat(decisions)
        .allSatisfy(
            d -> {
              // the driver's tables are one partition each, fed before the first request
              assertThat(d.getProvenance().getHostsPositions()).singleElement().isNotEqualTo(-1L);
              assertThat(d.getProvenance().getScoresPositions()).singleElement().isNotEqualTo(-1L);
            });
    assertThat(
            decisions.stream()
                .filter(d -> d.getOutcome() == DecisionOutcome.PARENTS)
                .allMatch(
                    d ->
                        d.getProvenance().getParentInputs().size() == d.getParents().size()
                            && d.getProvenance().getParentInputs().stream()
                                .allMatch(p -> p.getScoreVersion() > 0)))
        .isTrue();
  }

  @Test
  void scoresThatReachedTheLiveRunLateAreReplayedLateAndEachDifferenceIsNamed() {
    // the live run applied every score 700 ms after its timestamp (scoring-streams committing late)
    RecordingFile.Recording late =
        SyntheticHistory.generate(SyntheticHistory.Options.small(400).withScoreLag(700));

    Replayer.Result recorded = Replayer.replay(late, Replayer.Options.of(null));
    Comparison.Result same = recorded.comparison();
    assertThat(recorded.tableRecordsRetimed()).isPositive();
    assertThat(same.differences()).as("with the recorded table timing").isEmpty();
    assertThat(same.compared()).isGreaterThanOrEqualTo(400);

    Replayer.Result byTimestamp =
        Replayer.replay(
            late, Replayer.Options.of(null).withTableTiming(Replayer.TableTiming.TIMESTAMP));
    Comparison.Result c = byTimestamp.comparison();
    assertThat(byTimestamp.tableRecordsRetimed()).isZero();
    assertThat(c.differences())
        .as("in timestamp order, some decisions see newer scores")
        .isNotEmpty();
    assertThat(c.unexplained()).isZero();
    assertThat(c.differences())
        .anySatisfy(
            d ->
                assertThat(d.cause())
                    .containsPattern(
                        "score (for host|updates of) .*had not arrived at decision"
                            + " time in the live run"));
  }

  @Test
  void arrivalTimesLieBetweenTheDecisionsThatLackedARecordAndThoseThatHadIt() {
    // {table as of, decided at}
    ArrivalTimes times =
        new ArrivalTimes(
            List.of(new long[] {1000, 1500}, new long[] {1000, 1900}, new long[] {2000, 2100}));
    assertThat(times.arrival(900)).isEqualTo(900); // every decision had it: its own time
    assertThat(times.arrival(1200)).isEqualTo(1901); // the decision at 1900 did not have it
    assertThat(times.arrival(1950)).isEqualTo(1950); // later than the last that lacked it
    assertThat(times.arrival(2000)).isEqualTo(2000);
    assertThat(times.arrival(2050)).isEqualTo(2101);
    // dated after a decision that had it: it arrived before its timestamp
    ArrivalTimes early = new ArrivalTimes(List.of(new long[] {1000, 900}, new long[] {3000, 2500}));
    assertThat(early.arrival(2800)).isEqualTo(2500);
    assertThat(early.arrival(1000)).isEqualTo(900);
  }

  @Test
  void anotherPolicyGivesAReportWhoseFiguresAreThoseOfTheReplayedDecisions() throws Exception {
    Path out = dir.resolve("random");
    Replayer.Result r = Replayer.replay(recording, Replayer.Options.of("random").writingTo(out));
    Comparison.Result c = r.comparison();
    WhatIfReport.write(r, out, true);

    assertThat(r.policyId()).startsWith("random");
    assertThat(c.differences()).isNotEmpty();
    assertThat(c.differences()).allSatisfy(d -> assertThat(d.cause()).contains("another policy"));
    JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
    // recount from decisions.jsonl, as an analyst would
    Map<String, Long> byOutcome = new TreeMap<>();
    Map<String, Long> slots = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    long seeds = 0;
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(out.resolve("decisions.jsonl"), StandardCharsets.UTF_8)) {
      JsonNode d = json.readTree(line);
      String outcome = d.get("outcome").asText();
      if (outcome.equals("SEED_TRIGGER")) {
        seeds++;
        continue;
      }
      if (!seen.add(d.get("request_id").asText())) continue;
      byOutcome.merge(outcome, 1L, Long::sum);
      for (JsonNode p : d.get("parents")) slots.merge(p.get("host_id").asText(), 1L, Long::sum);
    }
    if (seeds > 0) byOutcome.put("SEED_TRIGGER", seeds);
    JsonNode replayed = report.get("replayed");
    TypeReference<TreeMap<String, Long>> counts = new TypeReference<>() {};
    assertThat(json.convertValue(replayed.get("byOutcome"), counts)).isEqualTo(byOutcome);
    assertThat(json.convertValue(replayed.get("parentSlotsByHost"), counts)).isEqualTo(slots);
    assertThat(replayed.get("backToSource").asLong())
        .isEqualTo(byOutcome.getOrDefault("BACK_TO_SOURCE", 0L));
    assertThat(report.get("comparison").get("different").asInt()).isEqualTo(c.different());
    assertThat(replayed.get("predicted").get("p50_s").asDouble()).isPositive();
    assertThat(out.resolve("report.md"))
        .content()
        .contains("decisions identical")
        .contains("random")
        .contains("Decisions that differ");
    assertThat(out.resolve("outcomes.png")).isNotEmptyFile();
    assertThat(out.resolve("upload-share.png")).isNotEmptyFile();
  }

  @Test
  void theLiveRunsSettingsAreRecordedWithItsDecisionsAndTheReplayRunsWithThem() {
    Map<String, String> tuned =
        Map.of(
            DispatcherConfig.WEIGHT_IDC,
            "0.05",
            DispatcherConfig.WEIGHT_LOAD_QUALITY,
            "0.75",
            DispatcherConfig.MAX_PARENTS,
            "2");
    RecordingFile.Recording tunedRun =
        SyntheticHistory.generate(SyntheticHistory.Options.small(200).withLiveSettings(tuned));

    Replayer.Result r = Replayer.replay(tunedRun, Replayer.Options.of(null));

    assertThat(r.recordedSettings().inferred()).isFalse();
    assertThat(r.recordedSettings().policy()).isEqualTo(DispatcherConfig.POLICY_LOAD_AWARE);
    assertThat(r.recordedSettings().settings()).containsAllEntriesOf(tuned);
    assertThat(r.settingsSource()).contains("recorded with its decisions").contains("0.75");
    assertThat(r.comparison().compared()).isGreaterThanOrEqualTo(200);
    assertThat(r.comparison().differences()).isEmpty();

    // decisions of a dispatcher from before they recorded their settings: the policy is inferred
    // from the policy id, the rest are this version's defaults (4 parents, not 2), and it says so
    Replayer.Result old =
        Replayer.replay(withoutRecordedSettings(tunedRun), Replayer.Options.of(null));
    assertThat(old.recordedSettings().inferred()).isTrue();
    assertThat(old.settingsSource()).contains("inferred from the policy id");
    assertThat(old.comparison().identical()).isLessThan(old.comparison().compared());
  }

  @Test
  void eventsTheLiveRunTookLateAreFedInItsOrderWhereItsDecisionsRecordedIt() {
    // the live run took each peer and piece event 1.5 s after its timestamp (agents reporting
    // late), so it decided requests before events dated earlier than them
    RecordingFile.Recording late =
        SyntheticHistory.generate(SyntheticHistory.Options.small(400).withEventLag(1500));

    Replayer.Result r = Replayer.replay(late, Replayer.Options.of(null));
    Comparison.Result c = r.comparison();
    assertThat(c.compared()).isGreaterThanOrEqualTo(400);
    // every decision made on an input record is reproduced; what can still differ is a retry made
    // on the wall clock, whose time relative to the late events the recording does not hold
    assertThat(c.differences())
        .as("fed in the recorded order")
        .allSatisfy(d -> assertThat(d.recorded().getProvenance().getInput()).isNull());
    assertThat(c.identical()).isGreaterThanOrEqualTo(c.compared() * 99 / 100);
    assertThat(c.unexplained()).isZero();

    // the same run from a dispatcher before decisions recorded the input positions: fed in
    // timestamp order, decisions made on requests see events the live run had not taken yet
    Replayer.Result old =
        Replayer.replay(
            rewritten(late, p -> p.setInputPositions(Map.of())), Replayer.Options.of(null));
    assertThat(old.comparison().differences())
        .as("fed in timestamp order")
        .anySatisfy(d -> assertThat(d.recorded().getProvenance().getInput()).isNotNull());
    assertThat(old.comparison().identical()).isLessThan(c.identical());
  }

  @Test
  void retriesTheLiveRunMadeOnItsWallClockAreReplayedInTheRoundsItRecorded() {
    // the live dispatcher stalls for 1.5 s every 5 s (no record taken while its wall clock runs
    // on): its partition looks idle, so it runs the waiting retries on its wall clock, at times and
    // positions that no input says
    RecordingFile.Recording stalled =
        SyntheticHistory.generate(SyntheticHistory.Options.small(400).withLiveStalls(1500));
    RecordDecoder decoder = new RecordDecoder(stalled.schemas());
    long wallRounds = 0;
    for (RecordedRecord rec : stalled.records()) {
      if (!rec.topic().equals(Topics.SCHEDULE_DECISIONS.name())) continue;
      ScheduleDecision d = decoder.decode(rec, ScheduleDecision.class);
      for (var round : d.getProvenance().getEarlierRounds()) {
        if (round.getInput() == null) wallRounds++; // not on an input record: a punctuation
      }
    }
    assertThat(wallRounds).as("rounds recorded in punctuations").isPositive();

    Replayer.Result r = Replayer.replay(stalled, Replayer.Options.of(null));
    Comparison.Result c = r.comparison();
    assertThat(c.compared()).isGreaterThanOrEqualTo(400);
    assertThat(c.differences()).as("replayed in the recorded rounds").isEmpty();

    // by the replay's own clock (stream time, a wall clock that follows the records) the retries
    // run in other rounds, and some end otherwise; so do recordings from before rounds were kept
    Replayer.Result own =
        Replayer.replay(
            stalled, Replayer.Options.of(null).withRoundTiming(Replayer.RoundTiming.OWN));
    assertThat(own.comparison().identical()).isLessThan(own.comparison().compared());
    assertThat(own.comparison().unexplained()).isZero();
    Replayer.Result old =
        Replayer.replay(
            rewritten(stalled, p -> p.setEarlierRounds(List.of())), Replayer.Options.of(null));
    assertThat(old.comparison().identical()).isLessThan(c.identical());
    assertThat(old.comparison().unexplained()).isZero();
  }

  @Test
  void theRecordedInputPositionsAreTheOffsetsNextToProcessOfEachInputPartition() {
    RecordDecoder decoder = new RecordDecoder(recording.schemas());
    Map<String, Long> last = new TreeMap<>();
    for (RecordedRecord r : recording.records()) {
      if (!r.topic().equals(Topics.SCHEDULE_DECISIONS.name())) continue;
      ScheduleDecision d = decoder.decode(r, ScheduleDecision.class);
      String input = d.getProvenance().getInput();
      Map<String, Long> at = d.getProvenance().getInputPositions();
      assertThat(at).isNotEmpty();
      if (input != null) {
        // the record the decision was made on is its partition's next one
        int sep = input.lastIndexOf('@');
        assertThat(at)
            .containsEntry(
                input.substring(0, sep), Long.parseLong(input.substring(sep).substring(1)));
      }
      // one task on one driver: positions never go back
      for (Map.Entry<String, Long> e : last.entrySet()) {
        assertThat(at.get(e.getKey())).isGreaterThanOrEqualTo(e.getValue());
      }
      last.putAll(at);
    }
    assertThat(last.keySet())
        .containsExactlyInAnyOrder(
            Topics.SCHEDULE_REQUESTS.name() + "-0",
            Topics.PEER_EVENTS.name() + "-0",
            Topics.PIECE_EVENTS.name() + "-0");
  }

  /** The recording with its decisions' policy and settings taken out of their provenance. */
  private static RecordingFile.Recording withoutRecordedSettings(RecordingFile.Recording rec) {
    return rewritten(
        rec,
        p -> {
          p.setPolicy(null);
          p.setSettings(Map.of());
        });
  }

  /** The recording with its decisions' provenance changed by {@code change}. */
  private static RecordingFile.Recording rewritten(
      RecordingFile.Recording rec,
      java.util.function.Consumer<io.swarmsched.schemas.DecisionProvenance> change) {
    RecordDecoder decoder = new RecordDecoder(rec.schemas());
    SpecificDatumWriter<ScheduleDecision> writer =
        new SpecificDatumWriter<>(
            ScheduleDecision.getClassSchema(), SpecificData.getForClass(ScheduleDecision.class));
    List<RecordedRecord> out = new ArrayList<>();
    for (RecordedRecord r : rec.records()) {
      if (!r.topic().equals(Topics.SCHEDULE_DECISIONS.name())) {
        out.add(r);
        continue;
      }
      ScheduleDecision d = decoder.decode(r, ScheduleDecision.class);
      change.accept(d.getProvenance());
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      bytes.writeBytes(Arrays.copyOf(r.value(), WireFormat.HEADER_SIZE)); // magic byte, schema id
      try {
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(bytes, null);
        writer.write(d, enc);
        enc.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.add(
          new RecordedRecord(
              r.topic(),
              r.partition(),
              r.offset(),
              r.timestamp(),
              r.key(),
              bytes.toByteArray(),
              r.schemaId()));
    }
    return new RecordingFile.Recording(rec.metadata(), out, rec.schemas());
  }

  @Test
  void undecodableRecordsAreCountedAndListedNotFatal() {
    List<RecordedRecord> records = new ArrayList<>(recording.records());
    records.add(
        new RecordedRecord(
            Topics.SCHEDULE_REQUESTS.name(),
            0,
            999_999,
            SyntheticHistory.T0 + 1500,
            "task-x".getBytes(StandardCharsets.UTF_8),
            new byte[] {0, 0, 0, 0, 99, 1, 2, 3},
            99));
    records.add(
        new RecordedRecord(
            Topics.PEER_EVENTS.name(),
            0,
            999_998,
            SyntheticHistory.T0 + 1600,
            "task-x".getBytes(StandardCharsets.UTF_8),
            "not avro".getBytes(StandardCharsets.UTF_8),
            -1));
    Replayer.Result r =
        Replayer.replay(
            new RecordingFile.Recording(recording.metadata(), records, recording.schemas()),
            Replayer.Options.of(null));

    assertThat(r.undecodable())
        .extracting(Replayer.Undecodable::coordinates)
        .containsExactlyInAnyOrder(
            Topics.SCHEDULE_REQUESTS.name() + "-0@999999", Topics.PEER_EVENTS.name() + "-0@999998");
    assertThat(r.undecodable().get(0).reason()).isNotBlank();
    assertThat(r.comparison().differences()).isEmpty();
  }

  @Test
  void badInputIsRefusedWithOneLine() throws Exception {
    assertThatThrownBy(() -> Replayer.replay(recording, Replayer.Options.of("fastest")))
        .isInstanceOf(ReplayException.class)
        .hasMessageContaining("unknown policy 'fastest'")
        .hasMessageContaining("load-aware");
    assertThatThrownBy(
            () ->
                Replayer.replay(
                    recording,
                    new Replayer.Options(
                        null, Map.of("swarm.dispatcher.no.such.key", "1"), null, null)))
        .isInstanceOf(ReplayException.class)
        .hasMessageContaining("unknown setting 'swarm.dispatcher.no.such.key'");
    assertThatThrownBy(
            () ->
                Replayer.replay(
                    recording,
                    new Replayer.Options(
                        null, Map.of(DispatcherConfig.MAX_PARENTS, "lots"), null, null)))
        .isInstanceOf(ReplayException.class)
        .hasMessageContaining(DispatcherConfig.MAX_PARENTS);
    assertThatThrownBy(() -> TopicsOutput.checkPrefix(""))
        .isInstanceOf(ReplayException.class)
        .hasMessageContaining("live topics");
    assertThat(TopicsOutput.checkPrefix("replay-random.")).isEqualTo("replay-random.");
    Path junk = dir.resolve("junk.avro");
    Files.writeString(junk, "this is not a recording");
    assertThatThrownBy(() -> RecordingFile.read(junk))
        .isInstanceOf(ReplayException.class)
        .hasMessageStartingWith("cannot read " + junk + ": not a swarmsched recording");
    assertThatThrownBy(() -> RecordingFile.read(dir.resolve("missing.avro")))
        .isInstanceOf(ReplayException.class)
        .hasMessageContaining("no such file");
    RecordingFile.Recording empty = new RecordingFile.Recording(Map.of(), List.of(), Map.of());
    assertThatThrownBy(() -> Replayer.replay(empty, Replayer.Options.of(null)))
        .isInstanceOf(ReplayException.class)
        .hasMessageContaining("no schedule request");
  }
}
