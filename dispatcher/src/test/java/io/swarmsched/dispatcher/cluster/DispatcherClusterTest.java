package io.swarmsched.dispatcher.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.SkipUndecodable;
import io.swarmsched.testing.ThreadDumps;
import io.swarmsched.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two dispatcher instances on the embedded cluster: the HTTP API answered by either, and a steady
 * stream of requests while one instance dies; a consumer deduplicating by request id must see
 * exactly one terminal decision for every request.
 */
class DispatcherClusterTest {
  private static final Duration AWAIT = Duration.ofSeconds(120);
  private static final Set<DecisionOutcome> TERMINAL =
      Set.of(
          DecisionOutcome.PARENTS,
          DecisionOutcome.BACK_TO_SOURCE,
          DecisionOutcome.FAILED,
          DecisionOutcome.REJECTED,
          DecisionOutcome.ASSIGNED);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final EmbeddedKafka kafka = EmbeddedKafka.get();

  /**
   * One registry scope for the whole JVM: the topics (and the records of earlier tests) are shared.
   */
  private static final String scope = "dispatcher-cluster";

  private final String appId = EmbeddedKafka.uniqueName("dispatcher");
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final List<DispatcherApp> apps = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @AfterEach
  void stop() {
    for (DispatcherApp app : apps) {
      app.close();
    }
  }

  private Map<String, String> serdeConfig() {
    return Map.of("schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + scope);
  }

  private DispatcherApp startInstance(String name) throws Exception {
    return startInstance(name, Files.createTempDirectory("dispatcher-" + name));
  }

  private DispatcherApp startInstance(String name, Path stateDir) throws Exception {
    Map<String, String> values = new HashMap<>();
    values.put("swarm.bootstrap.servers", kafka.bootstrapServers());
    values.put("swarm.schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + scope);
    values.put("swarm.http.host", "127.0.0.1");
    values.put("swarm.http.port", "0");
    values.put("swarm.state.dir", stateDir.toString());
    values.put("swarm.instance.id", name);
    values.put(DispatcherConfig.APPLICATION_ID, appId);
    values.put("swarm.streams.session.timeout.ms", "6000");
    values.put("swarm.streams.heartbeat.interval.ms", "1000");
    DispatcherApp app = DispatcherApp.start(Settings.of(values));
    apps.add(app);
    return app;
  }

  private void provision(KafkaProducer<String, ?> unused) {
    kafka.createTopics(Topics.ALL);
  }

  private void publishHosts(int count) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            kafka.producerProps(),
            new StringSerializer(),
            SpecificAvroSerde.of(HostState.class, serdeConfig()).serializer())) {
      for (int i = 0; i < count; i++) {
        String id = run + "-h" + i;
        producer
            .send(
                new ProducerRecord<>(
                    Topics.HOSTS.name(),
                    id,
                    HostState.newBuilder()
                        .setHostId(id)
                        .setPieceServerAddress(id + ":4000")
                        .setType(HostType.NORMAL)
                        .setCapacity(
                            HostCapacity.newBuilder()
                                .setMaxTxBytesPerSec(100L << 20)
                                .setUploadSlotLimit(1000)
                                .build())
                        .setLoad(HostLoad.newBuilder().build())
                        .setLastSequence(1)
                        .setLastSeen(Instant.now())
                        .setFirstSeen(Instant.now())
                        .setLiveness(Liveness.ONLINE)
                        .setLivenessChangedAt(Instant.now())
                        .build()))
            .get();
      }
    }
  }

  private KafkaConsumer<String, ScheduleDecision> decisionConsumer() {
    Map<String, Object> props =
        new HashMap<>(kafka.consumerProps(EmbeddedKafka.uniqueName("decisions-reader")));
    // The topic is shared by every test class in this JVM (one embedded cluster), and other
    // classes write decisions under their own registry scope, whose schema ids mean other schemas
    // here: such records are skipped (null), not allowed to kill the reader.
    var decisions = SpecificAvroSerde.of(ScheduleDecision.class, serdeConfig()).deserializer();
    var tolerant = SkipUndecodable.of(decisions);
    KafkaConsumer<String, ScheduleDecision> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), tolerant);
    consumer.subscribe(List.of(Topics.SCHEDULE_DECISIONS.name()));
    return consumer;
  }

  @Test
  void httpApiSchedulesAndAnswersFromAnyInstance() throws Exception {
    provision(null);
    publishHosts(4);
    DispatcherApp a = startInstance("a");
    DispatcherApp b = startInstance("b");
    a.awaitRunning(AWAIT);
    b.awaitRunning(AWAIT);

    String task = run + "-http-task";
    HttpResponse<String> first =
        post(
            a,
            "{\"task_id\":\""
                + task
                + "\",\"peer_id\":\"p0\",\"host_id\":\""
                + run
                + "-h0\",\"url\":\"https://origin/x\"}",
            "?wait=60s");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    JsonNode d0 = JSON.readTree(first.body());
    assertThat(d0.get("outcome").asText()).isEqualTo("BACK_TO_SOURCE");
    String generatedId = d0.get("request_id").asText();
    assertThat(generatedId).isNotBlank();

    HttpResponse<String> second =
        post(
            b,
            "{\"request_id\":\""
                + run
                + "-r1\",\"task_id\":\""
                + task
                + "\",\"peer_id\":\"p1\",\"host_id\":\""
                + run
                + "-h1\",\"url\":\"https://origin/x\"}",
            "?wait=60s");
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    JsonNode d1 = JSON.readTree(second.body());
    assertThat(d1.get("outcome").asText()).isEqualTo("PARENTS");
    assertThat(d1.get("parents").get(0).get("peer_id").asText()).isEqualTo("p0");

    for (DispatcherApp app : List.of(a, b)) {
      HttpResponse<String> byId = get(app, "/api/v1/decisions/" + run + "-r1");
      assertThat(byId.statusCode()).as(byId.body()).isEqualTo(200);
      assertThat(JSON.readTree(byId.body()).get("decision_id").asText())
          .isEqualTo(d1.get("decision_id").asText());

      // the decision store answers at once, the task store as of the last commit (write-behind):
      // poll
      JsonNode view =
          Await.value(
              AWAIT,
              "the task view with both peers",
              () -> {
                try {
                  HttpResponse<String> taskView = get(app, "/api/v1/tasks/" + task);
                  if (taskView.statusCode() != 200) return Optional.empty();
                  JsonNode v = JSON.readTree(taskView.body());
                  return v.get("dag").get("nodes").size() == 2 ? Optional.of(v) : Optional.empty();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(view.get("dag").get("nodes")).hasSize(2);
      assertThat(view.get("dag").get("edges").get(0).get("from").asText()).isEqualTo("p0");
      assertThat(view.get("dag").get("edges").get(0).get("to").asText()).isEqualTo("p1");
    }

    HttpResponse<String> bad =
        post(a, "{\"task_id\":\"" + task + "\",\"host_id\":\"h\",\"priority\":\"high\"}", "");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("priority");
    HttpResponse<String> missing =
        post(a, "{\"task_id\":\"" + task + "\",\"host_id\":\"h\",\"url\":\"u\"}", "");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("peer_id");
    assertThat(get(a, "/api/v1/decisions/" + run + "-never").statusCode()).isEqualTo(404);
    assertThat(get(b, "/api/v1/tasks/" + run + "-no-such-task").statusCode()).isEqualTo(404);
  }

  /**
   * The host index is rebuilt at start-up both from the global store's local checkpoint (which
   * Streams does not replay through the global processor) and from the topic (a fresh state
   * directory): in each case the second peer of a new task gets the first as parent, which needs
   * both peers' hosts.
   */
  @Test
  void decisionsSeeHostsAfterARestartFromTheCheckpointAndFromScratch() throws Exception {
    provision(null);
    publishHosts(2);
    Path stateDir = Files.createTempDirectory("dispatcher-restart");

    DispatcherApp first = startInstance("restart-1", stateDir);
    first.awaitRunning(AWAIT);
    assertSecondPeerGetsTheFirstAsParent(first, "before");
    first.close();
    apps.remove(first);
    try (var files = Files.walk(stateDir)) {
      // Kafka 4.3 keeps a global store's offset in the store itself: the restart resumes from there
      // and does not
      // replay the earlier records through the global processor
      assertThat(
              files.anyMatch(
                  f -> f.endsWith(Path.of("global", "rocksdb", DispatcherTopology.HOSTS_STORE))))
          .as(
              "the hosts global store is on disk, so the restart resumes it rather than rebuilding it")
          .isTrue();
    }

    DispatcherApp fromCheckpoint = startInstance("restart-2", stateDir);
    fromCheckpoint.awaitRunning(AWAIT);
    assertSecondPeerGetsTheFirstAsParent(fromCheckpoint, "from-checkpoint");
    fromCheckpoint.close();
    apps.remove(fromCheckpoint);

    DispatcherApp fromScratch =
        startInstance("restart-3", Files.createTempDirectory("dispatcher-restart-fresh"));
    fromScratch.awaitRunning(AWAIT);
    assertSecondPeerGetsTheFirstAsParent(fromScratch, "from-scratch");
  }

  private void assertSecondPeerGetsTheFirstAsParent(DispatcherApp app, String phase)
      throws Exception {
    String task = run + "-restart-" + phase;
    HttpResponse<String> first =
        post(
            app,
            "{\"task_id\":\""
                + task
                + "\",\"peer_id\":\"p0\",\"host_id\":\""
                + run
                + "-h0\",\"url\":\"https://origin/x\"}",
            "?wait=60s");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(JSON.readTree(first.body()).get("outcome").asText())
        .as(phase)
        .isEqualTo("BACK_TO_SOURCE");
    HttpResponse<String> second =
        post(
            app,
            "{\"task_id\":\""
                + task
                + "\",\"peer_id\":\"p1\",\"host_id\":\""
                + run
                + "-h1\",\"url\":\"https://origin/x\"}",
            "?wait=60s");
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    JsonNode d = JSON.readTree(second.body());
    assertThat(d.get("outcome").asText()).as(phase + ": " + second.body()).isEqualTo("PARENTS");
    assertThat(d.get("parents").get(0).get("peer_id").asText()).isEqualTo("p0");
  }

  @Test
  void everyRequestGetsExactlyOneTerminalDecisionWhenAnInstanceDies() throws Exception {
    provision(null);
    int hosts = 20;
    publishHosts(hosts);
    DispatcherApp a = startInstance("a");
    DispatcherApp b = startInstance("b");
    a.awaitRunning(AWAIT);
    b.awaitRunning(AWAIT);
    Await.until(AWAIT, "both instances own task partitions", () -> ownsTasks(a) && ownsTasks(b));

    int total = 300;
    Map<String, List<ScheduleDecision>> terminal = new ConcurrentHashMap<>();
    AtomicBoolean reading = new AtomicBoolean(true);
    Thread reader =
        new Thread(
            () -> {
              try (KafkaConsumer<String, ScheduleDecision> consumer = decisionConsumer()) {
                while (reading.get()) {
                  for (ConsumerRecord<String, ScheduleDecision> r :
                      consumer.poll(Duration.ofMillis(200))) {
                    ScheduleDecision d = r.value();
                    if (d != null
                        && d.getRequestId().startsWith(run + "-req-")
                        && TERMINAL.contains(d.getOutcome())) {
                      terminal.computeIfAbsent(d.getRequestId(), k -> new ArrayList<>()).add(d);
                    }
                  }
                }
              }
            },
            "decision-reader");
    reader.start();

    try (var producer =
        new KafkaProducer<>(
            kafka.producerProps(),
            new StringSerializer(),
            SpecificAvroSerde.of(ScheduleRequest.class, serdeConfig()).serializer())) {
      for (int i = 0; i < total; i++) {
        String task = run + "-t" + (i % 30);
        ScheduleRequest req =
            ScheduleRequest.newBuilder()
                .setRequestId(run + "-req-" + i)
                .setTaskId(task)
                .setPeerId("p" + i)
                .setHostId(run + "-h" + (i % hosts))
                .setUrl("https://origin/" + task)
                .setTimestamp(Instant.now())
                .build();
        producer.send(
            new ProducerRecord<>(
                Topics.SCHEDULE_REQUESTS.name(),
                null,
                req.getTimestamp().toEpochMilli(),
                task,
                req));
        if (i == total / 3) {
          producer.flush();
          a.crash();
        }
        TimeUnit.MILLISECONDS.sleep(10); // a steady stream, not a burst
      }
      producer.flush();
    }

    try {
      Await.until(
          AWAIT,
          "a terminal decision for each of " + total + " requests",
          () -> terminal.size() == total);
    } finally {
      reading.set(false);
      reader.join(10_000);
    }
    for (Map.Entry<String, List<ScheduleDecision>> e : terminal.entrySet()) {
      assertThat(e.getValue().stream().map(ScheduleDecision::getDecisionId).distinct())
          .as("decisions of %s", e.getKey())
          .hasSize(1);
    }
    assertThat(terminal.values().stream().map(l -> l.get(0).getOutcome()))
        .containsOnly(DecisionOutcome.PARENTS, DecisionOutcome.BACK_TO_SOURCE);
  }

  /**
   * True when the instance runs at least one active task of the dispatch sub-topology (not just
   * global state).
   */
  private static boolean ownsTasks(DispatcherApp app) {
    return app.streams().streams().metadataForLocalThreads().stream()
        .anyMatch(t -> !t.activeTasks().isEmpty());
  }

  private HttpResponse<String> post(DispatcherApp app, String body, String query) throws Exception {
    try {
      return postOnce(app, body, query);
    } catch (java.net.http.HttpTimeoutException e) {
      throw new java.net.http.HttpTimeoutException(
          "POST " + query + " timed out (threads: " + ThreadDumps.write("POST " + body) + ")");
    }
  }

  private HttpResponse<String> postOnce(DispatcherApp app, String body, String query)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(app.url() + "/api/v1/schedule" + query))
            .timeout(Duration.ofSeconds(90))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(DispatcherApp app, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(app.url() + path))
            .timeout(Duration.ofSeconds(60))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  // ---------------------------------------------------------------- replay memory

  /** {@code hostId} bound to {@code key} in swarm.host-keys.v1, as ingest or an operator does. */
  private void bind(String hostId, HostKeyPair key) throws Exception {
    try (var producer =
        new KafkaProducer<>(
            kafka.producerProps(),
            new StringSerializer(),
            SpecificAvroSerde.of(HostKey.class, serdeConfig()).serializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.HOST_KEYS.name(),
                  hostId,
                  HostKey.newBuilder()
                      .setHostId(hostId)
                      .setPublicKey(ByteBuffer.wrap(key.publicKey()))
                      .setBoundAt(Instant.now())
                      .setBoundBy("operator")
                      .build()))
          .get();
    }
  }

  /** Writes {@code value} to the requests topic signed by {@code key}, as the host's agent does. */
  private void sendSigned(String task, byte[] value, HostKeyPair key) throws Exception {
    RecordHeaders headers = new RecordHeaders();
    RecordSignatures.sign(key, value, headers);
    try (var producer =
        new KafkaProducer<>(
            kafka.producerProps(), new StringSerializer(), new ByteArraySerializer())) {
      producer
          .send(new ProducerRecord<>(Topics.SCHEDULE_REQUESTS.name(), null, task, value, headers))
          .get();
    }
  }

  private byte[] request(String requestId, String task, String hostId) {
    return SpecificAvroSerde.of(ScheduleRequest.class, serdeConfig())
        .serializer()
        .serialize(
            Topics.SCHEDULE_REQUESTS.name(),
            ScheduleRequest.newBuilder()
                .setRequestId(requestId)
                .setTaskId(task)
                .setPeerId(run + "-p0")
                .setHostId(hostId)
                .setUrl("https://origin/" + task)
                .setTimestamp(Instant.now())
                .build());
  }

  /** Request ids of the decisions for {@code task} polled now. */
  private static List<String> decided(KafkaConsumer<String, ScheduleDecision> c, String task) {
    List<String> ids = new ArrayList<>();
    for (ConsumerRecord<String, ScheduleDecision> r : c.poll(Duration.ofMillis(500))) {
      if (r.value() != null && task.equals(r.value().getTaskId()))
        ids.add(r.value().getRequestId());
    }
    return ids;
  }

  /**
   * The dispatcher remembers the signed records it accepted across a restart (docs/design.md,
   * "Security"): a bound host's signed request replayed after the dispatcher restarted on a fresh
   * state directory (so the memory can only come from the store's changelog) is dead-lettered as a
   * replay and decided once.
   */
  @Test
  void aSignedRequestReplayedAfterARestartIsRefusedAsAReplay() throws Exception {
    provision(null);
    publishHosts(1);
    String host = run + "-h0";
    HostKeyPair key = HostKeyPair.generate();
    bind(host, key);
    String task = run + "-replayed";
    byte[] request = request(run + "-r1", task, host);

    try (KafkaConsumer<String, ScheduleDecision> decisions = decisionConsumer();
        KafkaConsumer<byte[], byte[]> deadLetters =
            new KafkaConsumer<>(
                kafka.consumerProps(EmbeddedKafka.uniqueName("dead-letters-reader")),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
      deadLetters.subscribe(List.of(Topics.DEAD_LETTERS.name()));
      DispatcherApp first = startInstance("replay-1");
      first.awaitRunning(AWAIT);
      sendSigned(task, request, key);
      List<String> before = new ArrayList<>();
      Await.until(
          AWAIT,
          "a decision for the signed request",
          () -> before.addAll(decided(decisions, task)) && !before.isEmpty());
      assertThat(before).containsExactly(run + "-r1");
      first.close();
      apps.remove(first);

      startInstance("replay-2").awaitRunning(AWAIT); // a fresh state directory
      sendSigned(task, request, key); // the same bytes: the same (deterministic) signature
      List<String> reasons = new ArrayList<>();
      Await.until(
          AWAIT,
          "the replay dead-lettered",
          () -> {
            for (ConsumerRecord<byte[], byte[]> r : deadLetters.poll(Duration.ofMillis(500))) {
              if (r.key() != null && task.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                reasons.add(
                    DeadLetterHeaders.lastValue(r.headers(), DeadLetterHeaders.REASON).orElse(""));
              }
            }
            return !reasons.isEmpty();
          });
      assertThat(reasons).singleElement().asString().startsWith("replayed: the same");
      // a fresh signed request of the same task (same partition, so after the replay) is decided,
      // and the replay was not decided again
      sendSigned(task, request(run + "-r2", task, host), key);
      List<String> after = new ArrayList<>();
      Await.until(
          AWAIT,
          "a decision for the next request",
          () -> after.addAll(decided(decisions, task)) && after.contains(run + "-r2"));
      assertThat(after).doesNotContain(run + "-r1");
    }
  }
}
