package io.swarmsched.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.agent.swarm.SwarmClient;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.ingest.HeartbeatIngestApp;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.runtime.streams.StreamsService;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.ScoreWindow;
import io.swarmsched.schemas.TaskMetadata;
import io.swarmsched.scoring.streams.ScoringApp;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.TopicReader;
import io.swarmsched.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hostile-input suite (issue 13): heartbeat-ingest, scoring-streams, the dispatcher and an
 * agent's task-metadata reader on one embedded broker, and a table of hostile records over every
 * input topic, the global tables and task metadata included. For each record one of:
 *
 * <ul>
 *   <li>{@code DEAD_LETTER}: it reaches the dead-letter topic with its original key and value bytes
 *       and headers, plus stage, reason, source topic, partition and offset;
 *   <li>{@code REJECTED}: the dispatcher answers its request with a REJECTED decision and the
 *       reason;
 *   <li>{@code SKIPPED}: a record on {@code swarm.host-scores.v1} that only the dispatcher's global
 *       table reads, skipped and counted there (see GlobalTableIndexer for why it is not
 *       dead-lettered by every dispatcher instance);
 *   <li>{@code SAME_DECISION}: a duplicate request id answered again with the same decision.
 * </ul>
 *
 * Then, for every service: still RUNNING, no stream thread replaced, /health up; valid records sent
 * after the hostile ones are processed; and a dispatcher restarted on a fresh state directory
 * restores the global tables, undecodable records and all, and runs.
 */
class HostileInputTest {
  private static final Duration AWAIT = Duration.ofSeconds(90);
  private static final String CASE_HEADER = "hostile-case";
  private static final String SCOPE = "hostile-input";
  private static final long BOMB = 2_147_483_000L;
  private static final byte[] NOT_UTF8 = {(byte) 0xc3, (byte) 0x28, (byte) 0xff, (byte) 0xfe};

  /** The host every valid record comes from; registered by a heartbeat before the hostile phase. */
  private static final String HOST = "hx";

  private static final String TASK = "t-hostile";

  enum Outcome {
    DEAD_LETTER,
    REJECTED,
    SKIPPED,
    SAME_DECISION
  }

  /** One hostile record; {@code requestId} names the request for REJECTED and SAME_DECISION. */
  record Case(
      String name,
      String topic,
      byte[] key,
      byte[] value,
      long timestamp,
      Outcome outcome,
      String requestId,
      String reasonContains) {}

  private static final EmbeddedKafka kafka = EmbeddedKafka.get();
  private static final Map<String, String> serdeConfig =
      Map.of("schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + SCOPE);
  private static HeartbeatIngestApp ingest;
  private static ScoringApp scoring;
  private static DispatcherApp dispatcher;
  private static SwarmClient agent;
  private static KafkaProducer<byte[], byte[]> producer;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startEverything() throws Exception {
    kafka.createTopics(Topics.ALL);
    Path dir = Files.createTempDirectory("hostile");
    ingest = HeartbeatIngestApp.start(settings(dir, "ingest", IngestSettings.SERVICE_DEFAULTS));
    scoring = ScoringApp.start(settings(dir, "scoring", Map.of()));
    dispatcher = DispatcherApp.start(settings(dir, "dispatcher", Map.of()));
    agent =
        new SwarmClient(
            kafka.bootstrapServers(), serdeConfig.get("schema.registry.url"), "agent-hostile");
    agent.startMetadata();
    producer =
        new KafkaProducer<>(
            kafka.producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
    ingest.streams().awaitRunning(AWAIT);
    scoring.awaitRunning(AWAIT);
    dispatcher.awaitRunning(AWAIT);
  }

  private static Settings settings(Path dir, String name, Map<String, String> defaults) {
    Map<String, String> m = new HashMap<>(defaults);
    m.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    m.put(CommonKeys.SCHEMA_REGISTRY_URL, serdeConfig.get("schema.registry.url"));
    m.put(CommonKeys.HTTP_HOST, "127.0.0.1");
    m.put(CommonKeys.HTTP_PORT, "0");
    m.put(CommonKeys.STATE_DIR, dir.resolve(name).toString());
    m.put(CommonKeys.INSTANCE_ID, name);
    m.put(DispatcherConfig.APPLICATION_ID, "hostile-dispatcher");
    return Settings.of(m);
  }

  @AfterAll
  static void stopEverything() {
    for (AutoCloseable c : new AutoCloseable[] {producer, agent, dispatcher, scoring, ingest}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          System.err.println("closing " + c + ": " + e);
        }
      }
    }
  }

  // ------------------------------------------------------------------ valid records

  private static byte[] avro(String topic, SpecificRecord value) {
    @SuppressWarnings("unchecked")
    Class<SpecificRecord> type = (Class<SpecificRecord>) value.getClass();
    return SpecificAvroSerde.of(type, serdeConfig).serializer().serialize(topic, value);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  private static HostCapacity.Builder capacity() {
    return HostCapacity.newBuilder()
        .setMaxTxBytesPerSec(125_000_000L)
        .setMaxRxBytesPerSec(125_000_000L)
        .setUploadSlotLimit(50)
        .setMaxTasks(8)
        .setCpuCores(8)
        .setMemoryBytes(16L << 30)
        .setDiskBytes(1L << 40)
        .setGpus(0)
        .setGpuModels(new ArrayList<>());
  }

  private static HostLoad.Builder load() {
    return HostLoad.newBuilder()
        .setTxBytesPerSec(0)
        .setRxBytesPerSec(0)
        .setConcurrentUploads(0)
        .setRunningTasks(0)
        .setCpuUsage(0.1)
        .setMemoryUsedBytes(1L << 30)
        .setDiskUsedBytes(1L << 30);
  }

  private static HostHeartbeat.Builder heartbeat(String host, long sequence) {
    return HostHeartbeat.newBuilder()
        .setHostId(host)
        .setSequence(sequence)
        .setTimestamp(Instant.ofEpochMilli(now()))
        .setHostname(host + ".example")
        .setIp("10.0.0.7")
        .setPieceServerAddress("10.0.0.7:65001")
        .setType(HostType.NORMAL)
        .setIdc("idc-a")
        .setLocation("cn|zj|hz")
        .setTags(new ArrayList<>())
        .setDisableShared(false)
        .setCapacity(capacity().build())
        .setLoad(load().build())
        .setAgentVersion("0.1.0");
  }

  private static HostState.Builder hostState(String host) {
    Instant at = Instant.ofEpochMilli(now());
    return HostState.newBuilder()
        .setHostId(host)
        .setPieceServerAddress(host + ":4000")
        .setType(HostType.NORMAL)
        .setTags(new ArrayList<>())
        .setCapacity(capacity().build())
        .setLoad(load().build())
        .setLastSequence(1)
        .setLastSeen(at)
        .setFirstSeen(at)
        .setLiveness(Liveness.ONLINE)
        .setLivenessChangedAt(at);
  }

  private static HostScore hostScore(String host) {
    Instant at = Instant.ofEpochMilli(now());
    return HostScore.newBuilder()
        .setHostId(host)
        .setLoadQuality(0.5)
        .setPeakBandwidthUsage(0.5)
        .setBandwidthDurationRatio(0.5)
        .setConcurrentEfficiency(0.5)
        .setWindow(
            ScoreWindow.newBuilder()
                .setHorizonBuckets(60)
                .setPeakTxBytesPerSec(0)
                .setSaturatedBuckets(0)
                .setConcurrentUploads(0)
                .setMaxTxBytesPerSec(1)
                .setWindowEnd(at)
                .build())
        .setComputedAt(at)
        .build();
  }

  private static ScheduleRequest.Builder request(String requestId, String task) {
    return ScheduleRequest.newBuilder()
        .setRequestId(requestId)
        .setTaskId(task)
        .setPeerId("p-" + requestId)
        .setHostId(HOST)
        .setUrl("https://origin/" + task)
        .setBlocklist(new ArrayList<>())
        .setTimestamp(Instant.ofEpochMilli(now()));
  }

  private static PeerEvent.Builder peerEvent(String eventId) {
    return PeerEvent.newBuilder()
        .setEventId(eventId)
        .setTaskId(TASK)
        .setPeerId("p1")
        .setHostId(HOST)
        .setType(PeerEventType.RUNNING)
        .setTimestamp(Instant.ofEpochMilli(now()));
  }

  private static PieceEvent.Builder pieceEvent(String eventId, int number) {
    return PieceEvent.newBuilder()
        .setEventId(eventId)
        .setTaskId(TASK)
        .setPeerId("p1")
        .setHostId(HOST)
        .setPieceNumber(number)
        .setOutcome(PieceOutcome.FINISHED)
        .setSource(PieceSource.ORIGIN)
        .setBytes(1024)
        .setCostMillis(5)
        .setTimestamp(Instant.ofEpochMilli(now()));
  }

  private static TaskMetadata.Builder metadata(String task) {
    return TaskMetadata.newBuilder()
        .setTaskId(task)
        .setUrl("https://origin/" + task)
        .setContentLength(10)
        .setPieceLength(4)
        .setPieceCount(3)
        .setPieceDigests(new ArrayList<>(List.of("a", "b", "c")))
        .setSourceHostId(HOST)
        .setCreatedAt(Instant.ofEpochMilli(now()));
  }

  // ------------------------------------------------------------------ hostile bytes

  private static void varint(ByteArrayOutputStream out, long n) {
    long v = (n << 1) ^ (n >> 63);
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  /**
   * {@code empty} with the count or length at the first byte where it differs from {@code one} (the
   * same record with one more array element or string character) replaced by a forged one.
   */
  private static byte[] bomb(byte[] empty, byte[] one) {
    int at = 0;
    while (empty[at] == one[at]) {
      at++;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(empty, 0, at);
    varint(out, BOMB);
    out.write(empty, at + 1, empty.length - at - 1);
    return out.toByteArray();
  }

  private static byte[] validHb(String topic, HostHeartbeat base, List<String> tags) {
    return avro(topic, HostHeartbeat.newBuilder(base).setTags(new ArrayList<>(tags)).build());
  }

  private static byte[] badMagic(byte[] valid) {
    byte[] b = valid.clone();
    b[0] = 0x7f;
    return b;
  }

  private static byte[] unknownSchemaId(byte[] valid) {
    byte[] b = valid.clone();
    b[1] = 0x7f;
    b[2] = 0x7f;
    return b;
  }

  private static byte[] truncated(byte[] valid) {
    return Arrays.copyOf(valid, valid.length / 2);
  }

  private static byte[] trailing(byte[] valid) {
    return Arrays.copyOf(valid, valid.length + 7);
  }

  // ------------------------------------------------------------------ the table

  private static List<Case> cases() {
    long t = now();
    long aheadMs = Duration.ofMinutes(50).toMillis();
    String hb = Topics.HOST_HEARTBEATS.name();
    String rq = Topics.SCHEDULE_REQUESTS.name();
    String pe = Topics.PEER_EVENTS.name();
    String pc = Topics.PIECE_EVENTS.name();
    String hs = Topics.HOSTS.name();
    String sc = Topics.HOST_SCORES.name();
    String md = Topics.TASK_METADATA.name();
    Outcome dlq = Outcome.DEAD_LETTER;
    Outcome rej = Outcome.REJECTED;

    byte[] validHb = avro(hb, heartbeat("hb-x", 1).build());
    byte[] validRq = avro(rq, request("rq-x", TASK).build());
    byte[] validPe = avro(pe, peerEvent("pe-x").build());
    byte[] validPc = avro(pc, pieceEvent("pc-x", 0).build());
    byte[] validHs = avro(hs, hostState("hs-x").build());
    byte[] validSc = avro(sc, hostScore("sc-x"));
    byte[] validMd = avro(md, metadata("md-x").build());
    List<String> bigTags = Collections.nCopies(120, "x".repeat(1000));

    List<Case> c = new ArrayList<>();
    // heartbeats -> heartbeat-ingest
    c.add(
        new Case(
            "heartbeat: bad magic byte",
            hb,
            utf8("hb-x"),
            badMagic(validHb),
            t,
            dlq,
            null,
            "Unknown magic byte"));
    c.add(
        new Case(
            "heartbeat: unknown schema id",
            hb,
            utf8("hb-x"),
            unknownSchemaId(validHb),
            t,
            dlq,
            null,
            "Unknown schema id"));
    c.add(
        new Case(
            "heartbeat: truncated body",
            hb,
            utf8("hb-x"),
            truncated(validHb),
            t,
            dlq,
            null,
            "Truncated record"));
    c.add(
        new Case(
            "heartbeat: header only",
            hb,
            utf8("hb-x"),
            Arrays.copyOf(validHb, 5),
            t,
            dlq,
            null,
            "Truncated record"));
    c.add(
        new Case(
            "heartbeat: bytes after the value",
            hb,
            utf8("hb-x"),
            trailing(validHb),
            t,
            dlq,
            null,
            "left over"));
    // bombs: the same record (same timestamp) with and without one more element or character
    HostHeartbeat base = heartbeat("hb-x", 1).build();
    c.add(
        new Case(
            "heartbeat: tags array count bomb",
            hb,
            utf8("hb-x"),
            bomb(validHb(hb, base, List.of()), validHb(hb, base, List.of("g"))),
            t,
            dlq,
            null,
            "array count 2147483000"));
    c.add(
        new Case(
            "heartbeat: hostname length bomb",
            hb,
            utf8("hb-x"),
            bomb(
                avro(hb, HostHeartbeat.newBuilder(base).setHostname("").build()),
                avro(hb, HostHeartbeat.newBuilder(base).setHostname("h").build())),
            t,
            dlq,
            null,
            "2147483000"));
    c.add(
        new Case(
            "heartbeat: another schema (a host score)",
            hb,
            utf8("hb-x"),
            validSc,
            t,
            dlq,
            null,
            "cannot be read as"));
    c.add(new Case("heartbeat: tombstone", hb, utf8("hb-x"), null, t, dlq, null, "no value"));
    c.add(new Case("heartbeat: key not UTF-8", hb, NOT_UTF8, validHb, t, dlq, null, null));
    c.add(
        new Case(
            "heartbeat: negative capacity",
            hb,
            utf8("hb-x"),
            avro(
                hb,
                heartbeat("hb-x", 1)
                    .setCapacity(capacity().setUploadSlotLimit(-5).build())
                    .build()),
            t,
            dlq,
            null,
            "capacity.upload_slot_limit"));
    c.add(
        new Case(
            "heartbeat: absurd bandwidth",
            hb,
            utf8("hb-x"),
            avro(
                hb,
                heartbeat("hb-x", 1)
                    .setCapacity(capacity().setMaxTxBytesPerSec(Long.MAX_VALUE).build())
                    .build()),
            t,
            dlq,
            null,
            "capacity.max_tx_bytes_per_sec"));
    c.add(
        new Case(
            "heartbeat: timestamp 50 min ahead",
            hb,
            utf8("hb-x"),
            avro(hb, heartbeat("hb-x", 1).setTimestamp(Instant.ofEpochMilli(t + aheadMs)).build()),
            t,
            dlq,
            null,
            "in the future"));
    c.add(
        new Case(
            "heartbeat: timestamp 1970-01-02",
            hb,
            utf8("hb-x"),
            avro(
                hb,
                heartbeat("hb-x", 1).setTimestamp(Instant.parse("1970-01-02T00:00:00Z")).build()),
            t,
            dlq,
            null,
            "in the past"));
    c.add(
        new Case(
            "heartbeat: oversize (120 kB of tags)",
            hb,
            utf8("hb-x"),
            avro(hb, heartbeat("hb-x", 1).setTags(new ArrayList<>(bigTags)).build()),
            t,
            dlq,
            null,
            null));

    // schedule requests -> dispatcher
    c.add(
        new Case(
            "request: bad magic byte",
            rq,
            utf8(TASK),
            badMagic(validRq),
            t,
            dlq,
            null,
            "Unknown magic byte"));
    c.add(
        new Case(
            "request: unknown schema id",
            rq,
            utf8(TASK),
            unknownSchemaId(validRq),
            t,
            dlq,
            null,
            "Unknown schema id"));
    c.add(
        new Case(
            "request: truncated body",
            rq,
            utf8(TASK),
            truncated(validRq),
            t,
            dlq,
            null,
            "Truncated record"));
    ScheduleRequest baseRq = request("rq-x", TASK).build();
    c.add(
        new Case(
            "request: blocklist array count bomb",
            rq,
            utf8(TASK),
            bomb(
                avro(rq, baseRq),
                avro(
                    rq,
                    ScheduleRequest.newBuilder(baseRq)
                        .setBlocklist(new ArrayList<>(List.of("b")))
                        .build())),
            t,
            dlq,
            null,
            "array count 2147483000"));
    c.add(
        new Case(
            "request: bomb nested in job.required_tags",
            rq,
            utf8(TASK),
            bomb(
                avro(
                    rq,
                    ScheduleRequest.newBuilder(baseRq)
                        .setJob(
                            JobRequirements.newBuilder().setRequiredTags(new ArrayList<>()).build())
                        .build()),
                avro(
                    rq,
                    ScheduleRequest.newBuilder(baseRq)
                        .setJob(
                            JobRequirements.newBuilder()
                                .setRequiredTags(new ArrayList<>(List.of("g")))
                                .build())
                        .build())),
            t,
            dlq,
            null,
            "array count 2147483000"));
    c.add(
        new Case(
            "request: request_id length bomb",
            rq,
            utf8(TASK),
            bomb(avro(rq, request("", TASK).build()), avro(rq, request("r", TASK).build())),
            t,
            dlq,
            null,
            "2147483000"));
    c.add(
        new Case(
            "request: another schema (a peer event)",
            rq,
            utf8(TASK),
            validPe,
            t,
            dlq,
            null,
            "cannot be read as"));
    c.add(new Case("request: tombstone", rq, utf8(TASK), null, t, dlq, null, "no value"));
    c.add(
        new Case(
            "request: timestamp field in 2100",
            rq,
            utf8(TASK),
            avro(
                rq,
                request("rq-2100", TASK)
                    .setTimestamp(Instant.parse("2100-01-01T00:00:00Z"))
                    .build()),
            t,
            rej,
            "rq-2100",
            "ahead"));
    c.add(
        new Case(
            "request: timestamp field in 1970",
            rq,
            utf8(TASK),
            avro(
                rq,
                request("rq-1970", TASK)
                    .setTimestamp(Instant.parse("1970-01-02T00:00:00Z"))
                    .build()),
            t,
            rej,
            "rq-1970",
            "behind"));
    c.add(
        new Case(
            "request: record timestamp in 1970",
            rq,
            utf8(TASK),
            avro(rq, request("rq-rec-1970", TASK).build()),
            86_400_000L,
            rej,
            "rq-rec-1970",
            "record timestamp"));
    c.add(
        new Case(
            "request: key not UTF-8",
            rq,
            NOT_UTF8,
            avro(rq, request("rq-key", TASK).build()),
            t,
            rej,
            "rq-key",
            "is not the task_id"));
    c.add(
        new Case(
            "request: 10,000-character url",
            rq,
            utf8(TASK),
            avro(rq, request("rq-url", TASK).setUrl("https://o/" + "u".repeat(10_000)).build()),
            t,
            rej,
            "rq-url",
            "url: longer than"));
    c.add(
        new Case(
            "request: 2,000-entry blocklist",
            rq,
            utf8(TASK),
            avro(
                rq,
                request("rq-block", TASK)
                    .setBlocklist(new ArrayList<>(Collections.nCopies(2_000, "p")))
                    .build()),
            t,
            rej,
            "rq-block",
            "blocklist"));
    c.add(
        new Case(
            "request: negative gpus",
            rq,
            utf8("t-job"),
            avro(
                rq,
                request("rq-gpus", "t-job")
                    .setUrl("")
                    .setJob(JobRequirements.newBuilder().setGpus(-1).build())
                    .build()),
            t,
            rej,
            "rq-gpus",
            "job.gpus"));
    c.add(
        new Case(
            "request: blank host_id",
            rq,
            utf8(TASK),
            avro(rq, request("rq-blank", TASK).setHostId(" ").build()),
            t,
            rej,
            "rq-blank",
            "host_id: required"));
    c.add(
        new Case(
            "request: duplicate request id",
            rq,
            utf8("t-dup"),
            avro(rq, request("rq-dup", "t-dup").build()),
            t,
            Outcome.SAME_DECISION,
            "rq-dup",
            null));

    // peer events -> dispatcher
    c.add(
        new Case(
            "peer event: bad magic byte",
            pe,
            utf8(TASK),
            badMagic(validPe),
            t,
            dlq,
            null,
            "Unknown magic byte"));
    c.add(new Case("peer event: tombstone", pe, utf8(TASK), null, t, dlq, null, "no value"));
    c.add(
        new Case(
            "peer event: negative pieces_finished",
            pe,
            utf8(TASK),
            avro(pe, peerEvent("pe-neg").setPiecesFinished(-3).build()),
            t,
            dlq,
            null,
            "pieces_finished"));
    c.add(
        new Case(
            "peer event: piece_count 2,000,000,000",
            pe,
            utf8(TASK),
            avro(pe, peerEvent("pe-big").setPieceCount(2_000_000_000).build()),
            t,
            dlq,
            null,
            "piece_count"));

    // piece events -> dispatcher and scoring-streams
    c.add(
        new Case(
            "piece event: unknown schema id",
            pc,
            utf8(TASK),
            unknownSchemaId(validPc),
            t,
            dlq,
            null,
            "Unknown schema id"));
    c.add(new Case("piece event: tombstone", pc, utf8(TASK), null, t, dlq, null, "no value"));
    c.add(
        new Case(
            "piece event: piece 2,000,000,000",
            pc,
            utf8(TASK),
            avro(pc, pieceEvent("pc-huge", 2_000_000_000).build()),
            t,
            dlq,
            null,
            "piece_number: 2000000000"));
    c.add(
        new Case(
            "piece event: piece 16 of a 16-piece task",
            pc,
            utf8(TASK),
            avro(pc, pieceEvent("pc-16", 16).build()),
            t,
            dlq,
            null,
            "out of range for a task of 16 pieces"));
    c.add(
        new Case(
            "piece event: unknown host",
            pc,
            utf8(TASK),
            avro(pc, pieceEvent("pc-nobody", 0).setHostId("nobody").build()),
            t,
            dlq,
            null,
            "unknown host 'nobody'"));
    c.add(
        new Case(
            "piece event: negative bytes",
            pc,
            utf8(TASK),
            avro(pc, pieceEvent("pc-neg", 0).setBytes(-1).build()),
            t,
            dlq,
            null,
            "bytes"));
    c.add(new Case("piece event: key not UTF-8", pc, NOT_UTF8, validPc, t, dlq, null, null));

    // the global tables: hosts (dispatcher skips, scoring-streams dead-letters) and host scores
    // (dispatcher only)
    c.add(
        new Case(
            "hosts table: bad magic byte",
            hs,
            utf8("hs-x"),
            badMagic(validHs),
            t,
            dlq,
            null,
            "Unknown magic byte"));
    HostState baseHs = hostState("hs-x").build();
    c.add(
        new Case(
            "hosts table: tags array count bomb",
            hs,
            utf8("hs-x"),
            bomb(
                avro(hs, baseHs),
                avro(
                    hs,
                    HostState.newBuilder(baseHs).setTags(new ArrayList<>(List.of("g"))).build())),
            t,
            dlq,
            null,
            "array count 2147483000"));
    c.add(
        new Case(
            "hosts table: key not UTF-8",
            hs,
            NOT_UTF8,
            validHs,
            t,
            dlq,
            null,
            "differs from the record key"));
    c.add(
        new Case(
            "hosts table: negative load",
            hs,
            utf8("hs-x"),
            avro(hs, hostState("hs-x").setLoad(load().setConcurrentUploads(-4).build()).build()),
            t,
            dlq,
            null,
            "load.concurrent_uploads"));
    c.add(
        new Case(
            "host scores: bad magic byte",
            sc,
            utf8("sc-x"),
            badMagic(validSc),
            t,
            Outcome.SKIPPED,
            null,
            null));
    c.add(
        new Case(
            "host scores: truncated body",
            sc,
            utf8("sc-x"),
            truncated(validSc),
            t,
            Outcome.SKIPPED,
            null,
            null));
    c.add(
        new Case(
            "host scores: key not UTF-8", sc, NOT_UTF8, validSc, t, Outcome.SKIPPED, null, null));

    // task metadata -> every agent's metadata reader
    c.add(
        new Case(
            "task metadata: piece_length 0",
            md,
            utf8("md-0"),
            avro(md, metadata("md-0").setPieceLength(0).build()),
            t,
            dlq,
            null,
            "piece_length: 0"));
    TaskMetadata baseMd =
        metadata("md-x")
            .setContentLength(0)
            .setPieceCount(0)
            .setPieceDigests(new ArrayList<>())
            .build();
    c.add(
        new Case(
            "task metadata: piece_digests count bomb",
            md,
            utf8("md-x"),
            bomb(
                avro(md, baseMd),
                avro(
                    md,
                    TaskMetadata.newBuilder(baseMd)
                        .setPieceDigests(new ArrayList<>(List.of("a")))
                        .build())),
            t,
            dlq,
            null,
            "array count 2147483000"));
    c.add(
        new Case(
            "task metadata: piece_count disagrees with content_length",
            md,
            utf8("md-16"),
            avro(md, metadata("md-16").setPieceCount(16).build()),
            t,
            dlq,
            null,
            "piece_count: 16"));
    c.add(
        new Case(
            "task metadata: bad magic byte",
            md,
            utf8("md-x"),
            badMagic(validMd),
            t,
            dlq,
            null,
            "Unknown magic byte"));
    c.add(
        new Case(
            "task metadata: key not UTF-8",
            md,
            NOT_UTF8,
            validMd,
            t,
            dlq,
            null,
            "is not the task_id"));
    // last, and on their own task: a record dated ahead is rejected, and the dispatcher's clock
    // ignores its timestamp (finding 5; DispatcherHostileInputTest checks that no peer is aged)
    c.add(
        new Case(
            "request: record timestamp 50 min ahead",
            rq,
            utf8("t-clock"),
            avro(rq, request("rq-rec-ahead", "t-clock").build()),
            t + aheadMs,
            rej,
            "rq-rec-ahead",
            "record timestamp"));
    c.add(
        new Case(
            "peer event: record timestamp 50 min ahead",
            pe,
            utf8("t-clock"),
            avro(pe, peerEvent("pe-ahead").setTaskId("t-clock").build()),
            t + aheadMs,
            dlq,
            null,
            "record timestamp"));
    return c;
  }

  // ------------------------------------------------------------------ the test

  private static void send(String topic, byte[] key, byte[] value, long timestamp, String caseName)
      throws Exception {
    RecordHeaders headers = new RecordHeaders();
    if (caseName != null) {
      headers.add(CASE_HEADER, utf8(caseName));
    }
    producer.send(new ProducerRecord<>(topic, null, timestamp, key, value, headers)).get();
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    return DeadLetterHeaders.lastValue(r.headers(), name).orElse(null);
  }

  private static ScheduleDecision decision(ConsumerRecord<String, byte[]> r) {
    return SpecificAvroSerde.of(ScheduleDecision.class, serdeConfig)
        .deserializer()
        .deserialize(r.topic(), r.value());
  }

  private static double skippedByDispatcher(String store) {
    for (Map.Entry<MetricName, ? extends Metric> e :
        dispatcher.streams().streams().metrics().entrySet()) {
      MetricName n = e.getKey();
      if (n.name().equals("skipped-records-total") && store.equals(n.tags().get("store"))) {
        return ((Number) e.getValue().metricValue()).doubleValue();
      }
    }
    return 0;
  }

  /**
   * Setup the hostile cases rely on: the host is known, and task t-hostile has a peer that reported
   * 16 pieces.
   */
  private static void prepare() throws Exception {
    send(
        Topics.HOST_HEARTBEATS.name(),
        utf8(HOST),
        avro(Topics.HOST_HEARTBEATS.name(), heartbeat(HOST, 1).build()),
        now(),
        null);
    var hosts =
        dispatcher
            .streams()
            .streams()
            .store(
                StoreQueryParameters.fromNameAndType(
                    DispatcherTopology.HOSTS_STORE,
                    QueryableStoreTypes.timestampedKeyValueStore()));
    Await.until(AWAIT, "the dispatcher's hosts table holds " + HOST, () -> hosts.get(HOST) != null);
    send(
        Topics.PEER_EVENTS.name(),
        utf8(TASK),
        avro(Topics.PEER_EVENTS.name(), peerEvent("pe-setup").setPieceCount(16).build()),
        now(),
        null);
    String url = dispatcher.url() + "/api/v1/tasks/" + TASK;
    Await.until(
        AWAIT,
        "task " + TASK + " has a peer with 16 pieces",
        () -> {
          try {
            HttpResponse<String> r =
                http.send(
                    HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200
                && r.body().replace(" ", "").contains("\"piece_count\":16");
          } catch (Exception e) {
            return false;
          }
        });
  }

  @Test
  void everyHostileRecordIsDeadLetteredRejectedOrSkippedAndEveryServiceKeepsServing()
      throws Exception {
    prepare();
    List<Case> cases = cases();
    assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
    assertThat(cases.stream().map(Case::name).collect(Collectors.toSet())).hasSize(cases.size());
    double scoresSkippedBefore = skippedByDispatcher(DispatcherTopology.HOST_SCORES_STORE);
    double hostsSkippedBefore = skippedByDispatcher(DispatcherTopology.HOSTS_STORE);

    for (Case c : cases) {
      send(c.topic(), c.key(), c.value(), c.timestamp(), c.name());
      if (c.outcome() == Outcome.SAME_DECISION) {
        send(c.topic(), c.key(), c.value(), c.timestamp(), c.name()); // the duplicate
      }
    }

    // valid records after the hostile ones, on every input
    String rq = Topics.SCHEDULE_REQUESTS.name();
    send(
        Topics.HOST_HEARTBEATS.name(),
        utf8("hb-after"),
        avro(Topics.HOST_HEARTBEATS.name(), heartbeat("hb-after", 1).build()),
        now(),
        null);
    send(
        Topics.PEER_EVENTS.name(),
        utf8(TASK),
        avro(Topics.PEER_EVENTS.name(), peerEvent("pe-after").build()),
        now(),
        null);
    send(
        Topics.PIECE_EVENTS.name(),
        utf8(TASK),
        avro(Topics.PIECE_EVENTS.name(), pieceEvent("pc-after", 3).build()),
        now(),
        null);
    send(rq, utf8(TASK), avro(rq, request("rq-after", TASK).build()), now(), null);
    send(
        Topics.HOSTS.name(),
        utf8("hs-after"),
        avro(Topics.HOSTS.name(), hostState("hs-after").build()),
        now(),
        null);
    send(
        Topics.HOST_SCORES.name(),
        utf8("sc-after"),
        avro(Topics.HOST_SCORES.name(), hostScore("sc-after")),
        now(),
        null);
    send(
        Topics.TASK_METADATA.name(),
        utf8("md-after"),
        avro(Topics.TASK_METADATA.name(), metadata("md-after").build()),
        now(),
        null);

    Map<String, Case> byName = new LinkedHashMap<>();
    cases.forEach(c -> byName.put(c.name(), c));
    Set<String> deadLettered =
        cases.stream()
            .filter(c -> c.outcome() == Outcome.DEAD_LETTER)
            .map(Case::name)
            .collect(Collectors.toCollection(TreeSet::new));
    TopicReader reader = TopicReader.of(kafka);
    List<ConsumerRecord<byte[], byte[]>> dead =
        reader.readUntil(
            Topics.DEAD_LETTERS.name(),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer(),
            read ->
                read.stream()
                    .map(r -> header(r, CASE_HEADER))
                    .collect(Collectors.toSet())
                    .containsAll(deadLettered),
            AWAIT);

    Map<String, List<String>> report = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : dead) {
      String name = header(r, CASE_HEADER);
      Case c = name == null ? null : byName.get(name);
      if (c == null) {
        continue;
      }
      assertThat(c.outcome()).as(name).isEqualTo(Outcome.DEAD_LETTER);
      assertThat(r.key()).as(name + ": original key bytes").isEqualTo(c.key());
      assertThat(r.value()).as(name + ": original value bytes").isEqualTo(c.value());
      assertThat(header(r, DeadLetterHeaders.SOURCE_TOPIC)).as(name).isEqualTo(c.topic());
      assertThat(header(r, DeadLetterHeaders.SOURCE_PARTITION)).as(name).isNotNull();
      assertThat(header(r, DeadLetterHeaders.SOURCE_OFFSET)).as(name).isNotNull();
      assertThat(header(r, DeadLetterHeaders.STAGE)).as(name).isNotBlank();
      String reason = header(r, DeadLetterHeaders.REASON);
      assertThat(reason).as(name).isNotBlank();
      report
          .computeIfAbsent(name, k -> new ArrayList<>())
          .add(header(r, DeadLetterHeaders.STAGE) + ": " + reason);
    }
    for (String name : deadLettered) {
      String expected = byName.get(name).reasonContains();
      if (expected != null) {
        assertThat(report.get(name)).as(name).anyMatch(reason -> reason.contains(expected));
      }
    }

    // REJECTED and duplicate requests, and the valid request after them
    Set<String> requestIds =
        cases.stream()
            .filter(c -> c.requestId() != null)
            .map(Case::requestId)
            .collect(Collectors.toCollection(TreeSet::new));
    List<ConsumerRecord<String, byte[]>> decisionRecords =
        reader.readUntil(
            Topics.SCHEDULE_DECISIONS.name(),
            new StringDeserializer(),
            new ByteArrayDeserializer(),
            read -> {
              Map<String, Long> seen =
                  read.stream()
                      .map(r -> decision(r).getRequestId())
                      .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
              return seen.keySet().containsAll(requestIds)
                  && seen.getOrDefault("rq-dup", 0L) >= 2
                  && seen.containsKey("rq-after");
            },
            AWAIT);
    List<ScheduleDecision> decisions =
        decisionRecords.stream().map(HostileInputTest::decision).toList();
    for (Case c : cases) {
      if (c.outcome() == Outcome.REJECTED) {
        ScheduleDecision d =
            decisions.stream()
                .filter(x -> x.getRequestId().equals(c.requestId()))
                .findFirst()
                .orElseThrow();
        assertThat(d.getOutcome()).as(c.name()).isEqualTo(DecisionOutcome.REJECTED);
        assertThat(d.getReason()).as(c.name()).contains(c.reasonContains());
        report.put(c.name(), List.of("REJECTED: " + d.getReason()));
      } else if (c.outcome() == Outcome.SAME_DECISION) {
        List<ScheduleDecision> both =
            decisions.stream().filter(x -> x.getRequestId().equals(c.requestId())).toList();
        assertThat(both).as(c.name()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(both.stream().map(ScheduleDecision::getDecisionId).distinct())
            .as(c.name())
            .hasSize(1);
        report.put(c.name(), List.of("same decision again: " + both.get(0).getOutcome()));
      }
    }
    assertThat(
            decisions.stream()
                .filter(d -> d.getRequestId().equals("rq-after"))
                .findFirst()
                .orElseThrow()
                .getOutcome())
        .isNotEqualTo(DecisionOutcome.REJECTED);

    // the global tables: skipped and counted by the dispatcher, and the next valid entries read
    long scoreCases = cases.stream().filter(c -> c.outcome() == Outcome.SKIPPED).count();
    var scores =
        dispatcher
            .streams()
            .streams()
            .store(
                StoreQueryParameters.fromNameAndType(
                    DispatcherTopology.HOST_SCORES_STORE,
                    QueryableStoreTypes.timestampedKeyValueStore()));
    var hosts =
        dispatcher
            .streams()
            .streams()
            .store(
                StoreQueryParameters.fromNameAndType(
                    DispatcherTopology.HOSTS_STORE,
                    QueryableStoreTypes.timestampedKeyValueStore()));
    Await.until(
        AWAIT,
        "the dispatcher's global tables hold the valid entries sent last",
        () -> scores.get("sc-after") != null && hosts.get("hs-after") != null);
    assertThat(skippedByDispatcher(DispatcherTopology.HOST_SCORES_STORE) - scoresSkippedBefore)
        .isEqualTo(scoreCases);
    // bad magic, bomb, non-UTF-8 key: three the dispatcher cannot decode (negative load decodes)
    assertThat(skippedByDispatcher(DispatcherTopology.HOSTS_STORE) - hostsSkippedBefore)
        .isEqualTo(3);
    cases.stream()
        .filter(c -> c.outcome() == Outcome.SKIPPED)
        .forEach(
            c ->
                report.put(
                    c.name(), List.of("skipped and counted by the dispatcher's global table")));

    // valid records after: a heartbeat became a host state; the agent reads the valid metadata
    reader.readFirst(
        Topics.HOSTS.name(),
        new StringDeserializer(),
        new ByteArrayDeserializer(),
        r -> "hb-after".equals(r.key()),
        AWAIT);
    assertThat(agent.awaitMetadata("md-after", AWAIT)).isPresent();
    assertThat(agent.metadata("md-0")).isEmpty();

    // every service still serving: RUNNING, no stream thread replaced, /health up
    for (StreamsService s : List.of(ingest.streams(), scoring.streams(), dispatcher.streams())) {
      assertThat(s.streams().state()).as(s.applicationId()).isEqualTo(KafkaStreams.State.RUNNING);
      assertThat(s.threadReplacements()).as(s.applicationId() + " thread replacements").isZero();
      assertThat(s.healthCheck().check().up()).as(s.applicationId() + " health").isTrue();
    }

    // the undecodable records stay in the compacted global topics: a dispatcher restored from them
    // (a new state directory, so the whole table is read again) must still start (issue 13, finding
    // 2)
    dispatcher.close();
    dispatcher =
        DispatcherApp.start(
            settings(Files.createTempDirectory("hostile-restart"), "dispatcher", Map.of()));
    dispatcher.awaitRunning(AWAIT);
    var restored =
        dispatcher
            .streams()
            .streams()
            .store(
                StoreQueryParameters.fromNameAndType(
                    DispatcherTopology.HOST_SCORES_STORE,
                    QueryableStoreTypes.timestampedKeyValueStore()));
    assertThat(restored.get("sc-after")).isNotNull();
    assertThat(dispatcher.streams().threadReplacements()).isZero();

    System.out.println("hostile-input suite: " + cases.size() + " kinds");
    for (Case c : cases) {
      System.out.println("  " + c.name() + " [" + c.topic() + "] -> " + report.get(c.name()));
    }
  }
}
