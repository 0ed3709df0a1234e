package io.swarmsched.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.ingest.validation.HeartbeatValidator;
import io.swarmsched.ingest.validation.ValidationLimits;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.HttpAuth;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.HostType;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HeartbeatGatewayTest {
  private static final String SCOPE = "ingest-gateway-test";
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BODY_LIMIT = 4096;

  private final HttpClient client = HttpClient.newHttpClient();
  private MockProducer<String, byte[]> producer;
  private Serde<HostHeartbeat> serde;
  private HttpApi api;

  @BeforeEach
  void start() throws Exception {
    serde =
        SpecificAvroSerde.of(HostHeartbeat.class, Map.of("schema.registry.url", "mock://" + SCOPE));
    producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
    HeartbeatGateway gateway =
        new HeartbeatGateway(
            producer,
            serde.serializer(),
            new HeartbeatValidator(ValidationLimits.defaults()),
            BODY_LIMIT,
            Clock.fixed(NOW, ZoneOffset.UTC));
    api = HttpApi.create("127.0.0.1", 0, BODY_LIMIT).post(HeartbeatGateway.PATH, gateway).start();
  }

  @AfterEach
  void stop() {
    api.close();
    MockSchemaRegistry.dropScope(SCOPE);
  }

  private HttpResponse<String> post(String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + HeartbeatGateway.PATH))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static String avroShape(String overrides) {
    String base =
        """
        "host_id": "h1", "sequence": 7, "timestamp": %d, "hostname": "h1.example", "ip": "10.0.0.7",
        "piece_server_address": "10.0.0.7:65001", "type": "SUPER_SEED", "idc": "idc-a",
        "location": "cn|zj|hz", "tags": ["gpu"], "disable_shared": false,
        "capacity": {"max_tx_bytes_per_sec": 125000000, "upload_slot_limit": 20, "cpu_cores": 16,
                     "memory_bytes": 68719476736, "gpus": 1, "gpu_models": ["A100"]},
        "load": {"tx_bytes_per_sec": 1000, "concurrent_uploads": 2, "cpu_usage": 0.5},
        "agent_version": "0.1.0"
        """
            .formatted(NOW.toEpochMilli());
    return "{" + base + overrides + "}";
  }

  private HostHeartbeat produced(int index) {
    ProducerRecord<String, byte[]> record = producer.history().get(index);
    assertThat(record.topic()).isEqualTo(Topics.HOST_HEARTBEATS.name());
    assertThat(record.value()[0]).as("Confluent magic byte").isEqualTo((byte) 0);
    HostHeartbeat hb = serde.deserializer().deserialize(record.topic(), record.value());
    assertThat(record.key()).isEqualTo(hb.getHostId());
    return hb;
  }

  private static void assertError(HttpResponse<String> response, int status, String messageStart)
      throws Exception {
    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("error_code").asInt()).isEqualTo(status);
    assertThat(body.get("message").asText()).startsWith(messageStart);
  }

  @Test
  void theAvroShapeIsValidatedAndProducedInTheWireFormat() throws Exception {
    HttpResponse<String> response = post(avroShape(""));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).get("status").asText()).isEqualTo("ok");
    HostHeartbeat hb = produced(0);
    assertThat(hb.getHostId()).isEqualTo("h1");
    assertThat(hb.getSequence()).isEqualTo(7);
    assertThat(hb.getTimestamp()).isEqualTo(NOW);
    assertThat(hb.getType()).isEqualTo(HostType.SUPER_SEED);
    assertThat(hb.getCapacity().getUploadSlotLimit()).isEqualTo(20);
    assertThat(hb.getLoad().getCpuUsage()).isEqualTo(0.5);
    assertThat(hb.getCapacity().getGpuModels()).containsExactly("A100");
  }

  @Test
  void theDtaskShapeIsAcceptedWithSecondsTimestamps() throws Exception {
    HttpResponse<String> response =
        post(
            """
        {"worker_id": "worker-001", "address": "192.168.1.100:9000",
         "resource_tags": ["gpu", "cuda-12.0"], "max_tasks": 30, "current_tasks": 15,
         "timestamp": %d}"""
                .formatted(NOW.getEpochSecond()));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).get("status").asText()).isEqualTo("ok");
    HostHeartbeat hb = produced(0);
    assertThat(hb.getHostId()).isEqualTo("worker-001");
    assertThat(hb.getPieceServerAddress()).isEqualTo("192.168.1.100:9000");
    assertThat(hb.getTags()).containsExactly("gpu", "cuda-12.0");
    assertThat(hb.getCapacity().getMaxTasks()).isEqualTo(30);
    assertThat(hb.getLoad().getRunningTasks()).isEqualTo(15);
    assertThat(hb.getTimestamp()).isEqualTo(NOW);
    assertThat(hb.getSequence()).isEqualTo(NOW.toEpochMilli());
  }

  @Test
  void aDtaskHeartbeatMissingAFieldIsRefusedNamingIt() throws Exception {
    assertError(
        post(
            "{\"worker_id\": \"w1\", \"address\": \"a:1\", \"max_tasks\": 3, \"timestamp\": 1767225600}"),
        400,
        "current_tasks: is required");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void aDtaskHeartbeatBreakingAValidationRuleIsRefused() throws Exception {
    assertError(
        post(
            """
        {"worker_id": "w1", "address": "a:1", "max_tasks": 3, "current_tasks": 100, "timestamp": %d}"""
                .formatted(NOW.getEpochSecond())),
        400,
        "load.running_tasks: ");
  }

  @Test
  void malformedJsonIsA400() throws Exception {
    HttpResponse<String> response = post("{\"host_id\": ");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("message").asText()).contains("malformed JSON");
  }

  @Test
  void aBodyThatIsNotAnObjectIsA400() throws Exception {
    assertError(post("[1, 2]"), 400, "body: must be a JSON object");
  }

  @Test
  void aMissingRequiredFieldIsA400NamingIt() throws Exception {
    assertError(
        post(avroShape("").replace("\"piece_server_address\": \"10.0.0.7:65001\",", "")),
        400,
        "piece_server_address: is required");
    assertError(post(avroShape("").replace("\"sequence\": 7,", "")), 400, "sequence: is required");
  }

  @Test
  void aWronglyTypedFieldIsA400NamingIt() throws Exception {
    assertError(
        post(avroShape("").replace("\"sequence\": 7", "\"sequence\": \"seven\"")),
        400,
        "sequence: must be an integer");
    assertError(
        post(avroShape("").replace("\"cpu_cores\": 16", "\"cpu_cores\": 1.5")),
        400,
        "capacity.cpu_cores: must be an integer");
    assertError(
        post(avroShape("").replace("\"tags\": [\"gpu\"]", "\"tags\": [1]")),
        400,
        "tags[0]: must be a string");
  }

  @Test
  void anUnknownEnumValueIsA400() throws Exception {
    assertError(
        post(avroShape("").replace("SUPER_SEED", "MEGA_SEED")),
        400,
        "type: 'MEGA_SEED' is not one of");
  }

  @Test
  void anUnknownFieldIsA400NamingIt() throws Exception {
    assertError(post(avroShape(", \"colour\": \"blue\"")), 400, "colour: is not a known field");
    assertError(
        post(avroShape("").replace("\"cpu_usage\": 0.5", "\"cpu_usage\": 0.5, \"gpu_usage\": 1")),
        400,
        "load.gpu_usage: is not a known field");
  }

  @Test
  void implausibleNumbersAreA400NamingTheField() throws Exception {
    assertError(
        post(avroShape("").replace("\"cpu_usage\": 0.5", "\"cpu_usage\": 3")),
        400,
        "load.cpu_usage: ");
    assertError(
        post(
            avroShape("")
                .replace("\"max_tx_bytes_per_sec\": 125000000", "\"max_tx_bytes_per_sec\": -1")),
        400,
        "capacity.max_tx_bytes_per_sec: ");
    assertError(
        post(avroShape("").replace("\"cpu_cores\": 16", "\"cpu_cores\": 100000")),
        400,
        "capacity.cpu_cores: ");
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void aTimestampFarInTheFutureIsA400() throws Exception {
    assertError(
        post(
            avroShape("")
                .replace(
                    Long.toString(NOW.toEpochMilli()), Long.toString(NOW.toEpochMilli() + 61_000))),
        400,
        "timestamp: ");
  }

  @Test
  void aBodyOverTheLimitIsA413() throws Exception {
    String tags = "\"" + "t".repeat(100) + "\",";
    String big =
        avroShape("").replace("\"tags\": [\"gpu\"]", "\"tags\": [" + tags.repeat(50) + "\"gpu\"]");
    HttpResponse<String> response = post(big);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(response.body()).get("error_code").asInt()).isEqualTo(413);
    assertThat(producer.history()).isEmpty();
  }

  @Test
  void aBrokerFailureIsA503() throws Exception {
    producer = new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    api.close();
    HeartbeatGateway gateway =
        new HeartbeatGateway(
            producer,
            serde.serializer(),
            new HeartbeatValidator(ValidationLimits.defaults()),
            BODY_LIMIT,
            Clock.fixed(NOW, ZoneOffset.UTC));
    api = HttpApi.create("127.0.0.1", 0, BODY_LIMIT).post(HeartbeatGateway.PATH, gateway).start();
    Thread failer =
        new Thread(
            () -> {
              while (!producer.errorNext(
                  new org.apache.kafka.common.errors.TimeoutException("broker gone"))) {
                Thread.onSpinWait();
              }
            });
    failer.start();
    assertError(post(avroShape("")), 503, "heartbeat not stored: broker gone");
    failer.join();
  }

  // ---------------------------------------------------------------- host bindings (issue 18)

  private final Map<String, HostKey> bindings = new java.util.concurrent.ConcurrentHashMap<>();

  private void startWithTokens() throws Exception {
    api.close();
    HeartbeatGateway gateway =
        new HeartbeatGateway(
            producer,
            serde.serializer(),
            new HeartbeatValidator(ValidationLimits.defaults()),
            BODY_LIMIT,
            Clock.fixed(NOW, ZoneOffset.UTC),
            host -> java.util.Optional.ofNullable(bindings.get(host)));
    api =
        HttpApi.create("127.0.0.1", 0, BODY_LIMIT)
            .withAuth(HttpAuth.of(Map.of("team-a", "token-a", "team-b", "token-b"), false))
            .post(HeartbeatGateway.PATH, gateway)
            .start();
  }

  private HttpResponse<String> postAs(String token, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + HeartbeatGateway.PATH))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private String principalHeader(int index) {
    return new String(
        producer.history().get(index).headers().lastHeader(RecordSignatures.PRINCIPAL).value(),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void theRecordNamesThePosterOrAnonymousWithoutTokens() throws Exception {
    assertThat(post(avroShape("")).statusCode()).isEqualTo(200);
    assertThat(principalHeader(0)).isEqualTo(HeartbeatGateway.ANONYMOUS);

    startWithTokens();
    assertThat(postAs("token-a", avroShape("")).statusCode()).isEqualTo(200);
    assertThat(principalHeader(1)).isEqualTo("team-a");
  }

  @Test
  void aHostBoundToAnotherPrincipalIsRefusedWith403() throws Exception {
    startWithTokens();
    bindings.put(
        "h1",
        HostKey.newBuilder()
            .setHostId("h1")
            .setPrincipal("team-a")
            .setBoundAt(NOW)
            .setBoundBy("first-http-heartbeat")
            .build());
    assertError(
        postAs("token-b", avroShape("")),
        403,
        "host 'h1' is bound to principal 'team-a'; this request comes from 'team-b'");
    assertThat(postAs("token-a", avroShape("")).statusCode()).isEqualTo(200);
    assertThat(producer.history()).hasSize(1);
  }

  @Test
  void aHostBoundToAKeyIsRefusedWith403() throws Exception {
    HostKeyPair key = HostKeyPair.generate();
    bindings.put(
        "h1",
        HostKey.newBuilder()
            .setHostId("h1")
            .setPublicKey(java.nio.ByteBuffer.wrap(key.publicKey()))
            .setBoundAt(NOW)
            .setBoundBy("first-heartbeat")
            .build());
    startWithTokens();
    assertError(
        postAs("token-a", avroShape("")),
        403,
        "host 'h1' is bound to key " + key.keyId() + ": only its agent's signed heartbeats");
    assertThat(producer.history()).isEmpty();
  }
}
