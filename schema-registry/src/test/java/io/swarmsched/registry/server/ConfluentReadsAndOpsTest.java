package io.swarmsched.registry.server;

import static io.swarmsched.registry.server.RegistryHttp.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.registry.server.RegistryHttp.Answer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Confluent read endpoints stock clients and UIs call, and the registry's /health and /metrics.
 */
class ConfluentReadsAndOpsTest {
  SchemaRegistryServer server;
  RegistryHttp http;

  @BeforeEach
  void start() {
    RegistryState state = new RegistryState();
    server =
        SchemaRegistryServer.serve(
            new RegistryServerConfig("unused:9092", "127.0.0.1", 0, "_schemas"),
            state,
            RegistryLog.inMemory(state));
    http = new RegistryHttp(server.url());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private void register(String subject, String schema) {
    assertThat(http.post("/subjects/" + subject + "/versions", schemaBody(schema)).status())
        .isEqualTo(200);
  }

  @Test
  void contextsListsOnlyTheDefaultContext() {
    Answer a = http.get("/contexts");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().toString()).isEqualTo("[\".\"]");
  }

  @Test
  void schemasListsEveryVersionFilteredByPrefixLatestOnlyAndPaged() {
    register("hosts-value", RestApiTest.V1);
    register("hosts-value", RestApiTest.V2);
    register("pieces-value", RestApiTest.OTHER);

    Answer all = http.get("/schemas");
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.body()).hasSize(3);
    assertThat(all.body().get(0).get("subject").asText()).isEqualTo("hosts-value");
    assertThat(all.body().get(0).get("version").asInt()).isEqualTo(1);
    assertThat(all.body().get(0).get("schema").asText()).contains("\"name\":\"Host\"");
    assertThat(all.body().get(2).get("subject").asText()).isEqualTo("pieces-value");

    Answer latest = http.get("/schemas?latestOnly=true");
    assertThat(latest.body()).hasSize(2);
    assertThat(latest.body().get(0).get("version").asInt()).isEqualTo(2);
    assertThat(http.get("/schemas?subjectPrefix=pieces").body()).hasSize(1);
    assertThat(http.get("/schemas?offset=1&limit=1").body().get(0).get("version").asInt())
        .isEqualTo(2);
    assertThat(http.get("/schemas?limit=x").status()).isEqualTo(422);
  }

  @Test
  void metadataIdNamesTheRegistryCluster() {
    Answer a = http.get("/v1/metadata/id");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.body().at("/scope/clusters/schema-registry-cluster").asText())
        .isEqualTo("schema-registry");
    assertThat(a.body().at("/scope/path").isArray()).isTrue();
  }

  @Test
  void healthIsUpAndMetricsCountSubjectsSchemasAndRequests() throws Exception {
    register("hosts-value", RestApiTest.V1);
    register("hosts-value", RestApiTest.V2);
    register("other-value", RestApiTest.V1); // same schema, same id
    http.get("/subjects");

    Answer health = http.get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body().get("status").asText()).isEqualTo("UP");

    HttpResponse<String> metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValue(RegistryOps.PROMETHEUS_CONTENT_TYPE);
    assertThat(metrics.body())
        .contains("swarmsched_registry_subjects 2.0\n")
        .contains("swarmsched_registry_schemas 2.0\n")
        .contains("swarmsched_registry_requests_total 4.0\n") // three registrations and one listing
        .contains("# TYPE swarmsched_registry_requests_total counter");
    assertThat(http.get("/healthz").status()).isEqualTo(404);
  }
}
