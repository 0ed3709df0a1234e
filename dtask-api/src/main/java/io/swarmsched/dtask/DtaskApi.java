package io.swarmsched.dtask;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dtask-scheduler's HTTP API, unchanged, on one base URL, so that dtask's workers and clients work
 * against swarmsched without a change (docs/design.md, "Worker pools"):
 *
 * <ul>
 *   <li>{@code POST /api/v1/heartbeat} — dtask's worker heartbeat, handed to heartbeat-ingest
 *       (which validates it and puts it on the heartbeat topic); answers {@code {"status":"ok"}}.
 *   <li>{@code POST /api/v1/schedule {"task_id","required_tags"}} — a placement, answered at once:
 *       {@code 200 {"worker_id","address"}} or {@code 503 {"error"}}; {@code 400 {"error"}} for a
 *       bad body. Each call is a job submitted to the dispatcher's jobs API with {@code no_queue}
 *       (place now or fail) and one attempt, so the dispatcher's capacity rule holds: a worker is
 *       never given more than its {@code max_tasks}, however many schedules arrive at once.
 *   <li>{@code GET /api/v1/workers} — every worker of the host table in dtask's own shape ({@code
 *       WorkerID}, {@code Address}, {@code ResourceTags}, {@code MaxTasks}, {@code CurrentTasks},
 *       {@code Available}, {@code LastHeartbeat}, {@code Status} online/suspicious/offline),
 *       offline workers included.
 * </ul>
 *
 * <p>It holds no state and speaks only HTTP to heartbeat-ingest and the dispatcher, so any number
 * of instances can run in front of any deployment. Errors are always {@code {"error": "..."}},
 * dtask's one error shape.
 */
public final class DtaskApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DtaskApi.class);

  public static final String HEARTBEAT = "/api/v1/heartbeat";
  public static final String SCHEDULE = "/api/v1/schedule";
  public static final String WORKERS = "/api/v1/workers";

  /** dtask's own words when no worker fits. */
  static final String NO_WORKER = "no available worker matching requirements";

  /**
   * How much longer than the placement wait the dispatcher may take to answer: a dtask client gives
   * up after 5 s, so the whole answer must come within about the wait.
   */
  static final Duration ANSWER_MARGIN = Duration.ofMillis(1500);

  /** The requester host id of every job this API submits (what the dispatcher records). */
  static final String REQUESTER = "dtask-api";

  private final DtaskApiConfig config;
  private final HttpApi http;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private DtaskApi(DtaskApiConfig config) {
    this.config = config;
    this.http = HttpApi.create(config.host(), config.port(), 1 << 20);
    http.post(HEARTBEAT, guarded(this::heartbeat));
    http.post(SCHEDULE, guarded(this::schedule));
    http.get(WORKERS, guarded(this::workers));
  }

  public static DtaskApi start(DtaskApiConfig config) throws IOException {
    DtaskApi api = new DtaskApi(config);
    api.http.start();
    log.info(
        "dtask API on {} (heartbeat-ingest {}, dispatcher {})",
        api.url(),
        config.ingestUrl(),
        config.dispatcherUrl());
    return api;
  }

  /** The base URL a dtask worker or client is given, e.g. http://127.0.0.1:8085 */
  public String url() {
    return http.localUrl();
  }

  public int port() {
    return http.port();
  }

  // ---- POST /api/v1/heartbeat ----------------------------------------------------------------

  private Response heartbeat(Request request) throws IOException, InterruptedException {
    HttpResponse<String> r =
        post(config.ingestUrl() + HEARTBEAT, request.body(), Duration.ofSeconds(15));
    if (r.statusCode() == 200) {
      return Response.ok(Map.of("status", "ok"));
    }
    return error(r.statusCode(), messageOf(r.body()));
  }

  // ---- POST /api/v1/schedule -----------------------------------------------------------------

  private Response schedule(Request request) throws IOException, InterruptedException {
    DtaskSchedule req;
    try {
      req = DtaskSchedule.parse(request.body());
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage());
    }
    Map<String, Object> job = new LinkedHashMap<>();
    // dtask makes a new placement for every call, even for a task id it placed before: so does
    // this, with a job id of its own that starts with the task id
    job.put("job_id", req.taskId() + "@" + UUID.randomUUID().toString().substring(0, 13));
    job.put("required_tags", req.requiredTags());
    job.put("no_queue", true);
    job.put("max_attempts", 1);
    job.put("timeout_ms", config.jobTimeout().toMillis());
    job.put("requester_host_id", REQUESTER);
    String jobId = (String) job.get("job_id");
    String wait = Math.max(1, config.scheduleWait().toMillis()) + "ms";
    HttpResponse<String> r;
    try {
      r =
          post(
              config.dispatcherUrl() + "/api/v1/jobs?wait=" + wait,
              HttpApi.JSON.writeValueAsBytes(job),
              config.scheduleWait().plus(ANSWER_MARGIN));
    } catch (java.net.http.HttpTimeoutException e) {
      // the job may be in: withdraw it, so it is not placed after the client heard "no"
      withdraw(jobId);
      return error(503, "no placement within " + wait + " (the scheduler is slow to answer)");
    }
    if (r.statusCode() == 400) {
      return error(400, messageOf(r.body()));
    }
    if (r.statusCode() != 200 && r.statusCode() != 202) {
      return error(503, "scheduler unavailable: " + messageOf(r.body()));
    }
    JsonNode view = HttpApi.JSON.readTree(r.body());
    String state = view.path("state").asText("");
    switch (state) {
      case "ASSIGNED", "RUNNING", "SUCCEEDED" -> {
        Map<String, Object> ok = new LinkedHashMap<>();
        ok.put("worker_id", view.path("worker_host_id").asText(""));
        ok.put("address", view.path("worker_address").asText(""));
        return Response.ok(ok);
      }
      case "FAILED" -> {
        String reason = view.path("reason").asText("");
        return error(
            503, reason.startsWith("NO_CAPACITY") || reason.isEmpty() ? NO_WORKER : reason);
      }
      default -> {
        // not placed within the wait: withdraw it, so it is not placed later behind the client's
        // back
        withdraw(jobId);
        return error(503, "no placement within " + wait + " (state " + state + ")");
      }
    }
  }

  /** Cancels a job the client was told is not placed. */
  private void withdraw(String jobId) {
    try {
      send(
          HttpRequest.newBuilder(
                  URI.create(config.dispatcherUrl() + "/api/v1/jobs/" + segment(jobId)))
              .timeout(Duration.ofSeconds(10))
              .DELETE()
              .build());
    } catch (IOException e) {
      log.warn("Withdrawing unplaced job {} failed: {}", jobId, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- GET /api/v1/workers -------------------------------------------------------------------

  private Response workers(Request request) throws IOException, InterruptedException {
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(URI.create(config.ingestUrl() + "/api/v1/hosts"))
                .timeout(Duration.ofSeconds(15))
                .GET()
                .build());
    if (r.statusCode() != 200) {
      return error(503, "host table unavailable: " + messageOf(r.body()));
    }
    Map<String, Integer> placed = placedJobs();
    List<Map<String, Object>> out = new ArrayList<>();
    for (JsonNode h : HttpApi.JSON.readTree(r.body()).path("hosts")) {
      Map<String, Object> w = worker(h, placed);
      if (w != null) {
        out.add(w);
      }
    }
    out.sort(Comparator.comparing(w -> (String) w.get("WorkerID")));
    return Response.ok(out);
  }

  /**
   * A host as dtask's {@code WorkerState}, or null for a host that is no worker (an agent without a
   * jobs executor advertises {@code max_tasks} 0; a dtask worker is listed whatever it sends).
   *
   * @param placed jobs the dispatcher holds on each worker now (ASSIGNED or RUNNING): a placement
   *     counts at once, as dtask's optimistic increment does, before the worker's next heartbeat
   */
  static Map<String, Object> worker(JsonNode h, Map<String, Integer> placed) {
    String id = h.path("host_id").asText("");
    int max = h.path("capacity").path("max_tasks").asInt(0);
    boolean dtask = "dtask".equals(h.path("agent_version").asText(""));
    if (id.isEmpty() || (max <= 0 && !dtask)) {
      return null;
    }
    int current =
        Math.max(h.path("load").path("running_tasks").asInt(0), placed.getOrDefault(id, 0));
    List<String> tags = new ArrayList<>();
    h.path("tags").forEach(t -> tags.add(t.asText()));
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("WorkerID", id);
    w.put("Address", h.path("piece_server_address").asText(""));
    w.put("ResourceTags", tags);
    w.put("MaxTasks", max);
    w.put("CurrentTasks", current);
    w.put("Available", max - current);
    w.put("LastHeartbeat", Instant.ofEpochMilli(h.path("last_seen").asLong(0)).toString());
    w.put("Status", h.path("liveness").asText("OFFLINE").toLowerCase(Locale.ROOT));
    return w;
  }

  /** Jobs ASSIGNED or RUNNING per worker, from the dispatcher; empty when it does not answer. */
  private Map<String, Integer> placedJobs() {
    Map<String, Integer> placed = new HashMap<>();
    for (String state : List.of("ASSIGNED", "RUNNING")) {
      try {
        HttpResponse<String> r =
            send(
                HttpRequest.newBuilder(
                        URI.create(
                            config.dispatcherUrl()
                                + "/api/v1/jobs?state="
                                + state
                                + "&limit=10000"))
                    .timeout(Duration.ofSeconds(10))
                    .GET()
                    .build());
        if (r.statusCode() != 200) {
          continue;
        }
        for (JsonNode j : HttpApi.JSON.readTree(r.body()).path("jobs")) {
          String worker = j.path("worker_host_id").asText("");
          if (!worker.isEmpty()) {
            placed.merge(worker, 1, Integer::sum);
          }
        }
      } catch (IOException e) {
        log.debug("Jobs of state {} unavailable: {}", state, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return placed;
  }

  // ---- plumbing ------------------------------------------------------------------------------

  interface Body {
    Response handle(Request request) throws IOException, InterruptedException;
  }

  /** Every failure as dtask's {@code {"error"}}: a service behind it that is down is a 503. */
  private static io.swarmsched.runtime.http.Handler guarded(Body body) {
    return request -> {
      try {
        return body.handle(request);
      } catch (IOException e) {
        return error(503, "scheduler unavailable: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return error(503, "interrupted");
      } catch (RuntimeException e) {
        log.error("dtask API request {} failed", request.path(), e);
        return error(500, e.toString());
      }
    };
  }

  static Response error(int status, String message) {
    return Response.json(status, Map.of("error", message));
  }

  /**
   * The message of a service's error body ({@code {"message"}} or {@code {"error"}}), or the body.
   */
  static String messageOf(String body) {
    try {
      JsonNode n = HttpApi.JSON.readTree(body);
      if (n.hasNonNull("message")) {
        return n.get("message").asText();
      }
      if (n.hasNonNull("error")) {
        return n.get("error").asText();
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: the text itself
    }
    return body == null ? "" : body.strip();
  }

  private HttpResponse<String> post(String url, byte[] body, Duration timeout)
      throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private HttpResponse<String> send(HttpRequest r) throws IOException, InterruptedException {
    return client.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Override
  public void close() {
    http.close();
  }
}
