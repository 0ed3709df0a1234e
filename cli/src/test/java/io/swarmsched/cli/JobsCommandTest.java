package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swarmsched jobs} against a scripted jobs API (the dispatcher's shapes, see docs/design.md
 * "Worker pools"): what it sends, what it prints, its exit codes. Against the real dispatcher it
 * runs in local-swarm's JobsEndToEndTest.
 */
class JobsCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private HttpServer server;
  private String url;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();

  /** Per job id, the views GET answers in turn (the last one repeats). */
  private final Map<String, Deque<String>> views = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static String view(String id, String state, int attempt, String worker, String extra) {
    return "{\"job_id\":\""
        + id
        + "\",\"state\":\""
        + state
        + "\",\"attempt\":"
        + attempt
        + ",\"max_attempts\":3,\"worker_host_id\":"
        + (worker == null ? "null" : "\"" + worker + "\"")
        + extra
        + ",\"history\":[{\"at\":0,\"state\":\"SUBMITTED\",\"attempt\":0,\"worker_host_id\":null,\"reason\":null}]}";
  }

  private void script(String id, String... answers) {
    views.put(id, new ArrayDeque<>(List.of(answers)));
  }

  private void handle(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getPath();
    String query = ex.getRequestURI().getQuery();
    requests.add(method + " " + path + (query == null ? "" : "?" + query));
    byte[] in = ex.getRequestBody().readAllBytes();
    int status = 200;
    String body;
    if (method.equals("POST") && path.equals("/api/v1/jobs")) {
      JsonNode job = JSON.readTree(in);
      bodies.add(job);
      String id = job.path("job_id").asText("generated-1");
      Deque<String> q = views.get(id);
      body = q == null ? view(id, "QUEUED", 0, null, ",\"reason\":\"NO_CAPACITY\"") : q.peek();
    } else if (path.equals("/api/v1/jobs")) {
      body =
          "{\"jobs\":["
              + view("a", "QUEUED", 0, null, "")
              + ","
              + view("b", "RUNNING", 1, "w1", "")
              + "]}";
    } else {
      String id = path.substring("/api/v1/jobs/".length());
      Deque<String> q = views.get(id);
      if (q == null) {
        status = 404;
        body = "{\"error_code\":404,\"message\":\"job " + id + " is not known\"}";
      } else if (method.equals("DELETE")) {
        body = view(id, "CANCELLED", 1, "w1", ",\"reason\":\"CANCELLED\"");
      } else {
        body = q.size() > 1 ? q.poll() : q.peek();
      }
    }
    byte[] out = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, out.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(out);
    }
  }

  @Test
  void submitSendsThePayloadTagsPriorityAndTimeoutAndPrintsWhereItRuns() throws Exception {
    Path payload = dir.resolve("in.bin");
    byte[] bytes = {0, 1, 2, (byte) 0xff};
    Files.write(payload, bytes);
    script("j1", view("j1", "ASSIGNED", 1, "w1", ""));
    CliRun run =
        CliRun.of(
            "jobs",
            "submit",
            "--dispatcher",
            url,
            "--id",
            "j1",
            "-f",
            payload.toString(),
            "--tag",
            "gpu",
            "-t",
            "cuda,linux",
            "--priority",
            "7",
            "--timeout",
            "90s",
            "--max-attempts",
            "2");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().strip()).isEqualTo("j1  ASSIGNED  attempt 1/3  on w1");
    assertThat(requests).containsExactly("POST /api/v1/jobs?wait=2000ms");
    JsonNode sent = bodies.get(0);
    assertThat(Base64.getDecoder().decode(sent.path("payload_base64").asText())).isEqualTo(bytes);
    assertThat(sent.path("required_tags")).isEqualTo(JSON.readTree("[\"gpu\",\"cuda\",\"linux\"]"));
    assertThat(sent.path("priority").asInt()).isEqualTo(7);
    assertThat(sent.path("timeout_ms").asLong()).isEqualTo(90_000);
    assertThat(sent.path("max_attempts").asInt()).isEqualTo(2);
    assertThat(sent.path("no_queue").asBoolean()).isFalse();
  }

  @Test
  void submitWaitPrintsEveryStepAndExitsZeroOnlyWhenTheJobSucceeded() {
    script(
        "ok",
        view("ok", "ASSIGNED", 1, "w1", ""),
        view("ok", "RUNNING", 1, "w1", ""),
        view("ok", "SUCCEEDED", 1, "w1", ",\"result_ref\":\"sha256:ab\""));
    CliRun ok =
        CliRun.of("jobs", "submit", "--dispatcher", url, "--id", "ok", "--payload", "x", "--wait");
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.out())
        .contains("ok  ASSIGNED")
        .contains("ok  RUNNING")
        .contains("ok  SUCCEEDED  attempt 1/3  on w1  result sha256:ab");

    script(
        "bad",
        view("bad", "RUNNING", 1, "w1", ""),
        view("bad", "FAILED", 1, "w1", ",\"reason\":\"JOB_FAILED:exit code 3\""));
    CliRun bad = CliRun.of("jobs", "submit", "--dispatcher", url, "--id", "bad", "-w");
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.err().strip()).isEqualTo("swarmsched: job bad FAILED: JOB_FAILED:exit code 3");
  }

  @Test
  void getShowsTheJobAndItsHistoryAndAnUnknownJobIsAFailure() {
    script("j", view("j", "RUNNING", 2, "w2", ",\"reason\":\"RETRY:WORKER_OFFLINE\""));
    CliRun run = CliRun.of("jobs", "get", "j", "--dispatcher", url);
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("j  RUNNING  attempt 2/3  on w2  (RETRY:WORKER_OFFLINE)");
    assertThat(run.out()).contains("SUBMITTED");

    CliRun json = CliRun.of("jobs", "get", "j", "--dispatcher", url, "--json");
    assertThat(json.out().strip()).startsWith("{\"job_id\":\"j\"");

    CliRun missing = CliRun.of("jobs", "get", "nope", "--dispatcher", url);
    assertThat(missing.exitCode()).isEqualTo(1);
    assertThat(missing.err().strip()).isEqualTo("swarmsched: not found: job nope is not known");
  }

  @Test
  void cancelWaitsForCancelledAndListFiltersByState() {
    script("c", view("c", "RUNNING", 1, "w1", ""));
    CliRun cancel = CliRun.of("jobs", "cancel", "c", "--dispatcher", url);
    assertThat(cancel.exitCode()).as(cancel.err()).isZero();
    assertThat(cancel.out()).contains("c  CANCELLED");
    assertThat(requests).contains("DELETE /api/v1/jobs/c?wait=10000ms");

    CliRun list = CliRun.of("jobs", "list", "--state", "queued", "--dispatcher", url);
    assertThat(list.exitCode()).isZero();
    assertThat(requests).contains("GET /api/v1/jobs?limit=100&state=QUEUED");
    assertThat(list.out()).contains("a  QUEUED").contains("b  RUNNING  attempt 1/3  on w1");
  }

  @Test
  void badArgumentsExitTwoNamingTheOptionAndAMissingDispatcherExitsOne() throws Exception {
    CliRun timeout = CliRun.of("jobs", "submit", "--dispatcher", url, "--timeout", "forever");
    assertThat(timeout.exitCode()).isEqualTo(2);
    assertThat(timeout.err()).contains("--timeout").contains("not a duration");

    CliRun state = CliRun.of("jobs", "list", "--dispatcher", url, "--state", "DONE");
    assertThat(state.exitCode()).isEqualTo(2);
    assertThat(state.err()).contains("--state: 'DONE' is not one of");

    CliRun file =
        CliRun.of("jobs", "submit", "--dispatcher", url, "-f", dir.resolve("no").toString());
    assertThat(file.exitCode()).isEqualTo(2);
    assertThat(file.err()).contains("--payload-file: no such file");

    CliRun both = CliRun.of("jobs", "submit", "--dispatcher", url, "-f", "x", "--payload", "y");
    assertThat(both.exitCode()).isEqualTo(2);

    CliRun none = CliRun.of("jobs");
    assertThat(none.exitCode()).isEqualTo(2);

    server.stop(0);
    CliRun down = CliRun.of("jobs", "list", "--dispatcher", url);
    assertThat(down.exitCode()).isEqualTo(1);
    assertThat(down.errLines()).hasSize(1);
    assertThat(down.err()).contains("cannot reach the dispatcher at " + url);
    assertThat(requests).noneMatch(r -> r.startsWith("POST"));
  }
}
