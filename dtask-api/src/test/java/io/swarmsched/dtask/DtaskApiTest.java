package io.swarmsched.dtask;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.swarmsched.runtime.config.Settings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dtask API's shapes against scripted heartbeat-ingest and dispatcher HTTP APIs: dtask's own
 * request and response bodies (its docs/api.md and pkg/types), what is forwarded, and every error
 * as {@code {"error"}}. The real services behind it are tested in local-swarm (DtaskApiSystemTest).
 */
class DtaskApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A path's scripted answer: status and JSON body. */
  record Answer(int status, String body) {}

  private HttpServer backend;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final List<String> received = new CopyOnWriteArrayList<>();
  private DtaskApi api;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws IOException {
    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", this::answer);
    backend.start();
    String url = "http://127.0.0.1:" + backend.getAddress().getPort();
    api =
        DtaskApi.start(
            DtaskApiConfig.from(
                Settings.of(
                    Map.of(
                        "swarm.http.port",
                        "0",
                        DtaskApiConfig.INGEST_URL,
                        url + "/ingest",
                        DtaskApiConfig.DISPATCHER_URL,
                        url + "/dispatcher"))));
  }

  @AfterEach
  void stop() {
    api.close();
    backend.stop(0);
  }

  private void answer(HttpExchange ex) throws IOException {
    String key = ex.getRequestMethod() + " " + ex.getRequestURI().getPath();
    received.add(
        key
            + (ex.getRequestURI().getQuery() == null ? "" : "?" + ex.getRequestURI().getQuery())
            + " "
            + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String query = ex.getRequestURI().getQuery();
    Answer a =
        answers.getOrDefault(
            key + "?" + query,
            answers.getOrDefault(key, new Answer(404, "{\"message\":\"no route\"}")));
    byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(a.status(), body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(api.url() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(api.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  @Test
  void aDtaskHeartbeatGoesToHeartbeatIngestAsSentAndIsAnsweredStatusOk() throws Exception {
    answers.put(
        "POST /ingest/api/v1/heartbeat",
        new Answer(200, "{\"status\":\"ok\",\"host_id\":\"worker-001\",\"sequence\":1}"));
    // docs/api.md's example body
    String hb =
        "{\"worker_id\":\"worker-001\",\"address\":\"192.168.1.100:9000\","
            + "\"resource_tags\":[\"gpu\",\"cuda-12.0\",\"cpu-64core\"],\"max_tasks\":30,"
            + "\"current_tasks\":15,\"timestamp\":1702540800}";
    HttpResponse<String> r = post("/api/v1/heartbeat", hb);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r)).isEqualTo(JSON.readTree("{\"status\":\"ok\"}"));
    assertThat(received).containsExactly("POST /ingest/api/v1/heartbeat " + hb);
  }

  @Test
  void aHeartbeatIngestRefusesIsA400WithDtasksErrorShape() throws Exception {
    answers.put(
        "POST /ingest/api/v1/heartbeat",
        new Answer(400, "{\"error_code\":400,\"message\":\"max_tasks: must be an integer\"}"));
    HttpResponse<String> r = post("/api/v1/heartbeat", "{\"worker_id\":\"w\",\"max_tasks\":\"x\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(json(r)).isEqualTo(JSON.readTree("{\"error\":\"max_tasks: must be an integer\"}"));
  }

  @Test
  void aScheduleIsAJobPlacedNowOrNeverAndAnswersWorkerIdAndAddress() throws Exception {
    answers.put(
        "POST /dispatcher/api/v1/jobs",
        new Answer(
            200,
            "{\"job_id\":\"task-001@x\",\"state\":\"ASSIGNED\",\"worker_host_id\":\"worker-001\","
                + "\"worker_address\":\"192.168.1.100:9000\",\"attempt\":1}"));
    // dtask's own body, with a field dtask does not know (its Go decoder ignores such fields)
    HttpResponse<String> r =
        post("/api/v1/schedule", "{\"task_id\":\"task-001\",\"required_tags\":[\"gpu\"],\"x\":1}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r))
        .isEqualTo(
            JSON.readTree("{\"worker_id\":\"worker-001\",\"address\":\"192.168.1.100:9000\"}"));
    assertThat(received).hasSize(1);
    String sent = received.get(0);
    assertThat(sent).startsWith("POST /dispatcher/api/v1/jobs?wait=3500ms ");
    JsonNode job = JSON.readTree(sent.substring(sent.indexOf(' ', 5) + 1));
    assertThat(job.path("job_id").asText()).startsWith("task-001@");
    assertThat(job.path("required_tags")).isEqualTo(JSON.readTree("[\"gpu\"]"));
    assertThat(job.path("no_queue").asBoolean()).isTrue();
    assertThat(job.path("max_attempts").asInt()).isEqualTo(1);
  }

  @Test
  void noCapacityIsA503WithDtasksOwnMessage() throws Exception {
    answers.put(
        "POST /dispatcher/api/v1/jobs",
        new Answer(200, "{\"job_id\":\"t@x\",\"state\":\"FAILED\",\"reason\":\"NO_CAPACITY\"}"));
    HttpResponse<String> r = post("/api/v1/schedule", "{\"task_id\":\"t\"}");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(json(r))
        .isEqualTo(JSON.readTree("{\"error\":\"no available worker matching requirements\"}"));
  }

  @Test
  void aPlacementNotMadeWithinTheWaitIsWithdrawnAndA503() throws Exception {
    answers.put(
        "POST /dispatcher/api/v1/jobs",
        new Answer(202, "{\"job_id\":\"t@x\",\"state\":\"SUBMITTED\"}"));
    answers.put(
        "DELETE /dispatcher/api/v1/jobs/t@x",
        new Answer(202, "{\"job_id\":\"t@x\",\"state\":\"SUBMITTED\"}"));
    HttpResponse<String> r = post("/api/v1/schedule", "{\"task_id\":\"t\"}");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(json(r).path("error").asText()).startsWith("no placement within 3500ms");
    // the job it submitted is the one it withdraws
    String post = received.get(0);
    String id = JSON.readTree(post.substring(post.indexOf(' ', 5) + 1)).path("job_id").asText();
    assertThat(id).startsWith("t@");
    assertThat(received).contains("DELETE /dispatcher/api/v1/jobs/" + id + " ");
  }

  @Test
  void badScheduleBodiesAre400WithAnErrorAndReachNoService() throws Exception {
    for (String bad :
        List.of(
            "not json",
            "[1,2]",
            "{}",
            "{\"task_id\":\"\"}",
            "{\"task_id\":7}",
            "{\"task_id\":\"t\",\"required_tags\":\"gpu\"}",
            "{\"task_id\":\"t\",\"required_tags\":[1]}")) {
      HttpResponse<String> r = post("/api/v1/schedule", bad);
      assertThat(r.statusCode()).as(bad).isEqualTo(400);
      assertThat(json(r).path("error").asText()).as(bad).isNotBlank();
      assertThat(json(r).size()).as(bad).isEqualTo(1);
    }
    assertThat(received).isEmpty();
  }

  @Test
  void aDispatcherThatIsDownIsA503WithAnError() throws Exception {
    backend.stop(0);
    HttpResponse<String> r = post("/api/v1/schedule", "{\"task_id\":\"t\"}");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(json(r).path("error").asText()).startsWith("scheduler unavailable");
  }

  @Test
  void workersAreListedInDtasksShapeOfflineIncludedNonWorkersLeftOut() throws Exception {
    answers.put(
        "GET /ingest/api/v1/hosts",
        new Answer(
            200,
            """
            {"count":3,"hosts":[
             {"host_id":"worker-002","piece_server_address":"10.0.0.2:9000","tags":["cpu"],
              "capacity":{"max_tasks":4},"load":{"running_tasks":1},"last_seen":1765729800000,
              "liveness":"OFFLINE","agent_version":"dtask"},
             {"host_id":"seed-1","piece_server_address":"10.0.0.9:65002","tags":[],
              "capacity":{"max_tasks":0},"load":{"running_tasks":0},"last_seen":1765729800000,
              "liveness":"ONLINE","agent_version":"0.1.0"},
             {"host_id":"worker-001","piece_server_address":"10.0.0.1:9000","tags":["gpu","cuda-12.0"],
              "capacity":{"max_tasks":30},"load":{"running_tasks":15},"last_seen":1765729800000,
              "liveness":"SUSPICIOUS","agent_version":"dtask"}]}
            """));
    // the dispatcher holds 17 jobs on worker-001 (two not yet in a heartbeat)
    StringBuilder jobs = new StringBuilder("{\"jobs\":[");
    for (int i = 0; i < 17; i++) {
      jobs.append(i == 0 ? "" : ",").append("{\"worker_host_id\":\"worker-001\"}");
    }
    answers.put(
        "GET /dispatcher/api/v1/jobs?state=ASSIGNED&limit=10000",
        new Answer(200, jobs.append("]}").toString()));
    answers.put(
        "GET /dispatcher/api/v1/jobs?state=RUNNING&limit=10000", new Answer(200, "{\"jobs\":[]}"));

    HttpResponse<String> r = get("/api/v1/workers");
    assertThat(r.statusCode()).isEqualTo(200);
    // the docs/api.md example's shape (Go's types.WorkerState, field names as Go marshals them)
    JsonNode ws = json(r);
    assertThat(ws).hasSize(2);
    JsonNode w1 = ws.get(0);
    assertThat(w1.path("WorkerID").asText()).isEqualTo("worker-001");
    assertThat(w1.path("Address").asText()).isEqualTo("10.0.0.1:9000");
    assertThat(w1.path("ResourceTags")).isEqualTo(JSON.readTree("[\"gpu\",\"cuda-12.0\"]"));
    assertThat(w1.path("MaxTasks").asInt()).isEqualTo(30);
    assertThat(w1.path("LastHeartbeat").asText()).isEqualTo("2025-12-14T16:30:00Z");
    assertThat(w1.path("Status").asText()).isEqualTo("suspicious");
    // placements count at once, before the worker's heartbeat reports them (dtask's optimistic
    // increment)
    assertThat(w1.path("CurrentTasks").asInt()).isEqualTo(17);
    assertThat(w1.path("Available").asInt()).isEqualTo(13);
    assertThat(
            List.of(
                "WorkerID",
                "Address",
                "ResourceTags",
                "MaxTasks",
                "CurrentTasks",
                "Available",
                "LastHeartbeat",
                "Status"))
        .containsExactlyElementsOf(() -> w1.fieldNames());
    JsonNode w2 = ws.get(1);
    assertThat(w2.path("WorkerID").asText()).isEqualTo("worker-002");
    assertThat(w2.path("Status").asText()).isEqualTo("offline");
    assertThat(w2.path("CurrentTasks").asInt()).isEqualTo(1);
    assertThat(w2.path("Available").asInt()).isEqualTo(3);
  }
}
