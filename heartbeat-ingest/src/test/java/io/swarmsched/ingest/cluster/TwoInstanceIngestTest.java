package io.swarmsched.ingest.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.ingest.HeartbeatIngestApp;
import io.swarmsched.ingest.Heartbeats;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.ingest.topology.IngestTopology;
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
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two ingest instances on the embedded cluster: any instance answers for every host, the survivor
 * answers for all of them once the other stops, and bad input is dead-lettered while good
 * heartbeats flow. The last test stops an instance, so the order is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoInstanceIngestTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String REGISTRY = "mock://ingest-two-instances";
  private static final int HOSTS = 12;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static EmbeddedKafka kafka;
  private static HeartbeatIngestApp a;
  private static HeartbeatIngestApp b;
  private static KafkaProducer<byte[], byte[]> producer;
  private static Serde<HostHeartbeat> serde;
  private static Path stateRoot;

  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.get();
    kafka.createTopic(Topics.HOST_HEARTBEATS.name(), 2, Topics.HOST_HEARTBEATS.configs());
    kafka.createTopic(Topics.HOSTS.name(), 2, Topics.HOSTS.configs());
    // co-partitioned with the heartbeats: ingest keeps the host bindings beside the host states
    kafka.createTopic(Topics.HOST_KEYS.name(), 2, Topics.HOST_KEYS.configs());
    kafka.createTopic(Topics.DEAD_LETTERS.name(), 1, Topics.DEAD_LETTERS.configs());
    stateRoot = Files.createTempDirectory("ingest-two-instances");
    serde = SpecificAvroSerde.of(HostHeartbeat.class, Map.of("schema.registry.url", REGISTRY));
    producer = new KafkaProducer<>(kafka.producerProps());
    a = HeartbeatIngestApp.start(settings("a"));
    b = HeartbeatIngestApp.start(settings("b"));
    a.streams().awaitRunning(TIMEOUT);
    b.streams().awaitRunning(TIMEOUT);
  }

  private static Settings settings(String instance) {
    Map<String, String> values = new HashMap<>(IngestSettings.SERVICE_DEFAULTS);
    values.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    values.put(CommonKeys.SCHEMA_REGISTRY_URL, REGISTRY);
    values.put(CommonKeys.HTTP_HOST, "127.0.0.1");
    values.put(CommonKeys.HTTP_PORT, "0");
    values.put(CommonKeys.STATE_DIR, stateRoot.resolve(instance).toString());
    values.put(CommonKeys.INSTANCE_ID, instance);
    values.put(IngestSettings.APPLICATION_ID, "ingest-two-instances");
    // small timeouts so the rebalance after a stop is quick
    values.put("swarm.streams.session.timeout.ms", "6000");
    values.put("swarm.streams.heartbeat.interval.ms", "1000");
    values.put("swarm.streams.num.stream.threads", "1");
    values.put("swarm.streams.probing.rebalance.interval.ms", "60000");
    return Settings.of(values);
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (stateRoot != null) {
      try (var paths = Files.walk(stateRoot)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException e) {
        // a leftover temp directory is harmless
      }
    }
  }

  private static void send(String key, byte[] value) throws Exception {
    byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    producer.send(new ProducerRecord<>(Topics.HOST_HEARTBEATS.name(), k, value)).get();
  }

  private static void sendHeartbeat(HostHeartbeat hb) throws Exception {
    send(hb.getHostId(), serde.serializer().serialize(Topics.HOST_HEARTBEATS.name(), hb));
  }

  private static HttpResponse<String> get(HeartbeatIngestApp app, String pathAndQuery) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(app.url() + pathAndQuery))
              .timeout(Duration.ofSeconds(20))
              .GET()
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("GET " + pathAndQuery + " failed: " + e, e);
    }
  }

  private static Set<String> hostIds(HeartbeatIngestApp app, String query) {
    HttpResponse<String> response = get(app, "/api/v1/hosts" + query);
    if (response.statusCode() != 200) {
      return Set.of();
    }
    try {
      JsonNode body = JSON.readTree(response.body());
      JsonNode hosts = body.has("hosts") ? body.get("hosts") : body;
      Set<String> ids = new java.util.TreeSet<>();
      hosts.forEach(h -> ids.add(h.get("host_id").asText()));
      return ids;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> expectedHosts() {
    return IntStream.range(0, HOSTS)
        .mapToObj(i -> "host-" + i)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  @Test
  @Order(1)
  void everyHostIsAnsweredByEitherInstance() throws Exception {
    Instant now = Instant.now();
    for (int i = 0; i < HOSTS; i++) {
      HostHeartbeat hb = Heartbeats.valid("host-" + i, 1, now).build();
      hb.setTags(new java.util.ArrayList<>(List.of(i % 2 == 0 ? "even" : "odd")));
      hb.setIdc(i < 4 ? "IDC-North" : "idc-south");
      sendHeartbeat(hb);
    }

    Await.until(
        TIMEOUT, "instance a lists every host", () -> hostIds(a, "").equals(expectedHosts()));
    Await.until(
        TIMEOUT, "instance b lists every host", () -> hostIds(b, "").equals(expectedHosts()));
    for (int i = 0; i < HOSTS; i++) {
      for (HeartbeatIngestApp app : List.of(a, b)) {
        HttpResponse<String> response = get(app, "/api/v1/hosts/host-" + i);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode host = JSON.readTree(response.body());
        assertThat(host.get("host_id").asText()).isEqualTo("host-" + i);
        assertThat(host.get("piece_server_address").asText()).isEqualTo("10.0.0.7:65001");
      }
    }
    assertThat(hostIds(a, "?tag=even"))
        .hasSize(HOSTS / 2)
        .allMatch(id -> Integer.parseInt(id.substring(5)) % 2 == 0);
    assertThat(hostIds(b, "?idc=idc-north"))
        .containsExactlyInAnyOrder("host-0", "host-1", "host-2", "host-3");
    assertThat(hostIds(a, "?liveness=OFFLINE")).isEmpty();
    assertThat(get(b, "/api/v1/hosts/no-such-host").statusCode()).isEqualTo(404);
    HttpResponse<String> badFilter = get(a, "/api/v1/hosts?liveness=ASLEEP");
    assertThat(badFilter.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badFilter.body()).get("message").asText()).startsWith("liveness: ");
  }

  @Test
  @Order(2)
  void badInputLandsInTheDeadLetterTopicWithItsReasonWhileGoodHeartbeatsFlow() throws Exception {
    Instant now = Instant.now();
    HostHeartbeat negative = Heartbeats.valid("bad-load", 1, now).build();
    negative.getLoad().setCpuUsage(3.0);
    HostHeartbeat future = Heartbeats.valid("bad-clock", 1, now.plus(Duration.ofHours(1))).build();
    HostHeartbeat mismatched = Heartbeats.valid("bad-key", 1, now).build();

    send("garbage", "definitely not avro".getBytes(StandardCharsets.UTF_8));
    sendHeartbeat(negative);
    sendHeartbeat(future);
    send("someone-else", serde.serializer().serialize(Topics.HOST_HEARTBEATS.name(), mismatched));
    send("empty", null);
    sendHeartbeat(Heartbeats.valid("good-after-bad", 1, now).build());

    Map<String, String> reasons =
        TopicReader.of(kafka)
            .readUntil(
                Topics.DEAD_LETTERS.name(),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer(),
                TopicReader.atLeast(5),
                TIMEOUT)
            .stream()
            .collect(
                Collectors.toMap(
                    r -> new String(r.key(), StandardCharsets.UTF_8),
                    r ->
                        header(r, DeadLetterHeaders.STAGE)
                            + " | "
                            + header(r, DeadLetterHeaders.REASON),
                    (x, y) -> x + " / " + y));
    assertThat(reasons)
        .containsOnlyKeys("garbage", "bad-load", "bad-clock", "someone-else", "empty");
    assertThat(reasons.get("garbage"))
        .startsWith(IngestTopology.STAGE_DESERIALIZE)
        .contains("Unknown magic byte");
    assertThat(reasons.get("empty"))
        .startsWith(IngestTopology.STAGE_DESERIALIZE)
        .contains("no value");
    assertThat(reasons.get("bad-load"))
        .startsWith(IngestTopology.STAGE_VALIDATE)
        .contains("load.cpu_usage: ");
    assertThat(reasons.get("bad-clock"))
        .startsWith(IngestTopology.STAGE_VALIDATE)
        .contains("timestamp: ");
    assertThat(reasons.get("someone-else"))
        .startsWith(IngestTopology.STAGE_VALIDATE)
        .contains("host_id: ");

    Await.until(
        TIMEOUT,
        "the good heartbeat after the bad ones is a host",
        () -> get(b, "/api/v1/hosts/good-after-bad").statusCode() == 200);
    assertThat(a.streams().isHealthy()).isTrue();
    assertThat(b.streams().isHealthy()).isTrue();
  }

  @Test
  @Order(3)
  void aHeartbeatPostedOverHttpBecomesAHost() throws Exception {
    String body =
        """
        {"worker_id": "dtask-worker-1", "address": "192.168.1.100:9000", "resource_tags": ["gpu"],
         "max_tasks": 30, "current_tasks": 15, "timestamp": %d}"""
            .formatted(Instant.now().getEpochSecond());
    HttpResponse<String> posted =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(a.url() + "/api/v1/heartbeat"))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);

    JsonNode host =
        Await.value(
            TIMEOUT,
            "the posted worker is a host",
            () -> {
              HttpResponse<String> response = get(b, "/api/v1/hosts/dtask-worker-1");
              return response.statusCode() == 200
                  ? Optional.of(parse(response.body()))
                  : Optional.empty();
            });
    assertThat(host.get("capacity").get("max_tasks").asInt()).isEqualTo(30);
    assertThat(host.get("load").get("running_tasks").asInt()).isEqualTo(15);
    assertThat(host.get("liveness").asText()).isEqualTo("ONLINE");
  }

  @Test
  @Order(4)
  void whenOneInstanceStopsTheOtherAnswersForAllHosts() {
    a.close();
    a = null;

    Await.until(
        TIMEOUT,
        "instance b answers for every host alone",
        () -> {
          for (String id : expectedHosts()) {
            if (get(b, "/api/v1/hosts/" + id).statusCode() != 200) {
              return false;
            }
          }
          return hostIds(b, "").containsAll(expectedHosts());
        });
  }

  /**
   * Instance b restored a's partitions from their changelogs and built its decoded host table from
   * them (issue 17): a heartbeat older than the one every host sent in the first test is dropped as
   * stale on both partitions. Were the table not rebuilt from the restored stores, b would take
   * each for a new host's first heartbeat and store its load.
   */
  @Test
  @Order(5)
  void afterTheFailoverTheSurvivorKnowsEveryHostsLastHeartbeat() throws Exception {
    double staleBefore = staleTotal(b);
    Instant anHourAgo = Instant.now().minus(Duration.ofHours(1));
    for (int i = 0; i < HOSTS; i++) {
      HostHeartbeat old = Heartbeats.valid("host-" + i, 1, anHourAgo).build();
      old.getLoad().setRunningTasks(7);
      sendHeartbeat(old);
    }

    Await.until(
        TIMEOUT,
        "b drops every old heartbeat as stale",
        () -> staleTotal(b) - staleBefore >= HOSTS);
    for (int i = 0; i < HOSTS; i++) {
      JsonNode host = parse(get(b, "/api/v1/hosts/host-" + i).body());
      assertThat(host.get("load").get("running_tasks").asInt()).isEqualTo(1);
    }
  }

  private static double staleTotal(HeartbeatIngestApp app) {
    return app.streams().streams().metrics().entrySet().stream()
        .filter(e -> e.getKey().name().equals(IngestTopology.METRIC_STALE + "-total"))
        .filter(e -> e.getKey().group().contains(IngestTopology.METRIC_SCOPE))
        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
        .sum();
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return DeadLetterHeaders.lastValue(record.headers(), name).orElse("<none>");
  }
}
