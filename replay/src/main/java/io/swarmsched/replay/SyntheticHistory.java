package io.swarmsched.replay;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.registry.client.InMemorySchemaRegistryClient;
import io.swarmsched.registry.client.MockSchemaRegistry;
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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * A synthetic dispatcher history: hosts (one super seed) with periodic host and score updates, and
 * tasks whose peers request parents, run, serve pieces to each other and finish, interleaved over
 * time; deterministic for a seed. With {@code live} it is also run through the dispatcher's
 * topology on a TopologyTestDriver (the "live run", on one partition) and that run's decisions are
 * part of the recording, as {@code swarmsched record} would have found them. Tests use it, and
 * {@code swarmsched record --synthetic N} writes one to measure the replay rate.
 */
public final class SyntheticHistory {
  private SyntheticHistory() {}

  /** How often the live run stalls, with {@link Options#withLiveStalls}. */
  static final long STALL_EVERY_MS = 5_000;

  /** 2026-01-01T00:00:00Z: the synthetic history's first instant. */
  public static final long T0 = 1_767_225_600_000L;

  /** What to generate. */
  public record Options(
      int requests,
      int hosts,
      int peersPerTask,
      int concurrentTasks,
      double requestsPerSecond,
      int partitions,
      long seed,
      boolean live,
      long scoreLagMillis,
      Map<String, String> liveSettings,
      long eventLagMillis,
      long liveStallMillis) {
    public Options {
      liveSettings = Map.copyOf(liveSettings);
      if (requests < 1)
        throw new ReplayException("--synthetic must be at least 1, not " + requests);
      if (hosts < 3) throw new IllegalArgumentException("hosts must be >= 3");
      if (live && partitions != 1) {
        throw new IllegalArgumentException("a live run is one partition (one driver)");
      }
    }

    /** A small history with its live run, for tests. */
    public static Options small(int requests) {
      return new Options(requests, 12, 8, 4, 40, 1, 42, true, 0, Map.of(), 0, 0);
    }

    /**
     * The live run applies each score this long after its timestamp, as a live dispatcher does when
     * scoring-streams commits late: its decisions then depend on which scores had arrived.
     */
    public Options withScoreLag(long millis) {
      return with(millis, liveSettings, eventLagMillis, liveStallMillis);
    }

    /**
     * The live run takes each peer and piece event this long after its timestamp (agents reporting
     * late): its dispatcher takes inputs in arrival order, so it decides some requests before
     * events dated earlier than them.
     */
    public Options withEventLag(long millis) {
      return with(scoreLagMillis, liveSettings, millis, liveStallMillis);
    }

    /** The live run's dispatcher runs with these settings (as a deployment's may). */
    public Options withLiveSettings(Map<String, String> settings) {
      return with(scoreLagMillis, settings, eventLagMillis, liveStallMillis);
    }

    /**
     * Every {@link #STALL_EVERY_MS} of the live run, its dispatcher takes no record for this long
     * while its wall clock runs on (a loaded or paused process): its partition looks idle, so it
     * runs retries on its wall clock, at times no input says.
     */
    public Options withLiveStalls(long millis) {
      return with(scoreLagMillis, liveSettings, eventLagMillis, millis);
    }

    private Options with(long scoreLag, Map<String, String> settings, long eventLag, long stall) {
      return new Options(
          requests,
          hosts,
          peersPerTask,
          concurrentTasks,
          requestsPerSecond,
          partitions,
          seed,
          live,
          scoreLag,
          settings,
          eventLag,
          stall);
    }

    /** Inputs only, spread over 6 partitions, for the replay rate. */
    public static Options large(int requests) {
      return new Options(
          requests, 200, 50, 40, 2000, Topics.DEFAULT_PARTITIONS, 7, false, 0, Map.of(), 0, 0);
    }
  }

  /** Generates the history in memory. */
  public static RecordingFile.Recording generate(Options o) {
    String scope = "synthetic-" + UUID.randomUUID();
    String url = MockSchemaRegistry.MOCK_URL_PREFIX + scope;
    Map<String, String> serdeConfig = Map.of("schema.registry.url", url);
    Encoder enc = new Encoder(serdeConfig);
    List<RecordedRecord> in = new ArrayList<>();
    Random rnd = new Random(o.seed());
    int hosts = o.hosts();
    // hosts and their first scores
    for (int h = 0; h < hosts; h++) {
      in.add(enc.record(Topics.HOSTS.name(), 0, hostId(h), host(h, T0), T0));
      in.add(enc.record(Topics.HOST_SCORES.name(), 0, hostId(h), score(h, T0, rnd), T0));
    }
    double gap = 1000.0 / o.requestsPerSecond();
    long end = T0 + 1000 + (long) (o.requests() * gap) + 5000;
    // periodic score (every 2 s) and host (every 10 s) updates, each host at its own phase
    for (long t = T0 + 2000; t < end; t += 2000) {
      for (int h = 0; h < hosts; h++) {
        long at = t + (h * 37L) % 2000;
        in.add(enc.record(Topics.HOST_SCORES.name(), 0, hostId(h), score(h, at, rnd), at));
        if ((t - T0) % 10_000 == 0) {
          in.add(enc.record(Topics.HOSTS.name(), 0, hostId(h), host(h, at), at));
        }
      }
    }
    int per = o.peersPerTask();
    int conc = o.concurrentTasks();
    for (int j = 0; j < o.requests(); j++) {
      long at = T0 + 1000 + (long) (j * gap);
      int task = (j % conc) + conc * (j / (conc * per));
      int k = (j / conc) % per;
      String taskId = "task-" + task;
      int partition = Math.floorMod(taskId.hashCode(), o.partitions());
      String peer = taskId + "/peer-" + k;
      String host = hostId(1 + Math.floorMod(task * 7 + k, hosts - 1));
      boolean first = k == 0;
      ScheduleRequest req =
          ScheduleRequest.newBuilder()
              .setRequestId("req-" + j)
              .setTaskId(taskId)
              .setPeerId(peer)
              .setHostId(host)
              .setUrl("https://origin.example/" + taskId)
              // the first peer of most tasks goes to the origin; every 5th task asks the seed
              .setNeedBackToSource(first && task % 5 != 0)
              .setTimestamp(Instant.ofEpochMilli(at))
              .build();
      in.add(enc.record(Topics.SCHEDULE_REQUESTS.name(), partition, taskId, req, at));
      in.add(
          enc.record(
              Topics.PEER_EVENTS.name(),
              partition,
              taskId,
              peerEvent(
                  "ev-" + j + "-run",
                  taskId,
                  peer,
                  host,
                  first ? PeerEventType.BACK_TO_SOURCE : PeerEventType.RUNNING,
                  0,
                  at + 50),
              at + 50));
      if (!first) {
        String parentPeer = taskId + "/peer-" + (k - 1);
        String parentHost = hostId(1 + Math.floorMod(task * 7 + k - 1, hosts - 1));
        long cost = rnd.nextInt(10) == 0 ? 2000 + rnd.nextInt(2000) : 20 + rnd.nextInt(180);
        PieceEvent piece =
            PieceEvent.newBuilder()
                .setEventId("ev-" + j + "-piece")
                .setTaskId(taskId)
                .setPeerId(peer)
                .setHostId(host)
                .setPieceNumber(0)
                .setOutcome(PieceOutcome.FINISHED)
                .setSource(PieceSource.PARENT)
                .setParentPeerId(parentPeer)
                .setParentHostId(parentHost)
                .setBytes(4 << 20)
                .setCostMillis(cost)
                .setTimestamp(Instant.ofEpochMilli(at + 300))
                .build();
        in.add(enc.record(Topics.PIECE_EVENTS.name(), partition, taskId, piece, at + 300));
      }
      long done = at + 2000 + rnd.nextInt(2000);
      in.add(
          enc.record(
              Topics.PEER_EVENTS.name(),
              partition,
              taskId,
              peerEvent("ev-" + j + "-done", taskId, peer, host, PeerEventType.SUCCEEDED, 16, done),
              done));
    }
    in.sort(Comparator.comparingLong(RecordedRecord::timestamp));
    // offsets as a topic would have given them
    Map<String, Long> next = new HashMap<>();
    List<RecordedRecord> out = new ArrayList<>(in.size());
    for (RecordedRecord r : in) {
      long off = next.merge(r.topic() + "-" + r.partition(), 1L, Long::sum) - 1;
      out.add(
          new RecordedRecord(
              r.topic(), r.partition(), off, r.timestamp(), r.key(), r.value(), r.schemaId()));
    }
    if (o.live())
      out.addAll(
          liveRun(
              out,
              url,
              o.scoreLagMillis(),
              o.eventLagMillis(),
              o.liveStallMillis(),
              o.liveSettings()));
    Map<Integer, Schema> schemas = new HashMap<>();
    InMemorySchemaRegistryClient registry = MockSchemaRegistry.getClientForScope(scope);
    for (RecordedRecord r : out) {
      if (r.schemaId() >= 0) schemas.computeIfAbsent(r.schemaId(), registry::getById);
    }
    MockSchemaRegistry.dropScope(scope);
    Map<String, String> meta = new HashMap<>();
    meta.put(RecordingFile.META_FROM, Instant.ofEpochMilli(T0).toString());
    meta.put(RecordingFile.META_TO, Instant.ofEpochMilli(end).toString());
    meta.put(RecordingFile.META_SOURCE, "synthetic " + o);
    return new RecordingFile.Recording(meta, out, schemas);
  }

  /** Writes a generated history as a recording file. */
  public static long write(RecordingFile.Recording rec, Path file) {
    try (RecordingFile.Writer w =
        new RecordingFile.Writer(file, rec.metadata(), id -> rec.schemas().get(id).toString())) {
      for (RecordedRecord r : rec.records()) w.append(r);
      return w.count();
    }
  }

  /**
   * The "live run": the dispatcher's topology (live topic names) on a driver fed in timestamp
   * order, its wall clock moving with the records as a live dispatcher's would; its decisions as
   * they would have been recorded from the decisions topic.
   */
  private static List<RecordedRecord> liveRun(
      List<RecordedRecord> inputs,
      String url,
      long scoreLag,
      long eventLag,
      long stall,
      Map<String, String> settings) {
    Map<String, String> values = new HashMap<>(settings);
    values.put(DispatcherConfig.SCHEMA_REGISTRY_URL, url);
    values.put(DispatcherConfig.APPLICATION_ID, "synthetic-live");
    DispatcherConfig config = DispatcherConfig.from(values);
    Path dir;
    try {
      dir = Files.createTempDirectory("swarmsched-synthetic");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, "true");
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    long start = inputs.get(0).timestamp();
    List<RecordedRecord> decisions = new ArrayList<>();
    try (TopologyTestDriver driver =
        new TopologyTestDriver(
            DispatcherTopology.build(config), props, Instant.ofEpochMilli(start))) {
      Map<String, TestInputTopic<String, byte[]>> topics = new HashMap<>();
      for (String t :
          List.of(
              Topics.HOSTS.name(),
              Topics.HOST_SCORES.name(),
              Topics.SCHEDULE_REQUESTS.name(),
              Topics.PEER_EVENTS.name(),
              Topics.PIECE_EVENTS.name())) {
        topics.put(
            t, driver.createInputTopic(t, new StringSerializer(), new ByteArraySerializer()));
      }
      TestOutputTopic<String, byte[]> out =
          driver.createOutputTopic(
              Topics.SCHEDULE_DECISIONS.name(),
              new StringDeserializer(),
              new ByteArrayDeserializer());
      long tick = config.tick().toMillis();
      long wall = start;
      List<RecordedRecord> order = new ArrayList<>(inputs);
      // tables first at equal timestamps: the order a replay feeds them in
      java.util.function.ToLongFunction<RecordedRecord> arrives =
          r ->
              r.timestamp()
                  + (r.topic().equals(Topics.HOST_SCORES.name()) ? scoreLag : 0)
                  + (r.topic().equals(Topics.PIECE_EVENTS.name())
                          || r.topic().equals(Topics.PEER_EVENTS.name())
                      ? eventLag
                      : 0);
      order.sort(
          Comparator.comparingLong(arrives)
              .thenComparingInt(r -> isTable(r) ? 0 : 1)
              .thenComparing(RecordedRecord::topic)
              .thenComparingInt(RecordedRecord::partition)
              .thenComparingLong(RecordedRecord::offset));
      // the driver has one partition per topic: its offsets are not the recording's, so each
      // decision's input (topic-0@k) is mapped back to the k-th record piped to that topic
      Map<String, List<RecordedRecord>> piped = new HashMap<>();
      long stalled = 0; // how far the stalls have put the wall clock ahead of the arrivals
      long nextStall = start + STALL_EVERY_MS;
      for (RecordedRecord r : order) {
        piped.computeIfAbsent(r.topic(), k -> new ArrayList<>()).add(r);
        if (stall > 0 && arrives.applyAsLong(r) >= nextStall) {
          stalled += stall;
          nextStall += STALL_EVERY_MS;
        }
        while (wall + tick <= arrives.applyAsLong(r) + stalled) {
          driver.advanceWallClockTime(Duration.ofMillis(tick));
          wall += tick;
        }
        topics
            .get(r.topic())
            .pipeInput(new String(r.key(), StandardCharsets.UTF_8), r.value(), r.timestamp());
      }
      long stop = wall + ReplaySettings.defaultDrain(config).toMillis();
      while (wall + tick <= stop) {
        driver.advanceWallClockTime(Duration.ofMillis(tick));
        wall += tick;
      }
      long offset = 0;
      SpecificAvroSerde<ScheduleDecision> serde =
          SpecificAvroSerde.of(ScheduleDecision.class, Map.of("schema.registry.url", url));
      for (TestRecord<String, byte[]> d : out.readRecordsToList()) {
        ScheduleDecision decision =
            serde.deserializer().deserialize(Topics.SCHEDULE_DECISIONS.name(), d.value());
        String input = decision.getProvenance().getInput();
        if (input != null) decision.getProvenance().setInput(coordinates(input, piped));
        // likewise each position, the decision's and its earlier rounds'
        decision
            .getProvenance()
            .setInputPositions(positions(decision.getProvenance().getInputPositions(), piped));
        for (io.swarmsched.schemas.RoundProvenance round :
            decision.getProvenance().getEarlierRounds()) {
          round.setInputPositions(positions(round.getInputPositions(), piped));
          if (round.getInput() != null) round.setInput(coordinates(round.getInput(), piped));
        }
        byte[] value = serde.serializer().serialize(Topics.SCHEDULE_DECISIONS.name(), decision);
        decisions.add(
            new RecordedRecord(
                Topics.SCHEDULE_DECISIONS.name(),
                0,
                offset++,
                d.timestamp(),
                d.key().getBytes(StandardCharsets.UTF_8),
                value,
                Recorder.schemaId(value)));
      }
    } finally {
      Lane.deleteTree(dir);
    }
    return decisions;
  }

  /** A driver record's coordinates (topic-0@k) as the recording's (its k-th piped record's). */
  private static String coordinates(String input, Map<String, List<RecordedRecord>> piped) {
    int at = input.lastIndexOf('@');
    String topic = input.substring(0, input.lastIndexOf('-', at));
    return piped.get(topic).get(Integer.parseInt(input.substring(at + 1))).coordinates();
  }

  /**
   * The driver's input positions as the recording's offsets: position k of a driver topic (its k-th
   * piped record is the next to process) is that record's offset, or the one after the last.
   */
  private static Map<String, Long> positions(
      Map<String, Long> driver, Map<String, List<RecordedRecord>> piped) {
    Map<String, Long> positions = new java.util.TreeMap<>();
    for (Map.Entry<String, Long> e : driver.entrySet()) {
      String topic = e.getKey().substring(0, e.getKey().lastIndexOf('-'));
      List<RecordedRecord> of = piped.get(topic);
      int k = e.getValue().intValue();
      RecordedRecord next = k < of.size() ? of.get(k) : null;
      RecordedRecord last = of.get(of.size() - 1);
      positions.put(
          topic + "-" + last.partition(), next != null ? next.offset() : last.offset() + 1);
    }
    return positions;
  }

  private static boolean isTable(RecordedRecord r) {
    return r.topic().equals(Topics.HOSTS.name()) || r.topic().equals(Topics.HOST_SCORES.name());
  }

  static String hostId(int h) {
    return h == 0 ? "seed-0" : String.format("host-%03d", h);
  }

  private static HostState host(int h, long at) {
    return HostState.newBuilder()
        .setHostId(hostId(h))
        .setPieceServerAddress("10.0." + (h / 250) + "." + (h % 250) + ":65002")
        .setType(h == 0 ? HostType.SUPER_SEED : HostType.NORMAL)
        .setIdc("idc-" + (char) ('a' + h % 2))
        .setLocation(h % 3 == 0 ? "cn|zj|hz" : "cn|bj|bj")
        .setCapacity(
            HostCapacity.newBuilder()
                .setMaxTxBytesPerSec((h % 4 == 0 ? 64L : 16L) << 20)
                .setUploadSlotLimit(50)
                .build())
        .setLoad(HostLoad.newBuilder().build())
        .setLastSequence(at)
        .setLastSeen(Instant.ofEpochMilli(at))
        .setFirstSeen(Instant.ofEpochMilli(T0))
        .setLiveness(Liveness.ONLINE)
        .setLivenessChangedAt(Instant.ofEpochMilli(T0))
        .build();
  }

  private static HostScore score(int h, long at, Random rnd) {
    double peak = rnd.nextDouble();
    double duration = 0.5 + 0.5 * rnd.nextDouble();
    double conc = rnd.nextDouble();
    return HostScore.newBuilder()
        .setHostId(hostId(h))
        .setLoadQuality(0.5 * peak + 0.3 * duration + 0.2 * conc)
        .setPeakBandwidthUsage(peak)
        .setBandwidthDurationRatio(duration)
        .setConcurrentEfficiency(conc)
        .setWindow(
            ScoreWindow.newBuilder()
                .setHorizonBuckets(60)
                .setPeakTxBytesPerSec(0)
                .setSaturatedBuckets(0)
                .setConcurrentUploads(0)
                .setMaxTxBytesPerSec((h % 4 == 0 ? 64L : 16L) << 20)
                .setWindowEnd(Instant.ofEpochMilli(at))
                .build())
        .setComputedAt(Instant.ofEpochMilli(at))
        .build();
  }

  private static PeerEvent peerEvent(
      String id, String task, String peer, String host, PeerEventType type, int done, long at) {
    return PeerEvent.newBuilder()
        .setEventId(id)
        .setTaskId(task)
        .setPeerId(peer)
        .setHostId(host)
        .setType(type)
        .setPiecesFinished(done)
        .setPieceCount(16)
        .setContentLength(64L << 20)
        .setTimestamp(Instant.ofEpochMilli(at))
        .build();
  }

  /** Serializes values in the Confluent wire format against the history's own registry. */
  private static final class Encoder {
    private final Map<Class<?>, SpecificAvroSerde<?>> serdes = new HashMap<>();
    private final Map<String, String> config;

    Encoder(Map<String, String> config) {
      this.config = config;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    <T extends SpecificRecord> RecordedRecord record(
        String topic, int partition, String key, T value, long ts) {
      SpecificAvroSerde serde =
          serdes.computeIfAbsent(value.getClass(), c -> SpecificAvroSerde.of((Class) c, config));
      byte[] bytes = serde.serializer().serialize(topic, value);
      return new RecordedRecord(
          topic,
          partition,
          -1,
          ts,
          key.getBytes(StandardCharsets.UTF_8),
          bytes,
          Recorder.schemaId(bytes));
    }
  }
}
