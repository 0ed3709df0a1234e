package io.swarmsched.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.cluster.CatalogProvisioning;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.ingest.HeartbeatIngestApp;
import io.swarmsched.ingest.IngestSettings;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.scoring.streams.ScoringApp;
import io.swarmsched.scoring.streams.ScoringSettings;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.serde.WireFormat;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.TopicReader;
import io.swarmsched.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The production path against any Kafka cluster and any Confluent-compatible schema registry:
 * provisions the topic catalog, starts heartbeat-ingest, scoring-streams and the dispatcher in this
 * JVM pointed at them (as {@link LocalSwarm} does for the embedded cluster), sends heartbeats and
 * schedule requests with the project's Avro serdes, and checks the hosts and the decisions — and
 * that every record's schema id is the one the registry itself assigned to the subject (at the
 * catalog's registration, through the project's REST client), with the registry's schema equal to
 * the project's in Avro's parsing canonical form.
 *
 * <p>Ids are unique per run, so it also runs on a cluster that already holds other tests' records.
 */
final class ProductionPathFlow {
  private static final Duration AWAIT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String bootstrapServers;
  private final String registryUrl;
  private final Path stateDir;
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final Map<String, String> serdeConfig;

  /** Subject → schema id, as the registry answered the catalog's registration. */
  private Map<String, Integer> catalogIds = Map.of();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  ProductionPathFlow(String bootstrapServers, String registryUrl, Path stateDir) {
    this.bootstrapServers = bootstrapServers;
    this.registryUrl = registryUrl;
    this.stateDir = stateDir;
    this.serdeConfig = Map.of("schema.registry.url", registryUrl);
  }

  /** The scheduler's services as the flow sees them: where their HTTP APIs answer. */
  interface Services extends AutoCloseable {
    String ingestUrl();

    String dispatcherUrl();

    @Override
    void close();
  }

  /** Starts the services once the catalog is on the cluster, and returns when they run. */
  @FunctionalInterface
  interface ServiceStarter {
    Services start() throws Exception;
  }

  /**
   * Runs the whole flow with heartbeat-ingest, scoring-streams and the dispatcher in this JVM;
   * fails with an AssertionError saying which step did not hold.
   */
  void run() throws Exception {
    runWith(this::startInProcess);
  }

  /** Runs the whole flow with the services {@code starter} starts (e.g. in containers). */
  void runWith(ServiceStarter starter) throws Exception {
    // Idempotent: creates what is missing (everything, on a fresh container), as `topics create`.
    CatalogProvisioning.provisionTopics(bootstrapServers, Duration.ofSeconds(60));
    // As `swarmsched cluster` does: the catalog's value schemas through the project's REST client.
    // The serializers below still register (auto.register.schemas) and must get the same ids.
    catalogIds = CatalogProvisioning.registerSchemas(registryUrl, Duration.ofSeconds(60));

    try (Services services = starter.start()) {
      List<String> hosts = List.of(run + "-h0", run + "-h1", run + "-h2");
      sendHeartbeats(hosts);
      awaitHostsOnline(services.ingestUrl(), hosts);
      awaitHostStates(hosts);

      String task = run + "-task";
      // The first peer of a task has no one to download from: back to the source.
      ScheduleDecision first = schedule(request(run + "-r0", task, "p0", hosts.get(0)));
      assertThat(first.getOutcome()).as("%s", first).isEqualTo(DecisionOutcome.BACK_TO_SOURCE);
      // The second gets the first as its parent.
      ScheduleDecision second = schedule(request(run + "-r1", task, "p1", hosts.get(1)));
      assertThat(second.getOutcome()).as("%s", second).isEqualTo(DecisionOutcome.PARENTS);
      assertThat(second.getParents()).as("%s", second).isNotEmpty();
      assertThat(second.getParents().get(0).getPeerId()).isEqualTo("p0");
      assertThat(second.getParents().get(0).getHostId()).isEqualTo(hosts.get(0));

      // The dispatcher's own read API answers with the same decision.
      JsonNode byId = getJson(services.dispatcherUrl() + "/api/v1/decisions/" + run + "-r1");
      assertThat(byId.path("decision_id").asText()).isEqualTo(second.getDecisionId());
      assertThat(byId.path("outcome").asText()).isEqualTo("PARENTS");
    }
  }

  /** The three services in this JVM, as {@link LocalSwarm} starts them. */
  private Services startInProcess() throws Exception {
    List<AutoCloseable> started = new ArrayList<>();
    // Reverse start order, as LocalSwarm: the dispatcher stops before the services it reads.
    Runnable closeAll =
        () -> {
          for (int i = started.size() - 1; i >= 0; i--) {
            try {
              started.get(i).close();
            } catch (Exception e) {
              System.err.println("closing " + started.get(i) + ": " + e);
            }
          }
        };
    try {
      HeartbeatIngestApp ingest =
          HeartbeatIngestApp.start(settings("ingest", IngestSettings.SERVICE_DEFAULTS));
      started.add(ingest);
      ScoringApp scoring = ScoringApp.start(settings("scoring", ScoringSettings.SERVICE_DEFAULTS));
      started.add(scoring);
      DispatcherApp dispatcher =
          DispatcherApp.start(settings("dispatcher", DispatcherConfig.SERVICE_DEFAULTS));
      started.add(dispatcher);
      ingest.streams().awaitRunning(AWAIT);
      scoring.awaitRunning(AWAIT);
      dispatcher.awaitRunning(AWAIT);
      return new Services() {
        @Override
        public String ingestUrl() {
          return ingest.url();
        }

        @Override
        public String dispatcherUrl() {
          return dispatcher.url();
        }

        @Override
        public void close() {
          closeAll.run();
        }
      };
    } catch (Exception | Error e) {
      closeAll.run();
      throw e;
    }
  }

  private Settings settings(String name, Map<String, String> serviceDefaults) {
    Map<String, String> m = new HashMap<>(serviceDefaults);
    m.put(CommonKeys.BOOTSTRAP_SERVERS, bootstrapServers);
    m.put(CommonKeys.SCHEMA_REGISTRY_URL, registryUrl);
    m.put(CommonKeys.HTTP_HOST, "127.0.0.1");
    m.put(CommonKeys.HTTP_PORT, "0");
    m.put(CommonKeys.STATE_DIR, stateDir.resolve(name).toString());
    m.put(CommonKeys.INSTANCE_ID, name + "-" + run);
    // A fresh application id per run: on a shared cluster no earlier run's offsets or state apply.
    m.put(DispatcherConfig.APPLICATION_ID, "dispatcher-" + run);
    return Settings.of(m);
  }

  private Map<String, Object> producerProps() {
    return Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrapServers,
        ProducerConfig.ACKS_CONFIG,
        "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
        true);
  }

  private void sendHeartbeats(List<String> hosts) throws Exception {
    try (KafkaProducer<String, HostHeartbeat> producer =
        new KafkaProducer<>(
            producerProps(),
            new StringSerializer(),
            SpecificAvroSerde.of(HostHeartbeat.class, serdeConfig).serializer())) {
      for (String host : hosts) {
        producer.send(new ProducerRecord<>(Topics.HOST_HEARTBEATS.name(), host, heartbeat(host)));
      }
      producer.flush();
    }
    String subject = Topics.HOST_HEARTBEATS.name() + "-value";
    assertRegistryHolds(subject, HostHeartbeat.getClassSchema());
  }

  private static HostHeartbeat heartbeat(String host) {
    return HostHeartbeat.newBuilder()
        .setHostId(host)
        .setSequence(1)
        .setTimestamp(Instant.now())
        .setHostname(host + ".example")
        .setIp("10.0.0.7")
        .setPieceServerAddress(host + ":65001")
        .setType(HostType.NORMAL)
        .setIdc("idc-a")
        .setLocation("cn|zj|hz")
        .setTags(new ArrayList<>())
        .setDisableShared(false)
        .setCapacity(
            HostCapacity.newBuilder()
                .setMaxTxBytesPerSec(125_000_000L)
                .setMaxRxBytesPerSec(125_000_000L)
                .setUploadSlotLimit(50)
                .setMaxTasks(8)
                .setCpuCores(8)
                .setMemoryBytes(16L << 30)
                .setDiskBytes(1L << 40)
                .setGpus(0)
                .setGpuModels(new ArrayList<>())
                .build())
        .setLoad(
            HostLoad.newBuilder()
                .setTxBytesPerSec(0)
                .setRxBytesPerSec(0)
                .setConcurrentUploads(0)
                .setRunningTasks(0)
                .setCpuUsage(0.1)
                .setMemoryUsedBytes(1L << 30)
                .setDiskUsedBytes(1L << 30)
                .build())
        .setAgentVersion("0.1.0")
        .build();
  }

  /** heartbeat-ingest's host list (interactive queries) shows every host ONLINE. */
  private void awaitHostsOnline(String ingestUrl, List<String> hosts) {
    Await.until(
        AWAIT,
        "hosts " + hosts + " ONLINE in " + ingestUrl + "/api/v1/hosts",
        () -> {
          // Not 200 yet (e.g. 503 while the instance's store is restoring): ask again.
          Optional<JsonNode> body = tryGetJson(ingestUrl + "/api/v1/hosts?liveness=ONLINE");
          Set<String> online = new HashSet<>();
          body.ifPresent(b -> b.path("hosts").forEach(h -> online.add(h.path("host_id").asText())));
          return online.containsAll(hosts);
        });
  }

  /**
   * The host table's topic holds a HostState per host, written by heartbeat-ingest with the
   * project's serializer and read back here with its deserializer, both through the registry; the
   * dispatcher's global host table reads the same records.
   */
  private void awaitHostStates(List<String> hosts) {
    var read =
        new TopicReader(bootstrapServers)
            .readUntil(
                Topics.HOSTS.name(),
                new StringDeserializer(),
                SpecificAvroSerde.of(HostState.class, serdeConfig).deserializer(),
                records -> {
                  Set<String> seen = new HashSet<>();
                  for (ConsumerRecord<String, HostState> r : records) {
                    if (r.value() != null && r.value().getLiveness() == Liveness.ONLINE) {
                      seen.add(r.value().getHostId());
                    }
                  }
                  return seen.containsAll(hosts);
                },
                AWAIT);
    assertThat(read).isNotEmpty();
    assertRegistryHolds(Topics.HOSTS.name() + "-value", HostState.getClassSchema());
  }

  private static ScheduleRequest request(String requestId, String task, String peer, String host) {
    return ScheduleRequest.newBuilder()
        .setRequestId(requestId)
        .setTaskId(task)
        .setPeerId(peer)
        .setHostId(host)
        .setUrl("https://origin.example/" + task)
        .setBlocklist(new ArrayList<>())
        .setTimestamp(Instant.now())
        .build();
  }

  /**
   * Sends {@code request} (keyed by its task id, as agents do) and returns its terminal decision as
   * read from the decisions topic; checks the decision record's schema id against the registry.
   */
  private ScheduleDecision schedule(ScheduleRequest request) throws Exception {
    try (KafkaProducer<String, ScheduleRequest> producer =
        new KafkaProducer<>(
            producerProps(),
            new StringSerializer(),
            SpecificAvroSerde.of(ScheduleRequest.class, serdeConfig).serializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  Topics.SCHEDULE_REQUESTS.name(), request.getTaskId().toString(), request))
          .get();
    }
    assertRegistryHolds(
        Topics.SCHEDULE_REQUESTS.name() + "-value", ScheduleRequest.getClassSchema());

    var decisions = SpecificAvroSerde.of(ScheduleDecision.class, serdeConfig).deserializer();
    String topic = Topics.SCHEDULE_DECISIONS.name();
    ConsumerRecord<String, byte[]> raw =
        new TopicReader(bootstrapServers)
            .readFirst(
                topic,
                new StringDeserializer(),
                new ByteArrayDeserializer(),
                r -> {
                  if (r.value() == null) return false;
                  ScheduleDecision d = decisions.deserialize(topic, r.value());
                  return d.getRequestId().toString().equals(request.getRequestId().toString())
                      && d.getOutcome() != DecisionOutcome.SEED_TRIGGER;
                },
                AWAIT);
    int id = assertRegistryHolds(topic + "-value", ScheduleDecision.getClassSchema());
    assertThat(WireFormat.schemaId(topic, raw.value()))
        .as("the decision's schema id is the registry's id for %s-value", topic)
        .isEqualTo(id);
    return decisions.deserialize(topic, raw.value());
  }

  /**
   * The registry's latest version of {@code subject} is {@code schema} (fetched back by id and
   * parsed); returns its id. These are plain Confluent REST calls, so against Confluent's own
   * registry they prove that what the project's serializers registered is what Confluent stores.
   */
  private int assertRegistryHolds(String subject, Schema schema) {
    JsonNode latest = getJson(registryUrl + "/subjects/" + subject + "/versions/latest");
    int id = latest.path("id").asInt(-1);
    assertThat(id).as("%s's id in %s", subject, latest).isPositive();
    assertThat(catalogIds).as("catalog registration's ids").containsEntry(subject, id);
    JsonNode byId = getJson(registryUrl + "/schemas/ids/" + id);
    // Parsing canonical form: what decides how the bytes are read (doc strings and custom
    // properties may be kept or dropped by a registry without changing the wire format).
    assertThat(
            SchemaNormalization.toParsingForm(
                new Schema.Parser().parse(byId.path("schema").asText())))
        .as("the registry's schema %d for %s", id, subject)
        .isEqualTo(SchemaNormalization.toParsingForm(schema));
    return id;
  }

  private JsonNode getJson(String url) {
    HttpResponse<String> response = get(url);
    assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
    return parse(response.body());
  }

  private Optional<JsonNode> tryGetJson(String url) {
    HttpResponse<String> response = get(url);
    return response.statusCode() == 200 ? Optional.of(parse(response.body())) : Optional.empty();
  }

  private static JsonNode parse(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + body, e);
    }
  }

  private HttpResponse<String> get(String url) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: GET " + url, e);
    }
  }
}
