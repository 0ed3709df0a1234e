package io.swarmsched.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.agent.Agent;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.serde.SerdeConfig;
import io.swarmsched.serde.SpecificAvroDeserializer;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.TopicReader;
import io.swarmsched.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Worker pools end to end on the embedded cluster with every service: real agents running a real
 * command ({@code sha256sum} of each job's payload) for many jobs across four agents, and
 * dtask-scheduler's API with dtask's own request and response shapes (its docs/api.md and
 * pkg/types), including a burst of concurrent schedules.
 *
 * <p>The job count is {@code -Dswarmsched.e2e.jobs=N} (default 1,000, as issue 15 asks).
 */
class JobsEndToEndTest {
  static final int JOBS = Integer.getInteger("swarmsched.e2e.jobs", 1000);
  static final ObjectMapper JSON = new ObjectMapper();

  /** Slots of the four agents: different on purpose, so a limit is checked per agent. */
  static final int[] MAX_TASKS = {2, 3, 4, 5};

  @TempDir static Path dir;
  static LocalSwarm swarm;
  static final List<Agent> agents = new ArrayList<>();
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    agents.clear(); // a rerun of the class starts afresh
    swarm = LocalSwarm.start(LocalSwarm.Options.ephemeral(dir.resolve("swarm")), line -> {});
    for (int i = 0; i < MAX_TASKS.length; i++) {
      Map<String, String> m = new HashMap<>(swarm.commonSettings());
      m.put(AgentConfig.HOST_ID, "runner-" + i);
      m.put(AgentConfig.DATA_DIR, dir.resolve("agents").resolve("runner-" + i).toString());
      m.put(AgentConfig.HEARTBEAT_INTERVAL, "1s");
      m.put(AgentConfig.CONTROL_PORT, "-1");
      m.put(AgentConfig.TAGS, "sha");
      m.put(AgentConfig.JOBS_COMMAND, "sha256sum");
      m.put(AgentConfig.MAX_TASKS, Integer.toString(MAX_TASKS[i]));
      agents.add(Agent.start(AgentConfig.from(Settings.of(m))));
    }
  }

  @AfterAll
  static void stop() {
    BoundedClose.all("the agents", agents, Duration.ofSeconds(10));
    agents.clear(); // a rerun of a failed test starts the class afresh
    if (swarm != null) {
      swarm.close();
    }
  }

  static HttpResponse<String> send(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    b =
        body == null
            ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  static String payload(int i) {
    return "job payload " + i + "\n";
  }

  static String metrics() {
    try {
      return send("GET", swarm.dispatcherUrl() + "/metrics", null).body();
    } catch (Exception e) {
      return "";
    }
  }

  /** {@code swarmsched_jobs_completed_total} on the dispatcher's /metrics (0 before any job). */
  static double completedJobs() {
    return metrics()
        .lines()
        .filter(l -> l.startsWith("swarmsched_jobs_completed_total "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
  }

  /** The dispatcher's jobs in {@code state} whose id starts with {@code prefix}. */
  static List<JsonNode> jobs(String state, String prefix) throws Exception {
    HttpResponse<String> r =
        send("GET", swarm.dispatcherUrl() + "/api/v1/jobs?limit=10000&state=" + state, null);
    if (r.statusCode() != 200) {
      return List.of();
    }
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode j : JSON.readTree(r.body()).path("jobs")) {
      if (j.path("job_id").asText().startsWith(prefix)) {
        out.add(j);
      }
    }
    return out;
  }

  @Test
  void manyJobsAcrossFourAgentsEachRunOnceSucceedOnceAndNoAgentExceedsItsMaxTasks()
      throws Exception {
    double completedBefore = completedJobs();
    long start = System.nanoTime();
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> posts = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        int n = i;
        Callable<Integer> post =
            () ->
                send(
                        "POST",
                        swarm.dispatcherUrl() + "/api/v1/jobs",
                        JSON.writeValueAsString(
                            Map.of(
                                "job_id", String.format("e2e-%05d", n),
                                "payload", payload(n),
                                "required_tags", List.of("sha"),
                                "timeout_ms", 120_000)))
                    .statusCode();
        posts.add(clients.submit(post));
      }
      for (Future<Integer> f : posts) {
        assertThat(f.get()).isEqualTo(202);
      }
    } finally {
      clients.shutdown();
    }

    try {
      Await.until(
          Duration.ofMinutes(10),
          "all " + JOBS + " jobs to succeed",
          () -> {
            try {
              assertThat(jobs("FAILED", "e2e-")).as("failed jobs").isEmpty();
              return jobs("SUCCEEDED", "e2e-").size() == JOBS;
            } catch (Exception e) {
              return false;
            }
          });
    } catch (AssertionError e) {
      // say where the jobs are, so a slow or stuck run can be told apart from lost jobs
      Map<String, Integer> byState = new java.util.TreeMap<>();
      for (String state :
          List.of("SUBMITTED", "QUEUED", "ASSIGNED", "RUNNING", "RETRY_WAIT", "SUCCEEDED")) {
        byState.put(state, jobs(state, "e2e-").size());
      }
      throw new AssertionError(
          e.getMessage()
              + "; jobs by state: "
              + byState
              + "; running per agent: "
              + agents.stream().map(Agent::runningJobs).toList(),
          e);
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    // the job metrics on the dispatcher's /metrics: each success counted once, nothing left
    // queued or holding a slot
    Await.until(
        Duration.ofSeconds(30),
        "the dispatcher's /metrics to count every job and show none queued or running",
        () -> {
          String m = metrics();
          return completedJobs() == completedBefore + JOBS
              && m.contains("\nswarmsched_jobs_queued 0.0\n")
              && m.contains("\nswarmsched_jobs_running 0.0\n");
        });

    // every job ran exactly once and succeeded exactly once, as its worker reported it
    SpecificAvroDeserializer<JobEvent> des = new SpecificAvroDeserializer<>(JobEvent.class);
    des.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, swarm.registryUrl()), false);
    List<JobEvent> events =
        new TopicReader(swarm.bootstrapServers())
                .readUntil(
                    Topics.JOB_EVENTS.name(),
                    new StringDeserializer(),
                    des,
                    rs ->
                        rs.stream()
                                .filter(r -> r.key().startsWith("e2e-"))
                                .filter(r -> r.value().getType() == JobEventType.SUCCEEDED)
                                .count()
                            >= JOBS,
                    Duration.ofMinutes(2))
                .stream()
                .map(ConsumerRecord::value)
                .filter(e -> e.getJobId().startsWith("e2e-") && e.getWorkerHostId() != null)
                .toList();
    Map<String, Map<JobEventType, Long>> byJob =
        events.stream()
            .collect(
                Collectors.groupingBy(
                    JobEvent::getJobId,
                    Collectors.groupingBy(JobEvent::getType, Collectors.counting())));
    assertThat(byJob).hasSize(JOBS);
    byJob.forEach(
        (id, counts) ->
            assertThat(counts)
                .as(id)
                .isEqualTo(Map.of(JobEventType.STARTED, 1L, JobEventType.SUCCEEDED, 1L)));

    // the result is the real command's: stdout of sha256sum holds the payload's digest
    Map<String, Long> perWorker = new HashMap<>();
    for (JobEvent e : events) {
      if (e.getType() != JobEventType.SUCCEEDED) {
        continue;
      }
      perWorker.merge(e.getWorkerHostId(), 1L, Long::sum);
      int n = Integer.parseInt(e.getJobId().substring(4));
      String[] ref = e.getResultRef().split(" ", 2);
      Path out = Path.of(ref[1].substring(ref[1].indexOf(':') + 1));
      byte[] stdout = Files.readAllBytes(out);
      assertThat(new String(stdout, StandardCharsets.UTF_8))
          .startsWith(sha256(payload(n).getBytes(StandardCharsets.UTF_8)) + "  -");
      assertThat(ref[0]).isEqualTo("sha256:" + sha256(stdout));
    }

    // no agent ever ran more than its max_tasks at once (each agent records its peak)
    for (int i = 0; i < agents.size(); i++) {
      assertThat(agents.get(i).peakRunningJobs())
          .as("peak concurrent jobs on runner-" + i)
          .isBetween(1, MAX_TASKS[i]);
      assertThat(perWorker.getOrDefault("runner-" + i, 0L))
          .as("jobs run by runner-" + i)
          .isPositive();
    }
    System.out.printf(
        "JobsEndToEndTest: %d jobs (sha256sum) on 4 agents (max_tasks %s) in %.1f s (%.0f jobs/s);"
            + " per agent %s; peaks %s%n",
        JOBS,
        java.util.Arrays.toString(MAX_TASKS),
        seconds,
        JOBS / seconds,
        perWorker,
        agents.stream().map(Agent::peakRunningJobs).toList());
  }

  // ---- dtask-scheduler's API, with its own shapes (docs/api.md, pkg/types) ---------------------

  static String heartbeat(String id, List<String> tags, int max, int current, long epochSeconds)
      throws Exception {
    Map<String, Object> hb = new java.util.LinkedHashMap<>();
    hb.put("worker_id", id);
    hb.put("timestamp", epochSeconds);
    hb.put("resource_tags", tags);
    hb.put("max_tasks", max);
    hb.put("current_tasks", current);
    hb.put("address", "192.168.1." + (100 + Math.abs(id.hashCode() % 100)) + ":9000");
    return JSON.writeValueAsString(hb);
  }

  static List<String> fields(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  static Map<String, JsonNode> dtaskWorkers() throws Exception {
    HttpResponse<String> r = send("GET", swarm.dtaskUrl() + "/api/v1/workers", null);
    assertThat(r.statusCode()).isEqualTo(200);
    Map<String, JsonNode> out = new HashMap<>();
    JSON.readTree(r.body()).forEach(w -> out.put(w.path("WorkerID").asText(), w));
    return out;
  }

  @Test
  void dtaskWorkersAndClientsWorkUnchangedAndABurstNeverExceedsMaxTasks() throws Exception {
    String dtask = swarm.dtaskUrl();
    // dtask workers heartbeat every 3 s; these do every 2 s while the test runs
    java.util.concurrent.ScheduledExecutorService beats =
        Executors.newSingleThreadScheduledExecutor();
    java.util.concurrent.atomic.AtomicLong lastBeat = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicReference<String> beatProblem =
        new java.util.concurrent.atomic.AtomicReference<>();
    Runnable beat =
        () -> {
          long now = Instant.now().getEpochSecond();
          try {
            for (String hb :
                List.of(
                    heartbeat("dtask-gpu-1", List.of("gpu", "cuda-12.0"), 3, 0, now),
                    heartbeat("dtask-gpu-2", List.of("gpu"), 2, 0, now),
                    heartbeat("dtask-cpu-1", List.of("cpu", "avx2"), 30, 5, now))) {
              HttpResponse<String> r = send("POST", dtask + "/api/v1/heartbeat", hb);
              if (r.statusCode() != 200
                  || !JSON.readTree(r.body()).equals(JSON.readTree("{\"status\":\"ok\"}"))) {
                beatProblem.set(r.statusCode() + " " + r.body());
              }
            }
            lastBeat.set(now);
          } catch (Exception e) {
            beatProblem.set(e.toString());
          }
        };
    beat.run();
    assertThat(beatProblem.get()).as("a dtask heartbeat's answer").isNull();
    beats.scheduleAtFixedRate(beat, 2, 2, java.util.concurrent.TimeUnit.SECONDS);
    try {
      dtaskAgainstTheRealServices(dtask, lastBeat);
    } finally {
      beats.shutdownNow();
    }
    assertThat(beatProblem.get()).as("a dtask heartbeat's answer").isNull();
  }

  private void dtaskAgainstTheRealServices(
      String dtask, java.util.concurrent.atomic.AtomicLong lastBeat) throws Exception {
    Await.until(
        Duration.ofSeconds(60),
        "the dtask workers to be listed online",
        () -> {
          try {
            Map<String, JsonNode> ws = dtaskWorkers();
            return List.of("dtask-gpu-1", "dtask-gpu-2", "dtask-cpu-1").stream()
                .allMatch(
                    id ->
                        ws.containsKey(id) && ws.get(id).path("Status").asText().equals("online"));
          } catch (Exception e) {
            return false;
          }
        });
    JsonNode cpu = dtaskWorkers().get("dtask-cpu-1");
    assertThat(fields(cpu))
        .containsExactly(
            "WorkerID",
            "Address",
            "ResourceTags",
            "MaxTasks",
            "CurrentTasks",
            "Available",
            "LastHeartbeat",
            "Status");
    assertThat(cpu.path("Address").asText()).endsWith(":9000");
    assertThat(cpu.path("ResourceTags")).isEqualTo(JSON.readTree("[\"cpu\",\"avx2\"]"));
    assertThat(cpu.path("MaxTasks").asInt()).isEqualTo(30);
    assertThat(cpu.path("CurrentTasks").asInt()).isEqualTo(5);
    assertThat(cpu.path("Available").asInt()).isEqualTo(25);
    assertThat(Instant.parse(cpu.path("LastHeartbeat").asText()).getEpochSecond())
        .isBetween(lastBeat.get() - 10, lastBeat.get());

    // the dispatcher must also see them before a burst can be judged
    Await.until(
        Duration.ofSeconds(60),
        "a gpu placement to succeed",
        () -> {
          try {
            HttpResponse<String> r =
                send(
                    "POST",
                    dtask + "/api/v1/schedule",
                    "{\"task_id\":\"probe\",\"required_tags\":[\"cpu\"]}");
            return r.statusCode() == 200;
          } catch (Exception e) {
            return false;
          }
        });

    // a burst of 20 concurrent schedules for 5 gpu slots (3 + 2)
    ExecutorService clients = Executors.newFixedThreadPool(20);
    List<HttpResponse<String>> answers = new ArrayList<>();
    try {
      List<Future<HttpResponse<String>>> fs =
          IntStream.range(0, 20)
              .mapToObj(
                  i ->
                      clients.submit(
                          () ->
                              send(
                                  "POST",
                                  dtask + "/api/v1/schedule",
                                  "{\"task_id\":\"task-" + i + "\",\"required_tags\":[\"gpu\"]}")))
              .toList();
      for (Future<HttpResponse<String>> f : fs) {
        answers.add(f.get());
      }
    } finally {
      clients.shutdown();
    }
    Map<String, Integer> placed = new HashMap<>();
    int slow = 0;
    for (HttpResponse<String> r : answers) {
      JsonNode body = JSON.readTree(r.body());
      if (r.statusCode() == 200) {
        assertThat(fields(body)).containsExactly("worker_id", "address");
        assertThat(body.path("address").asText()).endsWith(":9000");
        placed.merge(body.path("worker_id").asText(), 1, Integer::sum);
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(fields(body)).containsExactly("error");
        if (body.path("error").asText().startsWith("no placement within")) {
          slow++; // a loaded machine: the placement did not come within the wait (withdrawn)
        } else {
          assertThat(body)
              .isEqualTo(
                  JSON.readTree("{\"error\":\"no available worker matching requirements\"}"));
        }
      }
    }
    // never beyond a worker's max_tasks, whatever the concurrency
    assertThat(placed.getOrDefault("dtask-gpu-1", 0)).isLessThanOrEqualTo(3);
    assertThat(placed.getOrDefault("dtask-gpu-2", 0)).isLessThanOrEqualTo(2);
    assertThat(placed.keySet()).allMatch(w -> w.startsWith("dtask-gpu-"));
    int total = placed.values().stream().mapToInt(Integer::intValue).sum();
    if (slow == 0) {
      // "no worker" is said only once every slot is taken: all 5 were used
      assertThat(total).as(answers.toString()).isEqualTo(5);
    } else {
      assertThat(total).isBetween(1, 5);
    }

    // the placements count at once in dtask's view, as its optimistic increment does
    JsonNode gpu1 = dtaskWorkers().get("dtask-gpu-1");
    assertThat(gpu1.path("CurrentTasks").asInt()).isEqualTo(placed.getOrDefault("dtask-gpu-1", 0));
    assertThat(gpu1.path("Available").asInt()).isEqualTo(3 - placed.getOrDefault("dtask-gpu-1", 0));

    // a bad body is a 400 with {"error"}; a tag nobody has is a 503
    HttpResponse<String> bad = send("POST", dtask + "/api/v1/schedule", "{\"required_tags\":[]}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).path("error").asText()).isEqualTo("task_id is required");
    HttpResponse<String> none =
        send("POST", dtask + "/api/v1/schedule", "{\"task_id\":\"t\",\"required_tags\":[\"tpu\"]}");
    assertThat(none.statusCode()).isEqualTo(503);
  }
}
