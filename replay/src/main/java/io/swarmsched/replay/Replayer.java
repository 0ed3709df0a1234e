package io.swarmsched.replay;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.scheduling.evaluator.Evaluators;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.TaskMetadata;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.serde.WireFormat;
import io.swarmsched.topics.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * Runs the dispatcher's own topology ({@link DispatcherTopology}) over a recording, in isolation:
 * one {@link TopologyTestDriver} per recorded task partition (the live dispatcher keeps its task
 * state, retries and optimistic ledger per partition), no broker, no consumer group, and outputs
 * under {@link #OUTPUT_PREFIX}, never the live topics.
 *
 * <p>Order and time: every input (requests, peer and piece events, and the hosts and scores of the
 * global tables, interleaved) is fed in record-timestamp order, table records first at equal
 * timestamps; stream time comes from the records. The drivers' wall clocks follow the records too,
 * stepped by {@code swarm.dispatcher.tick}, so the dispatcher's idle-clock punctuator (which moves
 * retries on a quiet partition in the live run) fires as it would have, without real waiting. The
 * patrol's own LEFT events recorded from the live run are not fed back: the replayed patrol makes
 * its own.
 */
public final class Replayer {
  private Replayer() {}

  /** The namespace of the replay's output topics (inside the drivers; nothing leaves them). */
  public static final String OUTPUT_PREFIX = "replay.";

  /** Event ids of the LEFT events the dispatcher's patrol writes (see the dispatcher's Patrol). */
  static final String PATROL_EVENT_PREFIX = "dispatcher/left/";

  /** Keys a replay sets itself; {@code --set} may not. */
  static final Set<String> RESERVED =
      Set.of(DispatcherConfig.APPLICATION_ID, DispatcherConfig.SCHEMA_REGISTRY_URL);

  /** The policy and settings of a replay. */
  public record Options(
      String policy,
      Map<String, String> settings,
      Duration drain,
      Consumer<Progress> progress,
      TableTiming tableTiming) {
    public Options {
      settings = Map.copyOf(settings);
      if (progress == null) progress = p -> {};
      if (tableTiming == null) tableTiming = TableTiming.RECORDED;
    }

    public Options(
        String policy, Map<String, String> settings, Duration drain, Consumer<Progress> progress) {
      this(policy, settings, drain, progress, TableTiming.RECORDED);
    }

    public static Options of(String policy) {
      return new Options(policy, Map.of(), null, null, TableTiming.RECORDED);
    }

    public Options withTableTiming(TableTiming t) {
      return new Options(policy, settings, drain, progress, t);
    }
  }

  /** How far a replay has got. */
  public record Progress(long done, long total, double seconds) {}

  /** A record that could not be decoded: not fed, counted and listed. */
  public record Undecodable(String coordinates, String reason) {}

  /** What a replay produced. */
  public record Result(
      String policy,
      String policyId,
      String recordedPolicyId,
      Map<String, String> settings,
      List<ScheduleDecision> decisions,
      List<ScheduleDecision> recordedDecisions,
      Map<String, RecordedRecord> requestsById,
      Map<String, Integer> partitionOfTask,
      Map<String, HostState> hosts,
      Map<String, TreeMap<Long, Double>> scoreHistory,
      Map<String, TreeSet<Long>> hostHistory,
      Map<String, TaskMetadata> tasks,
      Map<String, TreeSet<Long>> taskEventTimes,
      List<Undecodable> undecodable,
      Map<String, Long> inputsByTopic,
      long patrolEventsSkipped,
      int lanes,
      double seconds,
      TableTiming tableTiming,
      long tableRecordsRetimed) {}

  /** The policy name that produced a recorded policy id ("load-aware[...]/top4" → load-aware). */
  public static String policyName(String policyId) {
    if (policyId == null) return null;
    int cut = policyId.length();
    for (char c : new char[] {'[', '/'}) {
      int i = policyId.indexOf(c);
      if (i >= 0) cut = Math.min(cut, i);
    }
    return policyId.substring(0, cut);
  }

  /** The configuration a replay runs with; a wrong policy or key is a {@link ReplayException}. */
  public static DispatcherConfig config(String policy, Map<String, String> settings) {
    Set<String> known = DispatcherConfig.defaults().asMap().keySet();
    for (String key : settings.keySet()) {
      if (RESERVED.contains(key)) {
        throw new ReplayException("--set " + key + ": set by the replay itself");
      }
      if (!known.contains(key)) {
        throw new ReplayException(
            "unknown setting '"
                + key
                + "' (a dispatcher key such as "
                + DispatcherConfig.CANDIDATE_LIMIT
                + " or "
                + DispatcherConfig.WEIGHT_LOAD_QUALITY
                + "; see dispatcher/README.md)");
      }
    }
    if (policy != null && !Evaluators.isRegistered(policy)) {
      throw new ReplayException(
          "unknown policy '" + policy + "', expected one of " + Evaluators.names());
    }
    Map<String, String> values = new LinkedHashMap<>(settings);
    if (policy != null) values.put(DispatcherConfig.POLICY, policy.trim().toLowerCase(Locale.ROOT));
    values.put(DispatcherConfig.APPLICATION_ID, "swarmsched-replay");
    values.put(
        DispatcherConfig.SCHEMA_REGISTRY_URL,
        MockSchemaRegistry.MOCK_URL_PREFIX + "replay-" + UUID.randomUUID());
    try {
      return DispatcherConfig.from(values);
    } catch (RuntimeException e) {
      throw new ReplayException(e.getMessage(), e);
    }
  }

  /** One input in feeding order. */
  /**
   * One input: fed at {@code feedAt} (its timestamp, or for a table record the time it reached the
   * live dispatcher, see {@link TableTiming}) and piped with its own timestamp.
   */
  private record Input(RecordedRecord record, int kind, String key, long feedAt) {
    Input(RecordedRecord record, int kind, Object decodedOnce, String key) {
      // the value is decoded again when fed: a million decoded requests and events held at once
      // filled the heap (OutOfMemoryError at 4 M inputs with the default heap)
      this(record, kind, key, record.timestamp());
    }

    Input at(long t) {
      return new Input(record, kind, key, t);
    }
  }

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

  private static final int HOSTS = 0;
  private static final int SCORES = 1;
  private static final int REQUESTS = 2;
  private static final int PEER_EVENTS = 3;
  private static final int PIECE_EVENTS = 4;

  /**
   * Replays {@code recording}.
   *
   * @throws ReplayException when the recording holds no input, or the policy or a setting is
   *     unknown
   */
  public static Result replay(RecordingFile.Recording recording, Options o) {
    long started = System.nanoTime();
    Decoder decoder = new Decoder(recording.schemas());
    List<Undecodable> undecodable = new ArrayList<>();
    List<Input> inputs = new ArrayList<>();
    List<ScheduleDecision> recorded = new ArrayList<>();
    Map<String, RecordedRecord> requestsById = new HashMap<>();
    Map<String, Integer> partitionOfTask = new HashMap<>();
    Map<String, HostState> hosts = new TreeMap<>();
    Map<String, TreeMap<Long, Double>> scoreHistory = new HashMap<>();
    Map<String, TreeSet<Long>> hostHistory = new HashMap<>();
    Map<String, TaskMetadata> tasks = new TreeMap<>();
    Map<String, TreeSet<Long>> taskEventTimes = new HashMap<>();
    Map<String, Long> inputsByTopic = new TreeMap<>();
    Set<Integer> partitions = new TreeSet<>();
    long patrolSkipped = 0;
    for (RecordedRecord r : recording.records()) {
      String topic = r.topic();
      String key = RecordingFile.utf8(r.key());
      try {
        if (topic.equals(Topics.SCHEDULE_DECISIONS.name())) {
          recorded.add(decoder.decode(r, ScheduleDecision.class));
        } else if (topic.equals(Topics.TASK_METADATA.name())) {
          if (r.value() != null && key != null) {
            tasks.put(key, decoder.decode(r, TaskMetadata.class));
          }
        } else if (topic.equals(Topics.HOSTS.name())) {
          HostState h = r.value() == null ? null : decoder.decode(r, HostState.class);
          if (key == null) continue;
          if (h != null) hosts.put(key, h);
          hostHistory.computeIfAbsent(key, k -> new TreeSet<>()).add(r.timestamp());
          inputs.add(new Input(r, HOSTS, h, key));
        } else if (topic.equals(Topics.HOST_SCORES.name())) {
          HostScore s = r.value() == null ? null : decoder.decode(r, HostScore.class);
          if (key == null) continue;
          scoreHistory
              .computeIfAbsent(key, k -> new TreeMap<>())
              .put(r.timestamp(), s == null ? Double.NaN : s.getLoadQuality());
          inputs.add(new Input(r, SCORES, s, key));
        } else if (topic.equals(Topics.SCHEDULE_REQUESTS.name())) {
          ScheduleRequest req = decoder.decode(r, ScheduleRequest.class);
          requestsById.putIfAbsent(req.getRequestId(), r);
          partitionOfTask.putIfAbsent(req.getTaskId(), r.partition());
          partitions.add(r.partition());
          inputs.add(new Input(r, REQUESTS, req, key));
        } else if (topic.equals(Topics.PEER_EVENTS.name())) {
          PeerEvent ev = decoder.decode(r, PeerEvent.class);
          if (ev.getEventId().startsWith(PATROL_EVENT_PREFIX)) {
            patrolSkipped++;
            continue;
          }
          partitions.add(r.partition());
          taskEventTimes.computeIfAbsent(ev.getTaskId(), k -> new TreeSet<>()).add(r.timestamp());
          inputs.add(new Input(r, PEER_EVENTS, ev, key));
        } else if (topic.equals(Topics.PIECE_EVENTS.name())) {
          PieceEvent ev = decoder.decode(r, PieceEvent.class);
          partitions.add(r.partition());
          taskEventTimes.computeIfAbsent(ev.getTaskId(), k -> new TreeSet<>()).add(r.timestamp());
          inputs.add(new Input(r, PIECE_EVENTS, ev, key));
        } else {
          continue;
        }
        inputsByTopic.merge(topic, 1L, Long::sum);
      } catch (RuntimeException e) {
        undecodable.add(new Undecodable(r.coordinates(), Decoder.oneLine(e)));
      }
    }
    if (inputs.stream().noneMatch(i -> i.kind() == REQUESTS)) {
      throw new ReplayException(
          "the recording holds no schedule request to replay ("
              + recording.records().size()
              + " records"
              + (undecodable.isEmpty() ? "" : ", " + undecodable.size() + " undecodable")
              + ")");
    }
    String recordedPolicyId = mostCommonPolicyId(recorded);
    String policy = o.policy() != null ? o.policy() : policyName(recordedPolicyId);
    DispatcherConfig config = config(policy, o.settings());
    long retimed = 0;
    if (o.tableTiming() == TableTiming.RECORDED) {
      ArrivalTimes hostsArrive = ArrivalTimes.of(recorded, requestsById, true);
      ArrivalTimes scoresArrive = ArrivalTimes.of(recorded, requestsById, false);
      for (int i = 0; i < inputs.size(); i++) {
        Input in = inputs.get(i);
        if (in.kind() > SCORES) continue;
        long t = in.record().timestamp();
        long at = (in.kind() == HOSTS ? hostsArrive : scoresArrive).arrival(t);
        if (at != t) {
          inputs.set(i, in.at(at));
          retimed++;
        }
      }
    }
    inputs = feedingOrder(inputs);

    long t0 = inputs.get(0).feedAt();
    Map<Integer, Lane> lanes = new LinkedHashMap<>();
    List<ScheduleDecision> decisions = new ArrayList<>();
    try {
      for (int p : partitions) lanes.put(p, new Lane(config, t0));
      long total = inputs.size();
      long done = 0;
      long tick = config.tick().toMillis();
      long reportEvery = Math.max(1, total / 200);
      for (Input in : inputs) {
        long ts = in.record().timestamp();
        if (in.kind() <= SCORES) {
          RecordedRecord r = in.record();
          HostState hostValue =
              in.kind() == HOSTS && r.value() != null ? decoder.decode(r, HostState.class) : null;
          HostScore scoreValue =
              in.kind() == SCORES && r.value() != null ? decoder.decode(r, HostScore.class) : null;
          for (Lane lane : lanes.values()) {
            lane.advanceTo(in.feedAt(), tick);
            if (in.kind() == HOSTS) lane.hosts.pipeInput(in.key(), hostValue, ts);
            else lane.scores.pipeInput(in.key(), scoreValue, ts);
          }
        } else {
          for (Lane lane : lanes.values()) lane.advanceTo(ts, tick);
          Lane lane = lanes.get(in.record().partition());
          switch (in.kind()) {
            case REQUESTS ->
                lane.requests.pipeInput(
                    in.key(), decoder.decode(in.record(), ScheduleRequest.class), ts);
            case PEER_EVENTS ->
                lane.peerEvents.pipeInput(
                    in.key(), decoder.decode(in.record(), PeerEvent.class), ts);
            default ->
                lane.pieceEvents.pipeInput(
                    in.key(), decoder.decode(in.record(), PieceEvent.class), ts);
          }
        }
        done++;
        if (done % 1000 == 0) {
          for (Lane lane : lanes.values()) lane.drain(decisions);
        }
        if (done % reportEvery == 0 || done == total) {
          o.progress().accept(new Progress(done, total, (System.nanoTime() - started) / 1e9));
        }
      }
      // Requests still waiting at the end of the recording get their rounds: the clocks run on
      // (stream time cannot, without records) for the drain period.
      Duration drain = o.drain() != null ? o.drain() : defaultDrain(config);
      long last = inputs.stream().mapToLong(Input::feedAt).max().orElse(t0);
      for (Lane lane : lanes.values()) {
        lane.advanceTo(last + drain.toMillis(), tick);
        lane.drain(decisions);
      }
    } finally {
      for (Lane lane : lanes.values()) lane.close();
      MockSchemaRegistry.dropScope(MockSchemaRegistry.scopeOf(config.schemaRegistryUrl()));
    }
    decisions.sort(Comparator.comparing(ScheduleDecision::getDecidedAt));
    String policyId =
        decisions.stream().map(ScheduleDecision::getPolicyId).findFirst().orElse(config.policy());
    return new Result(
        config.policy(),
        policyId,
        recordedPolicyId,
        o.settings(),
        decisions,
        recorded,
        requestsById,
        partitionOfTask,
        hosts,
        scoreHistory,
        hostHistory,
        tasks,
        taskEventTimes,
        undecodable,
        inputsByTopic,
        patrolSkipped,
        lanes.size(),
        (System.nanoTime() - started) / 1e9,
        o.tableTiming(),
        retimed);
  }

  /**
   * When the live dispatcher had a table's records, from the recorded decisions' provenance: a
   * record dated {@code t} had not arrived for a decision whose table was as of an earlier time,
   * and had arrived for one whose table was as of {@code t} or later (it can arrive before the
   * requests dated earlier than it are processed: stream time lags the wall clock).
   */
  static final class ArrivalTimes {
    private final long[] asOf;
    private final long[] latestBefore; // the latest moment among asOf[0..i]
    private final long[] earliestFrom; // the earliest moment among asOf[i..]

    /** {@code decisions}: {as of, the moment the decision was made} pairs. */
    ArrivalTimes(List<long[]> decisions) {
      List<long[]> pairs = new ArrayList<>(decisions);
      pairs.sort(Comparator.comparingLong(p -> p[0]));
      int n = pairs.size();
      asOf = new long[n];
      latestBefore = new long[n];
      earliestFrom = new long[n];
      long max = Long.MIN_VALUE;
      for (int i = 0; i < n; i++) {
        asOf[i] = pairs.get(i)[0];
        max = Math.max(max, pairs.get(i)[1]);
        latestBefore[i] = max;
      }
      long min = Long.MAX_VALUE;
      for (int i = n - 1; i >= 0; i--) {
        min = Math.min(min, pairs.get(i)[1]);
        earliestFrom[i] = min;
      }
    }

    /**
     * The pairs of the recorded decisions for the hosts or the scores table. A first-round decision
     * was made when its request was processed, which may be before its stream time.
     */
    static ArrivalTimes of(
        List<ScheduleDecision> recorded, Map<String, RecordedRecord> requests, boolean hosts) {
      List<long[]> pairs = new ArrayList<>();
      for (ScheduleDecision d : recorded) {
        if (d.getProvenance() == null) continue;
        long a = hosts ? d.getProvenance().getHostsAsOf() : d.getProvenance().getScoresAsOf();
        long at = d.getDecidedAt().toEpochMilli();
        RecordedRecord req = requests.get(d.getRequestId());
        if (req != null && d.getAttempt() <= 1) at = Math.min(at, req.timestamp());
        pairs.add(new long[] {a, at});
      }
      return new ArrivalTimes(pairs);
    }

    /**
     * After the last decision that did not have a record dated {@code t}, not after the first that
     * had it, and as near its timestamp as that allows.
     */
    long arrival(long t) {
      int lo = 0;
      int hi = asOf.length; // first index with asOf >= t
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (asOf[mid] < t) lo = mid + 1;
        else hi = mid;
      }
      long f = t;
      if (lo < asOf.length) f = Math.min(f, earliestFrom[lo]);
      if (lo > 0) f = Math.max(f, latestBefore[lo - 1] + 1);
      return f;
    }
  }

  private static final Comparator<Input> HEADS =
      Comparator.comparingLong(Input::feedAt)
          .thenComparingInt(i -> i.kind() <= SCORES ? 0 : 1)
          .thenComparing(i -> i.record().topic())
          .thenComparingInt(i -> i.record().partition())
          .thenComparingLong(i -> i.record().offset());

  /**
   * The order Kafka Streams processes the inputs in: each topic partition in offset order (records
   * of different producers may be out of timestamp order within one), and among the partitions the
   * one whose next record has the smallest timestamp; the tables' records, merged in by the time
   * they reached the dispatcher (first at equal times).
   */
  private static List<Input> feedingOrder(List<Input> inputs) {
    Map<String, java.util.ArrayDeque<Input>> queues = new HashMap<>();
    List<Input> tables = new ArrayList<>();
    for (Input in : inputs) {
      if (in.kind() <= SCORES) {
        tables.add(in);
      } else {
        queues
            .computeIfAbsent(
                in.record().topic() + "-" + in.record().partition(),
                k -> new java.util.ArrayDeque<>())
            .add(in);
      }
    }
    tables.sort(HEADS);
    List<java.util.ArrayDeque<Input>> all = new ArrayList<>();
    all.add(new java.util.ArrayDeque<>(tables));
    for (java.util.ArrayDeque<Input> q : queues.values()) {
      List<Input> sorted = new ArrayList<>(q);
      sorted.sort(Comparator.comparingLong(i -> i.record().offset()));
      all.add(new java.util.ArrayDeque<>(sorted));
    }
    java.util.PriorityQueue<java.util.ArrayDeque<Input>> heads =
        new java.util.PriorityQueue<>((a, b) -> HEADS.compare(a.peek(), b.peek()));
    for (java.util.ArrayDeque<Input> q : all) if (!q.isEmpty()) heads.add(q);
    List<Input> out = new ArrayList<>(inputs.size());
    while (!heads.isEmpty()) {
      java.util.ArrayDeque<Input> q = heads.poll();
      out.add(q.poll());
      if (!q.isEmpty()) heads.add(q);
    }
    return out;
  }

  /** Long enough for any request waiting at the end to fail or go back to source. */
  static Duration defaultDrain(DispatcherConfig c) {
    long rounds = (long) c.failAfterRounds() + 1;
    long retries = (long) (c.retryInterval().toMillis() * (1 + c.retryJitter()) * rounds);
    return Duration.ofMillis(Math.max(retries, c.seedWaitTimeout().toMillis()) + 2_000);
  }

  static String mostCommonPolicyId(List<ScheduleDecision> recorded) {
    return recorded.stream()
        .filter(d -> d.getOutcome() != DecisionOutcome.REJECTED)
        .collect(Collectors.groupingBy(ScheduleDecision::getPolicyId, Collectors.counting()))
        .entrySet()
        .stream()
        .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .orElse(null);
  }

  /** One task partition of the live dispatcher: a driver with the topology and its topics. */
  private static final class Lane implements AutoCloseable {
    final TopologyTestDriver driver;
    final Path stateDir;
    final TestInputTopic<String, ScheduleRequest> requests;
    final TestInputTopic<String, PeerEvent> peerEvents;
    final TestInputTopic<String, PieceEvent> pieceEvents;
    final TestInputTopic<String, HostState> hosts;
    final TestInputTopic<String, HostScore> scores;
    final TestOutputTopic<String, ScheduleDecision> decisions;
    final TestOutputTopic<String, PeerEvent> left;
    long wall;

    Lane(DispatcherConfig config, long startMillis) {
      try {
        stateDir = Files.createTempDirectory("swarmsched-replay");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      java.util.Properties props = new java.util.Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "replay-has-no-broker:9092");
      props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
      props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
      driver =
          new TopologyTestDriver(
              DispatcherTopology.build(config, new HostIndex(), OUTPUT_PREFIX, true),
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
              OUTPUT_PREFIX + Topics.SCHEDULE_DECISIONS.name(),
              new StringDeserializer(),
              SpecificAvroSerde.of(ScheduleDecision.class, serde).deserializer());
      left =
          driver.createOutputTopic(
              OUTPUT_PREFIX + Topics.PEER_EVENTS.name(),
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

    void drain(List<ScheduleDecision> into) {
      while (!decisions.isEmpty()) into.add(decisions.readValue());
      if (!left.isEmpty()) left.readValuesToList(); // the patrol's own: not part of the answer
    }

    @Override
    public void close() {
      try {
        driver.close();
      } finally {
        deleteTree(stateDir);
      }
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

  /** Decodes recorded values with their writer schema into the current classes. */
  static final class Decoder {
    private final Map<Integer, Schema> writers;
    private final Map<String, SpecificDatumReader<?>> readers = new HashMap<>();
    private BinaryDecoder reuse;

    Decoder(Map<Integer, Schema> writers) {
      this.writers = writers;
    }

    @SuppressWarnings("unchecked")
    <T extends SpecificRecord> T decode(RecordedRecord r, Class<T> type) {
      byte[] v = r.value();
      if (v == null) throw new IllegalArgumentException("no value (a tombstone)");
      if (v.length < WireFormat.HEADER_SIZE || v[0] != WireFormat.MAGIC_BYTE) {
        throw new IllegalArgumentException(WireFormat.UNKNOWN_MAGIC_BYTE);
      }
      Schema writer = writers.get(r.schemaId());
      if (writer == null) {
        throw new IllegalArgumentException(
            WireFormat.UNKNOWN_SCHEMA_ID + " " + r.schemaId() + " (not in the recording)");
      }
      SpecificDatumReader<T> reader =
          (SpecificDatumReader<T>)
              readers.computeIfAbsent(
                  r.schemaId() + "/" + type.getName(),
                  k -> {
                    SpecificData model = SpecificData.getForClass(type);
                    return new SpecificDatumReader<T>(writer, model.getSchema(type), model);
                  });
      reuse =
          DecoderFactory.get()
              .binaryDecoder(v, WireFormat.HEADER_SIZE, v.length - WireFormat.HEADER_SIZE, reuse);
      try {
        T out = reader.read(null, reuse);
        if (!reuse.isEnd()) throw new IllegalArgumentException("trailing bytes after the value");
        return out;
      } catch (IOException e) {
        throw new IllegalArgumentException(WireFormat.INVALID_AVRO_BODY + ": " + e.getMessage());
      }
    }

    static String oneLine(Throwable e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      return m.replaceAll("\\s*\\R\\s*", " ").strip();
    }
  }

  static String utf8(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }
}
