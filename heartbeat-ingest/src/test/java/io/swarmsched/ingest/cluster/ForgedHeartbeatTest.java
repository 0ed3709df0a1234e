package io.swarmsched.ingest.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.ingest.HeartbeatIngestApp;
import io.swarmsched.ingest.Heartbeats;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.ingest.topology.IngestTopology;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.TopicReader;
import io.swarmsched.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 18's reproduction on the embedded broker: a live agent signs its heartbeats; forged ones
 * for its host id (unsigned, another key, replayed, far in the future; over Kafka and over HTTP)
 * leave the host ONLINE at its real address and land in the dead-letter topic with the reason.
 */
class ForgedHeartbeatTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String REGISTRY = "mock://ingest-forged-heartbeats";
  private static final String HOST = "live-agent-1";
  private static final String REAL = "10.1.1.1:65001";
  private static final String FORGED = "6.6.6.6:65001";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static EmbeddedKafka kafka;
  private static HeartbeatIngestApp ingest;
  private static KafkaProducer<byte[], byte[]> producer;
  private static Serde<HostHeartbeat> serde;
  private static ScheduledExecutorService agent;
  private static final HostKeyPair agentKey = HostKeyPair.generate();
  private static final AtomicLong sequence = new AtomicLong(1_000);
  private static final AtomicReference<ProducerRecord<byte[], byte[]>> lastSent =
      new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.get();
    kafka.createTopics(Topics.ALL);
    Path state = Files.createTempDirectory("ingest-forged");
    serde = SpecificAvroSerde.of(HostHeartbeat.class, Map.of("schema.registry.url", REGISTRY));
    producer = new KafkaProducer<>(kafka.producerProps());
    Map<String, String> values = new HashMap<>(IngestSettings.SERVICE_DEFAULTS);
    values.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    values.put(CommonKeys.SCHEMA_REGISTRY_URL, REGISTRY);
    values.put(CommonKeys.HTTP_HOST, "127.0.0.1");
    values.put(CommonKeys.HTTP_PORT, "0");
    values.put(CommonKeys.STATE_DIR, state.toString());
    values.put(IngestSettings.APPLICATION_ID, "ingest-forged-heartbeats");
    ingest = HeartbeatIngestApp.start(Settings.of(values));
    ingest.streams().awaitRunning(TIMEOUT);
    // the live agent: a signed heartbeat every 300 ms, as SwarmClient's SigningSerializer does
    agent = Executors.newSingleThreadScheduledExecutor();
    agent.scheduleAtFixedRate(ForgedHeartbeatTest::beat, 0, 300, TimeUnit.MILLISECONDS);
  }

  private static void beat() {
    HostHeartbeat hb =
        Heartbeats.valid(HOST, sequence.incrementAndGet(), Instant.now())
            .setPieceServerAddress(REAL)
            .build();
    byte[] value = serde.serializer().serialize(Topics.HOST_HEARTBEATS.name(), hb);
    RecordHeaders headers = new RecordHeaders();
    RecordSignatures.sign(agentKey, value, headers);
    ProducerRecord<byte[], byte[]> r =
        new ProducerRecord<>(
            Topics.HOST_HEARTBEATS.name(),
            null,
            HOST.getBytes(StandardCharsets.UTF_8),
            value,
            headers);
    producer.send(r);
    lastSent.set(r);
  }

  @AfterAll
  static void stop() {
    if (agent != null) {
      agent.shutdownNow();
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (ingest != null) {
      ingest.close();
    }
  }

  private static JsonNode host() throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(ingest.url() + "/api/v1/hosts/" + HOST)).build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
  }

  private static boolean onlineAtRealAddress() throws Exception {
    JsonNode h = host();
    return h != null
        && h.get("liveness").asText().equals("ONLINE")
        && h.get("piece_server_address").asText().equals(REAL);
  }

  private static void sendForged(HostHeartbeat hb, Headers headers) throws Exception {
    byte[] value = serde.serializer().serialize(Topics.HOST_HEARTBEATS.name(), hb);
    producer
        .send(
            new ProducerRecord<>(
                Topics.HOST_HEARTBEATS.name(),
                null,
                HOST.getBytes(StandardCharsets.UTF_8),
                value,
                headers))
        .get();
  }

  private static HostHeartbeat forged(long seq, Instant ts) {
    return Heartbeats.valid(HOST, seq, ts)
        .setPieceServerAddress(FORGED)
        .setType(io.swarmsched.schemas.HostType.SUPER_SEED)
        .build();
  }

  @Test
  void forgedHeartbeatsForALiveAgentAreDeadLetteredAndChangeNothing() throws Exception {
    Await.until(
        TIMEOUT, HOST + " online at its real address", () -> safe(() -> onlineAtRealAddress()));

    // 1. unsigned, a huge sequence, 10 s ahead (within the skew): issue 18's attack over Kafka
    sendForged(forged(1L << 50, Instant.now().plusSeconds(10)), new RecordHeaders());
    // 2. signed by another key
    RecordHeaders otherKey = new RecordHeaders();
    HostHeartbeat hb2 = forged(1L << 50, Instant.now());
    RecordSignatures.sign(
        HostKeyPair.generate(),
        serde.serializer().serialize(Topics.HOST_HEARTBEATS.name(), hb2),
        otherKey);
    sendForged(hb2, otherKey);
    // 3. one of the agent's own heartbeats again, byte for byte
    ProducerRecord<byte[], byte[]> captured = lastSent.get();
    Thread.sleep(700); // two newer real heartbeats go first, so the copy is a replay
    producer
        .send(
            new ProducerRecord<>(
                captured.topic(), null, captured.key(), captured.value(), captured.headers()))
        .get();
    // 4. 50 s in the future, as in the issue
    sendForged(forged(1L << 50, Instant.now().plusSeconds(50)), new RecordHeaders());
    // 5. over HTTP: the gateway refuses a host bound to a key
    String body =
        "{\"worker_id\":\""
            + HOST
            + "\",\"address\":\""
            + FORGED
            + "\",\"max_tasks\":4,\"current_tasks\":0,\"timestamp\":"
            + Instant.now().getEpochSecond()
            + "}";
    Await.until(
        TIMEOUT,
        "the gateway refuses a heartbeat for a key-bound host with 403",
        () ->
            safe(
                () ->
                    HTTP.send(
                                HttpRequest.newBuilder(
                                        URI.create(ingest.url() + "/api/v1/heartbeat"))
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                                HttpResponse.BodyHandlers.ofString())
                            .statusCode()
                        == 403));

    List<ConsumerRecord<byte[], byte[]>> dead =
        TopicReader.of(kafka)
            .readUntil(
                Topics.DEAD_LETTERS.name(),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer(),
                records -> reasons(records).size() >= 4,
                TIMEOUT);
    List<String> reasons = reasons(dead);
    assertThat(reasons)
        .anySatisfy(
            r ->
                assertThat(r)
                    .contains("is bound to key " + agentKey.keyId() + "; the record is not signed"))
        .anySatisfy(r -> assertThat(r).contains("the record is signed by another key"))
        .anySatisfy(r -> assertThat(r).startsWith("replayed: sequence"))
        .anySatisfy(
            r ->
                assertThat(r)
                    .matches(
                        "timestamp: is 4\\d{4} ms in the future; at most 30000 ms is accepted"));

    // the real agent keeps the host: still ONLINE at its address, and its heartbeats still count
    long before = host().get("last_sequence").asLong();
    Await.until(
        TIMEOUT,
        "newer real heartbeats accepted after the forgeries",
        () -> safe(() -> host().get("last_sequence").asLong() > before && onlineAtRealAddress()));
    assertThat(host().get("type").asText()).isEqualTo("NORMAL");
  }

  /** The reasons of the dead letters of this test's host, from the heartbeat stages. */
  private static List<String> reasons(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream()
        .filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(HOST))
        .filter(
            r ->
                DeadLetterHeaders.lastValue(r.headers(), DeadLetterHeaders.STAGE)
                    .filter(
                        s ->
                            s.equals(IngestTopology.STAGE_AUTHENTICATE)
                                || s.equals(IngestTopology.STAGE_VALIDATE))
                    .isPresent())
        .map(r -> DeadLetterHeaders.lastValue(r.headers(), DeadLetterHeaders.REASON).orElse(""))
        .toList();
  }

  private interface Check {
    boolean get() throws Exception;
  }

  private static boolean safe(Check check) {
    try {
      return check.get();
    } catch (Exception e) {
      return false;
    }
  }
}
