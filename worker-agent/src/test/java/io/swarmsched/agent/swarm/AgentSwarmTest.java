package io.swarmsched.agent.swarm;

import static io.swarmsched.agent.swarm.ScriptedDispatcher.answer;
import static io.swarmsched.agent.swarm.ScriptedDispatcher.parent;
import static io.swarmsched.agent.swarm.ScriptedDispatcher.parents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.swarmsched.agent.Agent;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.agent.download.DownloadException;
import io.swarmsched.agent.download.DownloadProgress;
import io.swarmsched.agent.download.DownloadRequest;
import io.swarmsched.agent.download.DownloadResult;
import io.swarmsched.agent.download.TaskIds;
import io.swarmsched.agent.origin.OriginServer;
import io.swarmsched.agent.storage.Digests;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.TaskMetadata;
import io.swarmsched.serde.SerdeConfig;
import io.swarmsched.serde.SpecificAvroDeserializer;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.TopicReader;
import io.swarmsched.topics.Topics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents on a real broker, with the test scripting the dispatcher's answers: back-to-source,
 * peer-to-peer transfer, corrupt and lost parents, resume, and bad input.
 */
class AgentSwarmTest {
  private static final String REGISTRY = "mock://agent-swarm-test";
  private static final int PIECE = 64 * 1024;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Map<String, String> NO_ORIGIN_ASSIST =
      Map.of(AgentConfig.ORIGIN_ASSIST, "0");
  private static final Map<String, String> ORIGIN_ASSIST = Map.of(AgentConfig.ORIGIN_ASSIST, "1");

  private static EmbeddedKafka kafka;
  private static ScriptedDispatcher dispatcher;
  private static OriginServer origin;
  private static OriginServer originWithoutRanges;
  private static Path originRoot;

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeAll
  static void startSwarm() throws IOException {
    kafka = EmbeddedKafka.get();
    kafka.createTopics(Topics.ALL);
    dispatcher = new ScriptedDispatcher(kafka.bootstrapServers(), REGISTRY);
    originRoot = Files.createTempDirectory("origin");
    origin = OriginServer.start(originRoot, "127.0.0.1", 0, true);
    originWithoutRanges = OriginServer.start(originRoot, "127.0.0.1", 0, false);
  }

  @AfterAll
  static void stopSwarm() throws Exception {
    dispatcher.close();
    origin.close();
    originWithoutRanges.close();
  }

  @AfterEach
  void closeAgents() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private static byte[] content(String name, int size) throws IOException {
    byte[] b = new byte[size];
    new Random(name.hashCode()).nextBytes(b);
    Files.write(originRoot.resolve(name), b);
    return b;
  }

  private Agent agent(String hostId, long uploadLimit) throws IOException {
    return agent(hostId, uploadLimit, Map.of());
  }

  /** An agent with {@code extra} settings over the test's own. */
  private Agent agent(String hostId, long uploadLimit, Map<String, String> extra)
      throws IOException {
    Map<String, String> m = new HashMap<>();
    m.put("swarm.bootstrap.servers", kafka.bootstrapServers());
    m.put("swarm.schema.registry.url", REGISTRY);
    m.put(AgentConfig.HOST_ID, hostId);
    m.put(AgentConfig.DATA_DIR, dir.resolve(hostId).toString());
    m.put(AgentConfig.PIECE_LENGTH, Integer.toString(PIECE));
    m.put(AgentConfig.UPLOAD_LIMIT, Long.toString(uploadLimit));
    m.put(AgentConfig.UPLOAD_SLOTS, "4");
    m.put(AgentConfig.HEARTBEAT_INTERVAL, "1s");
    m.put(AgentConfig.DECISION_TIMEOUT, "30s");
    m.put(AgentConfig.METADATA_TIMEOUT, "30s");
    m.put(AgentConfig.PARENT_STALL_TIMEOUT, "5s");
    m.put(AgentConfig.MAX_RESCHEDULES, "2");
    // -Dtest.origin.assist=N runs the class with the origin as a parent of last resort at N
    // (swarm.agent.origin.assist) wherever a test does not set it itself
    String assist = System.getProperty("test.origin.assist");
    if (assist != null) {
      m.put(AgentConfig.ORIGIN_ASSIST, assist);
    }
    m.putAll(extra);
    Agent agent = Agent.start(AgentConfig.from(Settings.of(m)));
    toClose.add(agent);
    return agent;
  }

  private static String host(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  /** The source host goes back to source; every other host gets the source's peer as parent. */
  private static AtomicReference<ScheduleRequest> sourceThenParents(
      String taskId, String sourceHost, Agent source) {
    AtomicReference<ScheduleRequest> first = new AtomicReference<>();
    dispatcher.script(
        taskId,
        r -> {
          if (r.getHostId().equals(sourceHost)) {
            first.compareAndSet(null, r);
            return answer(r, DecisionOutcome.BACK_TO_SOURCE).setReason("FIRST_PEER").build();
          }
          return parents(
              r, List.of(parent(first.get().getPeerId(), sourceHost, source.pieceServerAddress())));
        });
    return first;
  }

  /** The source's download and its child's, each verified against the content. */
  private record SourceAndChild(DownloadResult source, DownloadResult child) {}

  /**
   * The source (on {@code sourceHost}) fetches {@code url} from the origin, then the child fetches
   * it from the source; each copy is checked against {@code content}.
   */
  private SourceAndChild sourceThenChild(
      String url, byte[] content, String sourceHost, Agent source, Agent child) throws Exception {
    sourceThenParents(TaskIds.of(url, null, ""), sourceHost, source);
    String name = url.substring(url.lastIndexOf('/') + 1);
    DownloadResult rs =
        source
            .download(
                DownloadRequest.of(url, dir.resolve("source-" + name)), new DownloadProgress())
            .get(60, TimeUnit.SECONDS);
    DownloadResult rc =
        child
            .download(DownloadRequest.of(url, dir.resolve("child-" + name)), new DownloadProgress())
            .get(60, TimeUnit.SECONDS);
    assertThat(Files.readAllBytes(rs.path())).isEqualTo(content);
    assertThat(Files.readAllBytes(rc.path())).isEqualTo(content);
    return new SourceAndChild(rs, rc);
  }

  private static <T extends SpecificRecord> List<T> read(
      String topic,
      Class<T> type,
      java.util.function.Predicate<T> keep,
      java.util.function.Predicate<List<T>> done) {
    SpecificAvroDeserializer<T> d = new SpecificAvroDeserializer<>(type);
    d.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, REGISTRY), false);
    List<ConsumerRecord<String, T>> records =
        TopicReader.of(kafka)
            .readUntil(
                topic,
                new StringDeserializer(),
                d,
                rs -> done.test(rs.stream().map(ConsumerRecord::value).filter(keep).toList()),
                WAIT);
    return records.stream().map(ConsumerRecord::value).filter(keep).toList();
  }

  @Test
  void firstPeerGoesToTheOriginAndTheSecondGetsEveryPieceFromIt() throws Exception {
    byte[] content = content("p2p.bin", 1024 * 1024);
    String url = origin.url("p2p.bin");
    String taskId = TaskIds.of(url, null, "");
    String hostA = host("a");
    String hostB = host("b");
    Agent a = agent(hostA, 0);
    Agent b = agent(hostB, 0);
    long originBefore = origin.bytesServed();

    SourceAndChild r = sourceThenChild(url, content, hostA, a, b);
    DownloadResult rb = r.child();

    assertThat(r.source().originBytes()).isEqualTo(content.length);
    assertThat(rb.peerBytes()).isEqualTo(content.length);
    assertThat(rb.originBytes()).isZero();
    assertThat(origin.bytesServed() - originBefore)
        .isLessThanOrEqualTo((long) (1.2 * content.length));

    List<TaskMetadata> meta =
        read(
            Topics.TASK_METADATA.name(),
            TaskMetadata.class,
            m -> m.getTaskId().equals(taskId),
            l -> !l.isEmpty());
    assertThat(meta.get(0).getPieceCount()).isEqualTo(16);
    assertThat(meta.get(0).getSourceHostId()).isEqualTo(hostA);

    List<PieceEvent> bPieces =
        read(
            Topics.PIECE_EVENTS.name(),
            PieceEvent.class,
            e -> e.getPeerId().equals(rb.peerId()),
            l -> l.size() >= 16);
    assertThat(bPieces)
        .allSatisfy(
            e -> {
              assertThat(e.getSource()).isEqualTo(PieceSource.PARENT);
              assertThat(e.getOutcome()).isEqualTo(PieceOutcome.FINISHED);
              assertThat(e.getParentHostId()).isEqualTo(hostA);
            });
    List<PeerEvent> bLife =
        read(
            Topics.PEER_EVENTS.name(),
            PeerEvent.class,
            e -> e.getPeerId().equals(rb.peerId()),
            l -> l.stream().anyMatch(e -> e.getType() == PeerEventType.SUCCEEDED));
    assertThat(bLife)
        .extracting(PeerEvent::getType)
        .containsSubsequence(
            PeerEventType.REGISTERED, PeerEventType.RUNNING, PeerEventType.SUCCEEDED);
  }

  @Test
  void aChildGrantedTheOriginReadsFromItOnlyWhatItsSourceAtItsLimitCannotSendNow()
      throws Exception {
    // a source without an upload limit: it always has room, so its child never reads the origin
    byte[] content = content("assist.bin", 1024 * 1024);
    String hostA = host("a");
    Agent a = agent(hostA, 0, ORIGIN_ASSIST);
    DownloadResult idle =
        sourceThenChild(
                origin.url("assist.bin"), content, hostA, a, agent(host("b"), 0, ORIGIN_ASSIST))
            .child();
    assertThat(idle.originBytes()).as("read from the origin beside an idle source").isZero();

    // a source at its limit (64 KiB/s, a piece a second): the granted child reads from the origin
    // what the source cannot send it now, each of those pieces once
    byte[] slow = content("assist-slow.bin", 1024 * 1024);
    String hostS = host("s");
    Agent s = agent(hostS, 64 * 1024, ORIGIN_ASSIST);
    long originBefore = origin.bytesServed();
    SourceAndChild r =
        sourceThenChild(
            origin.url("assist-slow.bin"), slow, hostS, s, agent(host("c"), 0, ORIGIN_ASSIST));
    assertThat(r.child().originBytes())
        .as("read from the origin beside a source at its limit")
        .isPositive();
    assertThat(r.child().originBytes() + r.child().peerBytes()).isEqualTo(slow.length);
    assertThat(origin.bytesServed() - originBefore)
        .as("the source's read and the child's pieces, each once")
        .isEqualTo(r.source().originBytes() + r.child().originBytes());
  }

  @Test
  void piecesFromACorruptParentAreRefusedAndFetchedFromAnother() throws Exception {
    byte[] content = content("corrupt.bin", 512 * 1024);
    String url = origin.url("corrupt.bin");
    String digest = "sha256:" + Digests.sha256Hex(content);
    String taskId = TaskIds.of(url, digest, "");
    String hostA = host("a");
    String hostB = host("b");
    // The honest parent is slowed so the child cannot finish from it before it has learned the
    // liar's holdings (a parent's status is refreshed about once a second).
    Agent a = agent(hostA, 128 * 1024);
    Agent b = agent(hostB, 0);
    AtomicReference<ScheduleRequest> first = new AtomicReference<>();
    HttpServer liar = corruptParent(content.length / PIECE);
    String liarAddress = "127.0.0.1:" + liar.getAddress().getPort();
    dispatcher.script(
        taskId,
        r -> {
          if (r.getHostId().equals(hostA)) {
            first.compareAndSet(null, r);
            return answer(r, DecisionOutcome.BACK_TO_SOURCE).build();
          }
          return parents(
              r,
              List.of(
                  parent("liar-peer", "liar-host", liarAddress),
                  parent(first.get().getPeerId(), hostA, a.pieceServerAddress())));
        });
    a.download(
            DownloadRequest.of(url, dir.resolve("a.bin")).withDigest(digest),
            new DownloadProgress())
        .get(60, TimeUnit.SECONDS);

    DownloadResult rb =
        b.download(
                DownloadRequest.of(url, dir.resolve("b.bin")).withDigest(digest),
                new DownloadProgress())
            .get(60, TimeUnit.SECONDS);

    assertThat(Files.readAllBytes(dir.resolve("b.bin"))).isEqualTo(content);
    List<PieceEvent> failures =
        read(
            Topics.PIECE_EVENTS.name(),
            PieceEvent.class,
            e -> e.getPeerId().equals(rb.peerId()) && e.getOutcome() == PieceOutcome.FAILED,
            l -> !l.isEmpty());
    assertThat(failures)
        .allSatisfy(
            e -> {
              assertThat(e.getParentPeerId()).isEqualTo("liar-peer");
              assertThat(e.getFailureReason()).contains("digest mismatch");
            });
  }

  /** A parent that claims every piece and serves garbage. */
  private HttpServer corruptParent(int pieces) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    BitSet all = new BitSet();
    all.set(0, pieces);
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            byte[] body;
            if (ex.getRequestURI().getPath().endsWith("/status")) {
              body =
                  ("{\"piece_count\":"
                          + pieces
                          + ",\"pieces\":\""
                          + Base64.getEncoder().encodeToString(all.toByteArray())
                          + "\",\"max_tx\":1000000000,\"tx\":0}")
                      .getBytes(StandardCharsets.UTF_8);
            } else {
              body = new byte[PIECE];
              new Random(1).nextBytes(body);
            }
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(body);
            }
          }
        });
    server.start();
    toClose.add(() -> server.stop(0));
    return server;
  }

  @Test
  void childFinishesFromTheOtherParentWhenOneIsKilledMidDownload() throws Exception {
    byte[] content = content("killed.bin", 1024 * 1024);
    String url = origin.url("killed.bin");
    String taskId = TaskIds.of(url, null, "");
    String hostA = host("a");
    String hostA2 = host("a2");
    String hostB = host("b");
    // Slow parents so the child is mid-download when one dies. Without the origin as a parent of
    // last resort: a source at its limit would grant it, and the child would finish from it.
    Agent a = agent(hostA, 96 * 1024, NO_ORIGIN_ASSIST);
    Agent a2 = agent(hostA2, 96 * 1024, NO_ORIGIN_ASSIST);
    Agent b = agent(hostB, 0, NO_ORIGIN_ASSIST);
    AtomicReference<ScheduleRequest> first = new AtomicReference<>();
    AtomicReference<ScheduleRequest> second = new AtomicReference<>();
    dispatcher.script(
        taskId,
        r -> {
          if (r.getHostId().equals(hostA)) {
            first.compareAndSet(null, r);
            return answer(r, DecisionOutcome.BACK_TO_SOURCE).build();
          }
          if (r.getHostId().equals(hostA2)) {
            second.compareAndSet(null, r);
            return answer(r, DecisionOutcome.BACK_TO_SOURCE).build();
          }
          List<io.swarmsched.schemas.ParentCandidate> ps = new ArrayList<>();
          ps.add(parent(first.get().getPeerId(), hostA, a.pieceServerAddress()));
          ps.add(parent(second.get().getPeerId(), hostA2, a2.pieceServerAddress()));
          ps.removeIf(p -> r.getBlocklist().contains(p.getPeerId()));
          return parents(r, ps);
        });
    a.download(DownloadRequest.of(url, dir.resolve("a.bin")), new DownloadProgress())
        .get(60, TimeUnit.SECONDS);
    a2.download(DownloadRequest.of(url, dir.resolve("a2.bin")), new DownloadProgress())
        .get(60, TimeUnit.SECONDS);

    DownloadProgress progress = new DownloadProgress();
    var pending = b.download(DownloadRequest.of(url, dir.resolve("b.bin")), progress);
    Await.until(WAIT, "the child to get a few pieces", () -> progress.peerBytes() >= 3L * PIECE);
    a.close();

    DownloadResult rb = pending.get(120, TimeUnit.SECONDS);
    assertThat(Files.readAllBytes(dir.resolve("b.bin"))).isEqualTo(content);
    assertThat(rb.peerBytes()).isEqualTo(content.length);
  }

  @Test
  void restartedAgentResumesAndDoesNotFetchVerifiedPiecesAgain() throws Exception {
    byte[] content = content("resume.bin", 1024 * 1024);
    String url = origin.url("resume.bin");
    String taskId = TaskIds.of(url, null, "");
    String hostA = host("a");
    String hostB = host("b");
    // The source is slowed so the first run is interrupted mid-download; without the origin as a
    // parent of last resort, which a source at its limit grants (the first run then finished from
    // the origin in a few ms, before it had three pieces from the peer, and was never interrupted).
    Agent a = agent(hostA, 128 * 1024, NO_ORIGIN_ASSIST);
    sourceThenParents(taskId, hostA, a);
    a.download(DownloadRequest.of(url, dir.resolve("a.bin")), new DownloadProgress())
        .get(60, TimeUnit.SECONDS);

    Agent b = agent(hostB, 0, NO_ORIGIN_ASSIST);
    DownloadProgress firstRun = new DownloadProgress();
    var interrupted = b.download(DownloadRequest.of(url, dir.resolve("b.bin")), firstRun);
    Await.until(
        WAIT, "the first run to verify a few pieces", () -> firstRun.peerBytes() >= 3L * PIECE);
    b.close();
    toClose.remove(b);
    assertThatThrownBy(() -> interrupted.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DownloadException.class);

    Agent restarted = agent(hostB, 0, NO_ORIGIN_ASSIST);
    DownloadProgress secondRun = new DownloadProgress();
    DownloadResult r =
        restarted
            .download(DownloadRequest.of(url, dir.resolve("b.bin")), secondRun)
            .get(60, TimeUnit.SECONDS);

    assertThat(Files.readAllBytes(dir.resolve("b.bin"))).isEqualTo(content);
    assertThat(r.resumedBytes()).isGreaterThanOrEqualTo(3L * PIECE);
    assertThat(r.resumedBytes() + r.peerBytes()).isEqualTo(content.length);
    List<PieceEvent> secondPieces =
        read(
            Topics.PIECE_EVENTS.name(),
            PieceEvent.class,
            e -> e.getPeerId().equals(r.peerId()) && e.getOutcome() == PieceOutcome.FINISHED,
            l -> l.size() * (long) PIECE + r.resumedBytes() >= content.length);
    Set<Integer> fetchedAgain =
        secondPieces.stream().map(PieceEvent::getPieceNumber).collect(Collectors.toSet());
    assertThat(fetchedAgain).hasSize((int) ((content.length - r.resumedBytes()) / PIECE));
  }

  @Test
  void anOriginWithoutRangeSupportIsReadWhole() throws Exception {
    byte[] content = content("norange.bin", 300 * 1024);
    String url = originWithoutRanges.url("norange.bin");
    String hostA = host("a");
    Agent a = agent(hostA, 0);
    dispatcher.script(
        TaskIds.of(url, null, ""), r -> answer(r, DecisionOutcome.BACK_TO_SOURCE).build());
    long servedBefore = originWithoutRanges.bytesServed();
    a.download(DownloadRequest.of(url, dir.resolve("a.bin")), new DownloadProgress())
        .get(60, TimeUnit.SECONDS);
    assertThat(Files.readAllBytes(dir.resolve("a.bin"))).isEqualTo(content);
    // Streamed once, not once per piece.
    assertThat(originWithoutRanges.bytesServed() - servedBefore).isEqualTo(content.length);
  }

  @Test
  void anOrigin404FailsTheDownloadWithThatReason() throws Exception {
    String url = origin.url("missing.bin");
    Agent a = agent(host("a"), 0);
    dispatcher.script(
        TaskIds.of(url, null, ""), r -> answer(r, DecisionOutcome.BACK_TO_SOURCE).build());
    assertThatThrownBy(
            () ->
                a.download(DownloadRequest.of(url, dir.resolve("a.bin")), new DownloadProgress())
                    .get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DownloadException.class)
        .hasMessageContaining("origin answered 404");
  }

  @Test
  void anUnknownUrlSchemeFailsBeforeAnythingIsPublished() throws Exception {
    Agent a = agent(host("a"), 0);
    int before = dispatcher.requests.size();
    assertThatThrownBy(
            () ->
                a.download(
                        DownloadRequest.of("ftp://example.org/x", dir.resolve("x")),
                        new DownloadProgress())
                    .get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DownloadException.class)
        .hasMessageContaining("unsupported URL scheme 'ftp'");
    assertThat(dispatcher.requests.size()).isEqualTo(before);
  }

  @Test
  void aFailedSchedulingDecisionEndsTheDownloadWithItsReason() throws Exception {
    content("failed.bin", 1000);
    String url = origin.url("failed.bin");
    Agent a = agent(host("a"), 0);
    dispatcher.script(
        TaskIds.of(url, null, ""),
        r -> answer(r, DecisionOutcome.FAILED).setReason("NO_CANDIDATES").build());
    assertThatThrownBy(
            () ->
                a.download(DownloadRequest.of(url, dir.resolve("a.bin")), new DownloadProgress())
                    .get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(DownloadException.class)
        .hasMessageContaining("scheduling FAILED: NO_CANDIDATES");
  }

  @Test
  void aDecisionForAnotherHostOnItsPartitionIsIgnored() throws Exception {
    String hostA = host("a");
    Agent a = agent(hostA, 0);
    Map<String, Object> p =
        new HashMap<>(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                SerdeConfig.SCHEMA_REGISTRY_URL,
                REGISTRY));
    SpecificAvroSerializer<ScheduleDecision> s = new SpecificAvroSerializer<>();
    s.configure(p, false);
    try (KafkaProducer<String, ScheduleDecision> producer =
        new KafkaProducer<>(p, new StringSerializer(), s)) {
      ScheduleDecision forOther =
          ScheduleDecision.newBuilder()
              .setDecisionId("d-" + UUID.randomUUID())
              .setRequestId("r")
              .setTaskId("t")
              .setPeerId("p")
              .setTargetHostId("someone-else")
              .setRequesterHostId("someone-else")
              .setOutcome(DecisionOutcome.SEED_TRIGGER)
              .setUrl(origin.url("p2p.bin"))
              .setPolicyId("scripted")
              .setDecidedAt(Instant.now())
              .build();
      // Keyed by our host so it lands on our partition, but addressed to another host.
      producer.send(new ProducerRecord<>(Topics.SCHEDULE_DECISIONS.name(), hostA, forOther)).get();
    }
    Await.until(WAIT, "the agent to skip the decision", () -> a.ignoredDecisions() == 1);
    assertThat(a.heldTasks()).isEmpty();
  }

  @Test
  void aSeedTriggerMakesASeedFetchTheTaskFromTheOriginAndHoldIt() throws Exception {
    byte[] content = content("seed.bin", 256 * 1024);
    String url = origin.url("seed.bin");
    String taskId = TaskIds.of(url, null, "");
    String seedHost = host("seed");
    Agent seed = agent(seedHost, 0);
    dispatcher.script(
        taskId,
        r -> answer(r, DecisionOutcome.BACK_TO_SOURCE).setReason("NEED_BACK_TO_SOURCE").build());
    Map<String, Object> p =
        new HashMap<>(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                SerdeConfig.SCHEMA_REGISTRY_URL,
                REGISTRY));
    SpecificAvroSerializer<ScheduleDecision> s = new SpecificAvroSerializer<>();
    s.configure(p, false);
    ScheduleDecision trigger =
        ScheduleDecision.newBuilder()
            .setDecisionId("d-" + UUID.randomUUID())
            .setRequestId("someone:0")
            .setTaskId(taskId)
            .setPeerId("someone")
            .setTargetHostId(seedHost)
            .setRequesterHostId("someone-host")
            .setOutcome(DecisionOutcome.SEED_TRIGGER)
            .setUrl(url)
            .setPolicyId("scripted")
            .setDecidedAt(Instant.now())
            .build();
    try (KafkaProducer<String, ScheduleDecision> producer =
        new KafkaProducer<>(p, new StringSerializer(), s)) {
      producer
          .send(new ProducerRecord<>(Topics.SCHEDULE_DECISIONS.name(), seedHost, trigger))
          .get();
      producer
          .send(new ProducerRecord<>(Topics.SCHEDULE_DECISIONS.name(), seedHost, trigger))
          .get(); // redelivered
    }
    List<PeerEvent> events =
        read(
            Topics.PEER_EVENTS.name(),
            PeerEvent.class,
            e -> e.getHostId().equals(seedHost),
            l -> l.stream().anyMatch(e -> e.getType() == PeerEventType.SUCCEEDED));
    assertThat(events).extracting(PeerEvent::getType).contains(PeerEventType.BACK_TO_SOURCE);
    assertThat(events.stream().filter(e -> e.getType() == PeerEventType.REGISTERED).count())
        .isEqualTo(1);
    assertThat(seed.heldTasks()).containsExactly(taskId);
    Path held = dir.resolve(seedHost).resolve("tasks").resolve(taskId);
    Await.until(
        WAIT,
        "the seed's copy to be complete",
        () -> {
          try {
            return Files.exists(held) && java.util.Arrays.equals(Files.readAllBytes(held), content);
          } catch (IOException e) {
            return false;
          }
        });
  }
}
