package io.swarmsched.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.topics.TopicProvisioner;
import io.swarmsched.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalClusterTest {
  private static final String SUBJECT = "restart-check-value";
  private static final String SCHEMA_BODY =
      "{\"schema\": \"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"RestartCheck\\\",\\\"fields\\\":[{\\\"name\\\":\\\"n\\\",\\\"type\\\":\\\"int\\\"}]}\"}";

  @TempDir Path dataDir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

  @Test
  void topicsAndSchemasSurviveAStopAndASecondStart() throws Exception {
    LocalClusterConfig config =
        LocalClusterConfig.defaults()
            .withPorts(Ports.findFree(), Ports.findFree(), 0)
            .withDataDir(dataDir)
            .withBrokerJvmOptions(List.of("-Xmx384m"));

    int registeredId;
    try (LocalCluster cluster = LocalCluster.start(config)) {
      assertThat(cluster.topics())
          .extracting(TopicProvisioner.Result::status)
          .containsOnly(TopicProvisioner.Status.CREATED)
          .hasSize(Topics.ALL.size());
      assertThat(cluster.schemaIds()).containsKey(Topics.HOST_HEARTBEATS.valueSubject());
      try (Admin admin = admin(cluster)) {
        admin
            .createTopics(List.of(new NewTopic("user-topic", 3, (short) 1)))
            .all()
            .get(60, TimeUnit.SECONDS);
      }
      HttpResponse<String> registered =
          post(cluster.registryUrl() + "/subjects/" + SUBJECT + "/versions", SCHEMA_BODY);
      assertThat(registered.statusCode()).isEqualTo(200);
      registeredId = new ObjectMapper().readTree(registered.body()).path("id").asInt();
    }

    try (LocalCluster cluster = LocalCluster.start(config)) {
      assertThat(cluster.topics())
          .extracting(TopicProvisioner.Result::status)
          .containsOnly(TopicProvisioner.Status.EXISTED);
      try (Admin admin = admin(cluster)) {
        Set<String> names = admin.listTopics().names().get(60, TimeUnit.SECONDS);
        assertThat(names)
            .contains("user-topic")
            .containsAll(Topics.ALL.stream().map(t -> t.name()).toList());
      }
      HttpResponse<String> latest =
          get(cluster.registryUrl() + "/subjects/" + SUBJECT + "/versions/latest");
      assertThat(latest.statusCode()).isEqualTo(200);
      assertThat(latest.body()).contains("\"id\":" + registeredId).contains("RestartCheck");
      HttpResponse<String> catalogSubject =
          get(
              cluster.registryUrl()
                  + "/subjects/"
                  + Topics.HOST_HEARTBEATS.valueSubject()
                  + "/versions");
      assertThat(catalogSubject.body()).isEqualTo("[1]");
    }
  }

  private Admin admin(LocalCluster cluster) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
  }

  private HttpResponse<String> post(String url, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
