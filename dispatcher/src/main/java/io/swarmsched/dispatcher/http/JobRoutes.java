package io.swarmsched.dispatcher.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.dispatcher.jobs.JobRecord;
import io.swarmsched.dispatcher.jobs.JobSubmission;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import io.swarmsched.runtime.query.KeyQueryRouter;
import io.swarmsched.runtime.query.NotQueryableException;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.topics.Topics;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;

/**
 * The native jobs API (JOBS contract, dispatcher/README.md): {@code POST /api/v1/jobs[?wait=5s]},
 * {@code GET /api/v1/jobs/{id}}, {@code DELETE /api/v1/jobs/{id}[?wait=5s]}, {@code GET
 * /api/v1/jobs[?state=&limit=]}. Submissions and cancels are JobEvents produced to
 * swarm.job-events.v1; reads go to the instance that runs the job pool (its one partition), through
 * the key router, which forwards to the owner when that is another instance.
 */
public final class JobRoutes {
  private static final Set<String> FIELDS =
      Set.of(
          "job_id",
          "required_tags",
          "min_memory_bytes",
          "min_cpu_cores",
          "gpus",
          "payload",
          "payload_base64",
          "timeout_ms",
          "priority",
          "deadline",
          "max_attempts",
          "requester_host_id",
          "no_queue");
  private static final Set<String> PLACED_OR_DONE =
      Set.of("ASSIGNED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED");
  private static final Set<String> DONE = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  private static final long POLL_MS = 20;

  private final KeyQueryRouter router;
  private final HostIndex hosts;
  private final Producer<String, JobEvent> producer;

  public JobRoutes(KeyQueryRouter router, HostIndex hosts, Producer<String, JobEvent> producer) {
    this.router = router;
    this.hosts = hosts;
    this.producer = producer;
  }

  public JobRoutes register(HttpApi api) {
    api.post("/api/v1/jobs", this::submit);
    api.get("/api/v1/jobs", this::list);
    api.get(
        "/api/v1/jobs/{id}",
        r ->
            lookup(r.headers(), r.pathParam("id"))
                .map(Response::ok)
                .orElseThrow(
                    () -> ApiException.notFound("job " + r.pathParam("id") + " is not known")));
    api.delete("/api/v1/jobs/{id}", this::cancel);
    return this;
  }

  private Response submit(Request request) throws Exception {
    JsonNode body;
    try {
      body = request.bodyJson();
    } catch (ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      throw ApiException.badRequest("body: not valid JSON");
    }
    if (body == null || !body.isObject())
      throw ApiException.badRequest("body: must be a JSON object");
    JobEvent e = JobJson.submission(body, FIELDS);
    String invalid = JobSubmission.validate(e.getJobId(), e);
    if (invalid != null) throw ApiException.badRequest(invalid);
    send(e);
    Optional<Duration> wait = request.query("wait").map(JobJson::duration);
    if (wait.isEmpty()) return Response.json(202, JobView.submitted(e.getJobId()));
    // wait for placement: a QUEUED job keeps waiting, a no_queue job is placed or failed at once
    return await(request.headers(), e.getJobId(), s -> PLACED_OR_DONE.contains(s), wait.get());
  }

  private Response cancel(Request request) throws Exception {
    String id = request.pathParam("id");
    Map<String, Object> job =
        lookup(request.headers(), id)
            .orElseThrow(() -> ApiException.notFound("job " + id + " is not known"));
    if (DONE.contains(String.valueOf(job.get("state")))) return Response.ok(job);
    send(
        JobEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setJobId(id)
            .setAttempt(0)
            .setType(JobEventType.CANCELLED)
            .setReason("CANCELLED")
            .setTimestamp(Instant.now())
            .build());
    Optional<Duration> wait = request.query("wait").map(JobJson::duration);
    if (wait.isEmpty()) return Response.json(202, job);
    return await(request.headers(), id, DONE::contains, wait.get());
  }

  private Response list(Request request) throws Exception {
    Optional<String> state = request.query("state").map(s -> s.toUpperCase(java.util.Locale.ROOT));
    int limit = request.query("limit").map(JobJson::limit).orElse(100);
    // any key of the one-partition topic leads to the pool's owner, which scans its store
    return router.<String, JobRecord>route(
        request,
        DispatcherTopology.JOBS_STORE,
        "",
        new StringSerializer(),
        ignored -> Response.ok(Map.of("jobs", scan(state, limit))));
  }

  private List<Map<String, Object>> scan(Optional<String> state, int limit) {
    List<JobRecord> jobs = new ArrayList<>();
    List<KeyValue<String, JobRecord>> all;
    try {
      all = router.local().all(DispatcherTopology.JOBS_STORE, Set.of(0));
    } catch (NotQueryableException e) {
      throw ApiException.unavailable("the jobs store is not queryable here (yet)");
    }
    for (KeyValue<String, JobRecord> kv : all) {
      if (kv.value != null && state.map(s -> s.equals(kv.value.state.name())).orElse(true)) {
        jobs.add(kv.value);
      }
    }
    jobs.sort(Comparator.comparingLong((JobRecord j) -> j.submittedAt).reversed());
    return jobs.stream().limit(limit).map(j -> JobView.of(j, hosts)).toList();
  }

  private void send(JobEvent e) throws Exception {
    producer
        .send(new ProducerRecord<>(Topics.JOB_EVENTS.name(), e.getJobId(), e))
        .get(30, TimeUnit.SECONDS);
  }

  /**
   * Polls the job until its state passes {@code done} or {@code wait} is over: 200 with the job
   * then, else 202 with what it is now.
   */
  private Response await(
      Map<String, List<String>> headers, String id, Predicate<String> done, Duration wait)
      throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    Map<String, Object> last = JobView.submitted(id);
    while (true) {
      try {
        Optional<Map<String, Object>> job = lookup(headers, id);
        if (job.isPresent()) {
          last = job.get();
          if (done.test(String.valueOf(last.get("state")))) return Response.ok(last);
        }
      } catch (ApiException e) {
        // the pool's owner is moving or starting: the event is in, ask again
      }
      if (System.nanoTime() >= deadline) return Response.json(202, last);
      Thread.sleep(POLL_MS);
    }
  }

  /** The job as its owner shows it, or empty when unknown. */
  private Optional<Map<String, Object>> lookup(Map<String, List<String>> headers, String id)
      throws Exception {
    Request get =
        new Request(
            "GET",
            "/api/v1/jobs/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"),
            "",
            Map.of(),
            headers,
            new byte[0]);
    Response r =
        router.<String, JobRecord>route(
            get,
            DispatcherTopology.JOBS_STORE,
            id,
            new StringSerializer(),
            job ->
                job.map(j -> Response.ok(JobView.of(j, hosts)))
                    .orElseGet(() -> Response.error(404, "job " + id + " is not known")));
    if (r.status() == 404) return Optional.empty();
    if (r.status() != 200) throw ApiException.unavailable("job " + id + ": HTTP " + r.status());
    @SuppressWarnings("unchecked")
    Map<String, Object> m = HttpApi.JSON.readValue(r.body(), Map.class);
    return Optional.of(m);
  }
}
