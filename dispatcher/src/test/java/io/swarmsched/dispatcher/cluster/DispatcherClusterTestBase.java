package io.swarmsched.dispatcher.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.SkipUndecodable;
import io.swarmsched.testing.ThreadDumps;
import io.swarmsched.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;

/**
 * What the dispatcher cluster tests share: dispatcher instances of one application on the embedded
 * cluster (one per test JVM, its topics shared by every test class), this run's hosts, a decisions
 * reader that skips other classes' records, and the HTTP API.
 */
abstract class DispatcherClusterTestBase {
  static final Duration AWAIT = Duration.ofSeconds(120);
  static final ObjectMapper JSON = new ObjectMapper();

  final EmbeddedKafka kafka = EmbeddedKafka.get();

  /**
   * One registry scope for the whole JVM: the topics (and the records of earlier tests) are shared.
   */
  static final String scope = "dispatcher-cluster";

  final String appId = EmbeddedKafka.uniqueName("dispatcher");
  final String run = UUID.randomUUID().toString().substring(0, 8);
  final List<DispatcherApp> apps = new ArrayList<>();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @AfterEach
  void stop() {
    for (DispatcherApp app : apps) {
      app.close();
    }
  }

  Map<String, String> serdeConfig() {
    return Map.of("schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + scope);
  }

  DispatcherApp startInstance(String name) throws Exception {
    return startInstance(name, Files.createTempDirectory("dispatcher-" + name));
  }

  DispatcherApp startInstance(String name, Path stateDir) throws Exception {
    Map<String, String> values =
        JobCluster.dispatcherSettings(kafka, scope, appId, name, stateDir, Map.of());
    DispatcherApp app = DispatcherApp.start(Settings.of(values));
    apps.add(app);
    return app;
  }

  void provision(KafkaProducer<String, ?> unused) {
    kafka.createTopics(Topics.ALL);
  }

  void publishHosts(int count) throws Exception {
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
                    JobCluster.hostState(
                        id,
                        id + ":4000",
                        List.of(),
                        HostCapacity.newBuilder()
                            .setMaxTxBytesPerSec(100L << 20)
                            .setUploadSlotLimit(1000)
                            .build(),
                        Liveness.ONLINE)))
            .get();
      }
    }
  }

  KafkaConsumer<String, ScheduleDecision> decisionConsumer() {
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

  HttpResponse<String> post(DispatcherApp app, String body, String query) throws Exception {
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

  HttpResponse<String> get(DispatcherApp app, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(app.url() + path))
            .timeout(Duration.ofSeconds(60))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
