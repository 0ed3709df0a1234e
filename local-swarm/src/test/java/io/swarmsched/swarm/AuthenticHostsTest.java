package io.swarmsched.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.agent.Agent;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.ingest.HeartbeatIngestApp;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleRequest;
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
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 with a real agent (its own key in its data directory, signing through SwarmClient),
 * heartbeat-ingest and the dispatcher on the embedded broker: a forged HTTP heartbeat as in the
 * issue (large sequence, 50 s ahead, another address), a forged unsigned one over Kafka, a forged
 * piece event and a forged request naming the agent's host change nothing and are refused.
 */
class AuthenticHostsTest {
  private static final Duration AWAIT = Duration.ofSeconds(120);
  private static final String SCOPE = "authentic-hosts";
  private static final String HOST = "auth-agent-1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final EmbeddedKafka kafka = EmbeddedKafka.get();
  private static final Map<String, String> serdeConfig =
      Map.of("schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + SCOPE);

  private static HeartbeatIngestApp ingest;
  private static DispatcherApp dispatcher;
  private static Agent agent;
  private static KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  static void start() throws Exception {
    kafka.createTopics(Topics.ALL);
    Path dir = Files.createTempDirectory("authentic-hosts");
    ingest = HeartbeatIngestApp.start(settings(dir, "ingest", IngestSettings.SERVICE_DEFAULTS));
    dispatcher = DispatcherApp.start(settings(dir, "dispatcher", Map.of()));
    ingest.streams().awaitRunning(AWAIT);
    dispatcher.awaitRunning(AWAIT);
    Map<String, String> a = new HashMap<>();
    a.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    a.put(CommonKeys.SCHEMA_REGISTRY_URL, serdeConfig.get("schema.registry.url"));
    a.put(AgentConfig.HOST_ID, HOST);
    a.put(AgentConfig.DATA_DIR, dir.resolve("agent").toString());
    a.put(AgentConfig.BIND_HOST, "127.0.0.1");
    a.put(AgentConfig.ADVERTISED_HOST, "127.0.0.1");
    a.put(AgentConfig.HEARTBEAT_INTERVAL, "500ms");
    a.put(AgentConfig.CONTROL_PORT, "-1");
    agent = Agent.start(AgentConfig.from(Settings.of(a)));
    producer =
        new KafkaProducer<>(
            kafka.producerProps(),
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer());
  }

  private static Settings settings(Path dir, String name, Map<String, String> defaults) {
    Map<String, String> m = new HashMap<>(defaults);
    m.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    m.put(CommonKeys.SCHEMA_REGISTRY_URL, serdeConfig.get("schema.registry.url"));
    m.put(CommonKeys.HTTP_HOST, "127.0.0.1");
    m.put(CommonKeys.HTTP_PORT, "0");
    m.put(CommonKeys.STATE_DIR, dir.resolve(name).toString());
    m.put(CommonKeys.INSTANCE_ID, name);
    m.put(IngestSettings.APPLICATION_ID, "authentic-hosts-ingest");
    m.put(DispatcherConfig.APPLICATION_ID, "authentic-hosts-dispatcher");
    return Settings.of(m);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {producer, agent, dispatcher, ingest}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          System.err.println("closing " + c + ": " + e);
        }
      }
    }
  }

  private static JsonNode host() {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(ingest.url() + "/api/v1/hosts/" + HOST)).build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    } catch (Exception e) {
      return null;
    }
  }

  private static String realAddress() {
    JsonNode h = host();
    return h == null ? null : h.get("piece_server_address").asText();
  }

  private static boolean onlineAt(String address) {
    JsonNode h = host();
    return h != null
        && h.get("liveness").asText().equals("ONLINE")
        && h.get("piece_server_address").asText().equals(address)
        && h.get("type").asText().equals("NORMAL");
  }

  private static HttpResponse<String> postHeartbeat(String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(ingest.url() + "/api/v1/heartbeat"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] avro(String topic, org.apache.avro.specific.SpecificRecord value) {
    @SuppressWarnings("unchecked")
    Class<org.apache.avro.specific.SpecificRecord> type =
        (Class<org.apache.avro.specific.SpecificRecord>) value.getClass();
    return SpecificAvroSerde.of(type, serdeConfig).serializer().serialize(topic, value);
  }

  @Test
  void forgeriesNamingALiveAgentsHostAreRefusedAndChangeNothing() throws Exception {
    Await.until(AWAIT, HOST + " online", () -> realAddress() != null && onlineAt(realAddress()));
    String real = realAddress();
    long seq = host().get("last_sequence").asLong();

    // 1. the reproduction over HTTP: a SUPER_SEED at another address, a huge sequence,
    // 50 s ahead. Refused (clock) and, once the gateway knows the binding, refused as bound
    long ahead = Instant.now().plusSeconds(50).toEpochMilli();
    String forged =
        "{\"host_id\":\""
            + HOST
            + "\",\"sequence\":9000000000000000000,\"timestamp\":"
            + ahead
            + ",\"piece_server_address\":\"6.6.6.6:65001\",\"type\":\"SUPER_SEED\","
            + "\"capacity\":{\"max_tx_bytes_per_sec\":125000000,\"upload_slot_limit\":20},"
            + "\"load\":{}}";
    HttpResponse<String> first = postHeartbeat(forged);
    assertThat(first.statusCode()).as(first.body()).isIn(400, 403);
    String inSkew =
        forged.replace(Long.toString(ahead), Long.toString(Instant.now().toEpochMilli()));
    Await.until(
        AWAIT,
        "the gateway answers 403",
        () -> {
          try {
            return postHeartbeat(inSkew).statusCode() == 403;
          } catch (Exception e) {
            return false;
          }
        });

    // 2. the same heartbeat written to Kafka directly, unsigned
    io.swarmsched.schemas.HostHeartbeat hb =
        io.swarmsched.schemas.HostHeartbeat.newBuilder()
            .setHostId(HOST)
            .setSequence(Long.MAX_VALUE / 2)
            .setTimestamp(Instant.now())
            .setPieceServerAddress("6.6.6.6:65001")
            .setType(io.swarmsched.schemas.HostType.SUPER_SEED)
            .setCapacity(
                io.swarmsched.schemas.HostCapacity.newBuilder()
                    .setMaxTxBytesPerSec(125_000_000L)
                    .setUploadSlotLimit(20)
                    .build())
            .setLoad(io.swarmsched.schemas.HostLoad.newBuilder().build())
            .build();
    producer
        .send(
            new ProducerRecord<>(
                Topics.HOST_HEARTBEATS.name(),
                HOST.getBytes(StandardCharsets.UTF_8),
                avro(Topics.HOST_HEARTBEATS.name(), hb)))
        .get();

    // 3. a forged piece event and 4. a forged request in the agent's name
    String task = "t-auth-" + UUID.randomUUID();
    PieceEvent piece =
        PieceEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setTaskId(task)
            .setPeerId("forged-peer")
            .setHostId(HOST)
            .setPieceNumber(0)
            .setOutcome(PieceOutcome.FAILED)
            .setSource(PieceSource.PARENT)
            .setParentPeerId("p-victim")
            .setParentHostId("victim-host")
            .setBytes(0)
            .setCostMillis(5)
            .setTimestamp(Instant.now())
            .build();
    producer
        .send(
            new ProducerRecord<>(
                Topics.PIECE_EVENTS.name(),
                task.getBytes(StandardCharsets.UTF_8),
                avro(Topics.PIECE_EVENTS.name(), piece)))
        .get();
    ScheduleRequest request =
        ScheduleRequest.newBuilder()
            .setRequestId("forged-" + UUID.randomUUID())
            .setTaskId(task)
            .setPeerId("forged-peer")
            .setHostId(HOST)
            .setUrl("http://example.invalid/" + task)
            .setTimestamp(Instant.now())
            .build();
    producer
        .send(
            new ProducerRecord<>(
                Topics.SCHEDULE_REQUESTS.name(),
                task.getBytes(StandardCharsets.UTF_8),
                avro(Topics.SCHEDULE_REQUESTS.name(), request)))
        .get();

    List<ConsumerRecord<byte[], byte[]>> dead =
        TopicReader.of(kafka)
            .readUntil(
                Topics.DEAD_LETTERS.name(),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer(),
                records ->
                    stages(records)
                        .containsAll(
                            List.of(
                                "heartbeat-authenticate",
                                "piece-event-authenticate",
                                "request-authenticate")),
                AWAIT);
    assertThat(reasonsOf(dead, "heartbeat-authenticate"))
        .anySatisfy(
            r -> assertThat(r).contains("'" + HOST + "' is bound to key").contains("not signed"));
    assertThat(reasonsOf(dead, "piece-event-authenticate"))
        .anySatisfy(r -> assertThat(r).contains("'" + HOST + "' is bound to key"));
    assertThat(reasonsOf(dead, "request-authenticate"))
        .anySatisfy(r -> assertThat(r).contains("'" + HOST + "' is bound to key"));

    // the agent keeps its host: ONLINE at its own address, its heartbeats still accepted
    Await.until(
        AWAIT,
        "the agent's next heartbeats accepted",
        () -> {
          JsonNode h = host();
          return h != null && h.get("last_sequence").asLong() > seq && onlineAt(real);
        });
    assertThat(real).doesNotStartWith("6.6.6.6");
  }

  private static List<String> stages(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream()
        .filter(r -> r.value() != null)
        .map(r -> DeadLetterHeaders.lastValue(r.headers(), DeadLetterHeaders.STAGE).orElse(""))
        .toList();
  }

  private static List<String> reasonsOf(
      List<ConsumerRecord<byte[], byte[]>> records, String stage) {
    return records.stream()
        .filter(
            r ->
                stage.equals(
                    DeadLetterHeaders.lastValue(r.headers(), DeadLetterHeaders.STAGE).orElse("")))
        .map(r -> DeadLetterHeaders.lastValue(r.headers(), DeadLetterHeaders.REASON).orElse(""))
        .toList();
  }
}
