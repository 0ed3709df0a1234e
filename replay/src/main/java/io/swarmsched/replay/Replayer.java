package io.swarmsched.replay;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.TaskMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs the dispatcher's own topology over a recording, in isolation: one {@link Lane} (a
 * TopologyTestDriver) per recorded task partition (the live dispatcher keeps its task state,
 * retries and optimistic ledger per partition), no broker, no consumer group, and outputs under
 * {@link #OUTPUT_PREFIX} inside the drivers, handed to the {@link ReplayOutput}s as they come
 * (never the live topics).
 *
 * <p>Order and time: the events (requests, peer and piece events) are fed in the order Kafka
 * Streams takes them, by record timestamp ({@link RecordedHistory#plan}); stream time comes from
 * the records. The hosts and scores of the global tables reach each lane when they had reached that
 * partition of the live dispatcher (its decisions' provenance says how far its tables had got, in
 * its own stream time), or by timestamp. The drivers' wall clocks follow the records too, stepped
 * by {@code swarm.dispatcher.tick}, so the dispatcher's idle-clock punctuator (which moves retries
 * on a quiet partition in the live run) fires as it would have, without real waiting ({@link
 * LaneFeeder}). The patrol's own LEFT events recorded from the live run are not fed back: the
 * replayed patrol makes its own.
 *
 * <p>Memory: the replayed decisions are not held; they are counted ({@link Side.Tally}), compared
 * ({@link Comparison}) and written out as they are produced.
 */
public final class Replayer {
  private Replayer() {}

  /** The namespace of the replay's output topics inside its drivers. */
  public static final String OUTPUT_PREFIX = "replay.";

  /**
   * The policy and settings of a replay; {@code out}, when given, gets {@code decisions.jsonl} and
   * {@code differences.jsonl} as the replay goes; {@code outputs} get every replayed decision and
   * peer event too (the caller closes them).
   */
  public record Options(
      String policy,
      Map<String, String> settings,
      Duration drain,
      Consumer<Progress> progress,
      TableTiming tableTiming,
      Path out,
      List<ReplayOutput> outputs,
      RoundTiming roundTiming) {
    public Options {
      settings = Map.copyOf(settings);
      if (progress == null) progress = p -> {};
      if (tableTiming == null) tableTiming = TableTiming.RECORDED;
      outputs = outputs == null ? List.of() : List.copyOf(outputs);
      if (roundTiming == null) roundTiming = RoundTiming.RECORDED;
    }

    public Options(
        String policy, Map<String, String> settings, Duration drain, Consumer<Progress> progress) {
      this(policy, settings, drain, progress, TableTiming.RECORDED, null, null, null);
    }

    public static Options of(String policy) {
      return new Options(policy, Map.of(), null, null);
    }

    public Options withTableTiming(TableTiming t) {
      return new Options(policy, settings, drain, progress, t, out, outputs, roundTiming);
    }

    public Options withRoundTiming(RoundTiming t) {
      return new Options(policy, settings, drain, progress, tableTiming, out, outputs, t);
    }

    /** Writes decisions.jsonl and differences.jsonl into {@code dir} as the replay goes. */
    public Options writingTo(Path dir) {
      return new Options(policy, settings, drain, progress, tableTiming, dir, outputs, roundTiming);
    }

    /** Hands every replayed decision and peer event to {@code output} too. */
    public Options withOutput(ReplayOutput output) {
      List<ReplayOutput> all = new ArrayList<>(outputs);
      all.add(output);
      return new Options(policy, settings, drain, progress, tableTiming, out, all, roundTiming);
    }
  }

  /** How far a replay has got. */
  public record Progress(long done, long total, double seconds) {}

  /** A record that could not be decoded: not fed, counted and listed. */
  public record Undecodable(String coordinates, String reason) {}

  /**
   * What a replay produced (its decisions went to the outputs); {@code settings} are the --set
   * ones, on top of the {@code recordedSettings} (as {@code settingsSource} says).
   */
  public record Result(
      String policy,
      String policyId,
      String recordedPolicyId,
      Map<String, String> settings,
      ReplaySettings.Recorded recordedSettings,
      String settingsSource,
      Comparison.Result comparison,
      Side recorded,
      Side replayed,
      Map<String, HostState> hosts,
      Map<String, TaskMetadata> tasks,
      List<Undecodable> undecodable,
      Map<String, Long> inputsByTopic,
      long patrolEventsSkipped,
      int lanes,
      double seconds,
      TableTiming tableTiming,
      long tableRecordsRetimed) {}

  /**
   * When host and score records reach the replay's global tables. In the live run they arrive
   * asynchronously (a score is readable only once scoring-streams commits it), so a request can be
   * decided before a score dated earlier has arrived.
   */
  public enum TableTiming {
    /**
     * As the live dispatcher saw them, reconstructed from the recorded decisions' provenance: a
     * record is applied just after the last recorded decision whose table was as of an earlier time
     * (so that decision did not have it), and never before its own timestamp. The default; the same
     * as {@link #TIMESTAMP} when nothing was recorded late.
     */
    RECORDED,
    /** Strictly in record-timestamp order: what a dispatcher reading the tables instantly sees. */
    TIMESTAMP
  }

  /**
   * When the replay's dispatcher runs its scheduling rounds (retries, the patrol). The live one
   * runs them on stream time and, on a quiet partition, on its wall clock; the rounds that left a
   * request waiting or decided it are recorded with its decision ({@link LiveRounds}).
   */
  public enum RoundTiming {
    /**
     * Where the recording has them (decisions with input positions), the recorded rounds at their
     * places among the inputs: with the recorded policy and settings only those (the replay's own
     * clock takes over for the drain at the end), with another policy those and its own. The
     * default; the same as {@link #OWN} for recordings without them.
     */
    RECORDED,
    /** Only the replay's own: stream time, and a wall clock that follows the records. */
    OWN
  }

  /** The start of the recorded range (the tables' records before it are their starting state). */
  private static long rangeStart(RecordingFile.Recording recording) {
    String from = recording.metadata().get(RecordingFile.META_FROM);
    try {
      return from == null ? Long.MIN_VALUE : java.time.Instant.parse(from).toEpochMilli();
    } catch (java.time.format.DateTimeParseException e) {
      return Long.MIN_VALUE;
    }
  }

  /**
   * Replays {@code recording}.
   *
   * @throws ReplayException when the recording holds no input, or the policy or a setting is
   *     unknown
   */
  public static Result replay(RecordingFile.Recording recording, Options o) {
    long started = System.nanoTime();
    RecordedHistory h = RecordedHistory.read(recording);
    if (h.requests == 0) {
      throw new ReplayException(
          "the recording holds no schedule request to replay ("
              + recording.records().size()
              + " records"
              + (h.undecodable.isEmpty() ? "" : ", " + h.undecodable.size() + " undecodable")
              + ")");
    }
    // refuse a wrong policy or --set key before the recorded settings come in
    ReplaySettings.config(o.policy(), o.settings());
    ReplaySettings.Recorded live = ReplaySettings.recorded(h.decisions());
    String recordedPolicyId = live.policyId();
    String policy = o.policy() != null ? o.policy() : live.policy();
    DispatcherConfig config =
        ReplaySettings.config(policy, ReplaySettings.withRecorded(live, o.settings()));
    // decisions that recorded the tables' positions say exactly what the tables held
    TablePositions positions =
        o.tableTiming() == TableTiming.RECORDED && TablePositions.recorded(h)
            ? new TablePositions(h, rangeStart(recording), config.tick().toMillis())
            : null;
    // the rounds the live dispatcher ran in punctuations, where they ran; with the recorded policy
    // and settings the replay runs only those, as the live run's retries depend on its wall clock
    LiveRounds rounds =
        positions != null && o.roundTiming() == RoundTiming.RECORDED ? new LiveRounds(h) : null;
    if (rounds != null && !rounds.usable()) rounds = null;
    boolean asRecorded =
        !live.inferred()
            && policy.equals(live.policy())
            && ReplaySettings.withRecorded(live, o.settings())
                .equals(ReplaySettings.withRecorded(live, Map.of()));
    RecordedHistory.Plan plan =
        h.plan(o.tableTiming() == TableTiming.RECORDED && positions == null, rounds);

    Side.Tally recorded = new Side.Tally("recorded", h.hosts);
    for (ScheduleDecision d : h.decisions()) recorded.add(d);
    Side.Tally replayed = new Side.Tally("replayed", h.hosts);
    Comparison comparison = new Comparison(h);
    String[] policyId = {null};
    List<ReplayOutput> outputs = new ArrayList<>(o.outputs());
    DifferencesFile differences = null;
    if (o.out() != null) {
      outputs.add(new DecisionsFile(o.out()));
      differences = new DifferencesFile(o.out());
    }
    ReplayOutput fanout =
        new ReplayOutput() {
          @Override
          public void decision(ScheduleDecision d) {
            if (policyId[0] == null) policyId[0] = d.getPolicyId();
            for (ReplayOutput out : outputs) out.decision(d);
            if (d.getOutcome() == DecisionOutcome.SEED_TRIGGER) comparison.seedTrigger();
            if (replayed.add(d)) comparison.replayed(d);
          }

          @Override
          public void peerEvent(String key, PeerEvent e) {
            for (ReplayOutput out : outputs) out.peerEvent(key, e);
          }
        };
    Map<Integer, Lane> lanes = new LinkedHashMap<>();
    Comparison.Result compared;
    try {
      LaneFeeder feeder = new LaneFeeder(h, config, lanes, fanout, o, started);
      if (positions != null) {
        feeder.feedByPositions(plan, positions, rounds, rounds == null || !asRecorded);
      } else {
        feeder.feed(plan);
      }
      String id = policyId[0] != null ? policyId[0] : config.policy();
      compared = comparison.finish(id, differences != null ? differences : d -> {});
      policyId[0] = id;
    } finally {
      for (Lane lane : lanes.values()) lane.close();
      MockSchemaRegistry.dropScope(MockSchemaRegistry.scopeOf(config.schemaRegistryUrl()));
      for (int i = o.outputs().size(); i < outputs.size(); i++) outputs.get(i).close();
      if (differences != null) differences.close();
    }
    return new Result(
        config.policy(),
        policyId[0],
        recordedPolicyId,
        o.settings(),
        live,
        live.describe(o.settings()),
        compared,
        recorded.side(recordedPolicyId == null ? "none" : recordedPolicyId),
        replayed.side(policyId[0]),
        h.hosts,
        h.tasks,
        h.undecodable,
        h.inputsByTopic,
        h.patrolSkipped,
        lanes.size(),
        (System.nanoTime() - started) / 1e9,
        o.tableTiming(),
        positions != null ? positions.late() : plan.retimed());
  }
}
