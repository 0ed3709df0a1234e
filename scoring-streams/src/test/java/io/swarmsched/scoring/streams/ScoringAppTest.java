package io.swarmsched.scoring.streams;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ScoringApp as a process would run it: settings in, scores out over HTTP from the stores. */
class ScoringAppTest {
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** Near the wall clock, so the broker's time-based retention keeps the records. */
  final long T0 = System.currentTimeMillis() / 1000 * 1000;

  @TempDir Path stateDir;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(int port, String pathAndQuery) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void scoresAreServedOverHttpByHostAndAsTheBestKOfAnIdc() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.get();
    kafka.createTopics(Topics.HOSTS, Topics.PIECE_EVENTS, Topics.HOST_SCORES, Topics.DEAD_LETTERS);
    String scope = "scoring-app-" + UUID.randomUUID();
    Settings settings =
        Settings.of(
            Map.of(
                "swarm.bootstrap.servers",
                kafka.bootstrapServers(),
                "swarm.schema.registry.url",
                "mock://" + scope,
                "swarm.state.dir",
                stateDir.toString(),
                "swarm.http.host",
                "127.0.0.1",
                "swarm.http.port",
                "0",
                "swarm.instance.id",
                "it",
                "swarm.scoring.application.id",
                "scoring-app-" + UUID.randomUUID().toString().substring(0, 8),
                "swarm.streams.commit.interval.ms",
                "100"));
    var hostSerde =
        SpecificAvroSerde.of(HostState.class, Map.of("schema.registry.url", "mock://" + scope));

    try (ScoringApp app = ScoringApp.start(settings)) {
      app.awaitRunning(TIMEOUT);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProps())) {
        Object[][] hosts = {
          {"app-a1", "idc-a", 0L}, {"app-a2", "IDC-A", 50_000_000L}, {"app-b1", "idc-b", 0L}
        };
        for (Object[] h : hosts) {
          HostState state =
              HostState.newBuilder(
                      ScoringTopologyTest.hostState(
                          (String) h[0], T0, (long) h[2], 100_000_000L, 0, Liveness.ONLINE))
                  .setIdc((String) h[1])
                  .build();
          producer.send(
              new ProducerRecord<>(
                  Topics.HOSTS.name(),
                  null,
                  T0,
                  ((String) h[0]).getBytes(StandardCharsets.UTF_8),
                  hostSerde.serializer().serialize(Topics.HOSTS.name(), state)));
        }
        producer.flush();
      }
      int port = app.httpPort();

      JsonNode a2 =
          Await.value(
              TIMEOUT,
              "a score for app-a2 over HTTP",
              () -> {
                try {
                  HttpResponse<String> r = get(port, "/api/v1/scores/app-a2");
                  return r.statusCode() == 200
                      ? Optional.of(HttpApi.JSON.readTree(r.body()))
                      : Optional.empty();
                } catch (Exception e) {
                  return Optional.empty();
                }
              });
      assertThat(a2.get("host_id").asText()).isEqualTo("app-a2");
      assertThat(a2.get("peak_bandwidth_usage").asDouble()).isEqualTo(0.5);
      Await.until(
          TIMEOUT,
          "scores of all three hosts",
          () -> {
            try {
              return get(port, "/api/v1/scores/app-b1").statusCode() == 200
                  && get(port, "/api/v1/scores/app-a1").statusCode() == 200;
            } catch (Exception e) {
              return false;
            }
          });

      HttpResponse<String> top = get(port, "/api/v1/scores?top=5&idc=idc-a");
      assertThat(top.statusCode()).isEqualTo(200);
      JsonNode scores = HttpApi.JSON.readTree(top.body()).get("scores");
      assertThat(scores).hasSize(2);
      assertThat(scores.get(0).get("host_id").asText()).isEqualTo("app-a1");
      assertThat(scores.get(1).get("host_id").asText()).isEqualTo("app-a2");

      HttpResponse<String> best = get(port, "/api/v1/scores?top=1");
      assertThat(HttpApi.JSON.readTree(best.body()).get("scores")).hasSize(1);

      HttpResponse<String> bad = get(port, "/api/v1/scores?top=lots");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(HttpApi.JSON.readTree(bad.body()).get("message").asText()).startsWith("top:");

      HttpResponse<String> unknown = get(port, "/api/v1/scores/nobody");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(HttpApi.JSON.readTree(unknown.body()).get("message").asText()).contains("nobody");
    }
  }
}
