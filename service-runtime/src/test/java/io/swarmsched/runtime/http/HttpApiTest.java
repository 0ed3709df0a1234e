package io.swarmsched.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpApiTest {
  static final int LIMIT = 1024;

  record Heartbeat(String worker_id, int max_tasks) {}

  HttpApi api;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final AtomicBoolean streamsUp = new AtomicBoolean(true);

  @BeforeEach
  void start() throws IOException {
    api = HttpApi.create("127.0.0.1", 0, LIMIT);
    api.get(
        "/api/v1/hosts/{id}",
        req ->
            Response.ok(
                Map.of(
                    "id", req.pathParam("id"), "liveness", req.query("liveness").orElse("any"))));
    api.post(
        "/api/v1/heartbeat",
        req -> {
          Heartbeat hb = req.bodyAs(Heartbeat.class);
          if (hb.max_tasks() < 0) {
            throw ApiException.badRequest("max_tasks: " + hb.max_tasks() + " is negative");
          }
          return Response.json(202, Map.of("accepted", hb.worker_id()));
        });
    api.post("/api/v1/tree", req -> Response.ok(Map.of("keys", req.bodyJson().size())));
    api.get(
        "/boom",
        req -> {
          throw new IllegalStateException("kaput");
        });
    api.registerHealthCheck(
        "streams",
        () ->
            streamsUp.get() ? HealthCheck.Status.up("RUNNING") : HealthCheck.Status.down("ERROR"));
    api.meterRegistry().counter("swarm.test.events").increment(3);
    api.start();
  }

  @AfterEach
  void stop() {
    api.close();
  }

  HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(api.localUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(api.localUrl() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    assertThat(response.headers().firstValue("Content-Type")).contains(Response.JSON);
    return HttpApi.JSON.readTree(response.body());
  }

  @Test
  void pathParametersAndQueryReachTheHandler() throws Exception {
    HttpResponse<String> response = get("/api/v1/hosts/host%201?liveness=ONLINE");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("id").asText()).isEqualTo("host 1");
    assertThat(json(response).get("liveness").asText()).isEqualTo("ONLINE");
  }

  @Test
  void jsonBodyIsBoundAndHandlerErrorsBecomeJsonWithTheirStatus() throws Exception {
    HttpResponse<String> ok = post("/api/v1/heartbeat", "{\"worker_id\":\"w1\",\"max_tasks\":4}");
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(json(ok).get("accepted").asText()).isEqualTo("w1");

    HttpResponse<String> bad = post("/api/v1/heartbeat", "{\"worker_id\":\"w1\",\"max_tasks\":-1}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad).get("error_code").asInt()).isEqualTo(400);
    assertThat(json(bad).get("message").asText()).isEqualTo("max_tasks: -1 is negative");
  }

  @Test
  void malformedJsonIs400NamingTheProblem() throws Exception {
    HttpResponse<String> syntax = post("/api/v1/heartbeat", "{\"worker_id\": ");
    assertThat(syntax.statusCode()).isEqualTo(400);
    assertThat(json(syntax).get("message").asText()).startsWith("malformed JSON at line 1");

    HttpResponse<String> wrongType =
        post("/api/v1/heartbeat", "{\"worker_id\":\"w\",\"max_tasks\":\"many\"}");
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(json(wrongType).get("message").asText())
        .startsWith("invalid JSON at field 'max_tasks'");

    HttpResponse<String> empty = post("/api/v1/tree", "");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(json(empty).get("message").asText()).contains("empty");
  }

  @Test
  void bodyOverTheLimitIs413WithJsonMessage() throws Exception {
    HttpResponse<String> response =
        post("/api/v1/tree", "{\"k\":\"" + "x".repeat(LIMIT * 2) + "\"}");

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(json(response).get("message").asText()).contains(Integer.toString(LIMIT));
  }

  @Test
  void unknownPathIs404AndWrongMethodIs405WithAllow() throws Exception {
    HttpResponse<String> missing = get("/api/v1/nothing");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(json(missing).get("error_code").asInt()).isEqualTo(404);

    HttpResponse<String> wrongMethod = get("/api/v1/heartbeat");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Allow")).contains("POST");
    assertThat(json(wrongMethod).get("message").asText()).contains("GET");
  }

  @Test
  void unexpectedHandlerExceptionIs500WithJsonAndTheServerKeepsServing() throws Exception {
    HttpResponse<String> response = get("/boom");
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(json(response).get("message").asText()).contains("kaput");
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void healthIs200WhenEveryCheckIsUpAnd503OtherwiseWithJsonDetail() throws Exception {
    HttpResponse<String> up = get("/health");
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(json(up).get("status").asText()).isEqualTo("UP");
    assertThat(json(up).at("/checks/streams/detail").asText()).isEqualTo("RUNNING");

    streamsUp.set(false);
    HttpResponse<String> down = get("/health");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(json(down).get("status").asText()).isEqualTo("DOWN");
    assertThat(json(down).at("/checks/streams/status").asText()).isEqualTo("DOWN");
  }

  @Test
  void metricsArePrometheusTextWithJvmServiceAndRequestMetrics() throws Exception {
    get("/api/v1/hosts/h1");
    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(response.body())
        .contains("jvm_memory_used_bytes")
        .contains("swarm_test_events_total 3.0")
        .contains(
            "swarm_http_requests_seconds_count{method=\"GET\",route=\"/api/v1/hosts/{id}\",status=\"200\"}");
  }
}
