package io.swarmsched.dispatcher.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.dispatcher.topology.RequestValidation;
import io.swarmsched.runtime.auth.HostAuthenticity;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import io.swarmsched.runtime.query.AllInstances;
import io.swarmsched.runtime.query.KeyQueryRouter;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The dispatcher's HTTP API.
 *
 * <ul>
 *   <li>{@code POST /api/v1/schedule}: a request as JSON (Avro field names); produced to the
 *       requests topic, then its decision (200) if it comes within {@code http.decision-wait} (or
 *       {@code ?wait=2s}), else 202 with the request id to poll. The wait is a long-poll on the
 *       instance that owns the request's task: the stream thread that decides completes it.
 *   <li>{@code GET /api/v1/tasks/{taskId}/decisions/{requestId}[?wait=2s]}: the same long-poll for
 *       a request whose task is known (404 when no decision comes within the wait; none by
 *       default).
 *   <li>{@code GET /api/v1/decisions/{requestId}}: asked of every instance (the decision store is
 *       keyed by request id but partitioned by task id, so no single owner is known from the id).
 *   <li>{@code GET /api/v1/tasks/{taskId}}: routed to the owner of the task with IQv2.
 * </ul>
 */
public final class DispatcherHttp {
  /** The principal of a request without a token, where the API runs without tokens. */
  public static final String ANONYMOUS = "anonymous";

  private final DispatcherConfig config;
  private final KeyQueryRouter router;
  private final AllInstances instances;
  private final Producer<String, ScheduleRequest> producer;
  private final DecisionLookup decisions;
  private final Function<String, HostKey> bindings;

  public DispatcherHttp(
      DispatcherConfig config,
      KeyQueryRouter router,
      AllInstances instances,
      Producer<String, ScheduleRequest> producer) {
    this(config, router, instances, producer, host -> null);
  }

  /**
   * @param bindings what a host id is bound to (the dispatcher's global table of
   *     swarm.host-keys.v1): a request naming a host bound to a key (its agent signs over Kafka) or
   *     to another principal is refused with 403 instead of being dead-lettered by the stream
   */
  public DispatcherHttp(
      DispatcherConfig config,
      KeyQueryRouter router,
      AllInstances instances,
      Producer<String, ScheduleRequest> producer,
      Function<String, HostKey> bindings) {
    this.bindings = bindings;
    this.config = config;
    this.router = router;
    this.instances = instances;
    this.producer = producer;
    this.decisions = new DecisionLookup(router, instances, config.applicationId());
  }

  public DispatcherHttp register(HttpApi api) {
    instances.register(
        api,
        DecisionLookup.DECISIONS_LIST,
        request ->
            DecisionLookup.localDecisions(
                router.local(),
                request
                    .query("request_id")
                    .orElseThrow(() -> ApiException.badRequest("request_id: required"))));
    api.post("/api/v1/schedule", this::schedule);
    api.get(
        "/api/v1/decisions/{requestId}",
        request -> {
          Optional<Map<String, Object>> d = decisions.find(request.pathParam("requestId"), request);
          return d.map(Response::ok)
              .orElseThrow(
                  () ->
                      ApiException.notFound(
                          "no decision for request " + request.pathParam("requestId") + " (yet)"));
        });
    api.get(
        "/api/v1/tasks/{taskId}/decisions/{requestId}",
        request -> {
          Duration wait = request.query("wait").map(DispatcherHttp::duration).orElse(Duration.ZERO);
          Optional<Map<String, Object>> d =
              decisions.await(
                  request.headers(),
                  request.pathParam("taskId"),
                  request.pathParam("requestId"),
                  wait);
          return d.map(Response::ok)
              .orElseThrow(
                  () ->
                      ApiException.notFound(
                          "no decision for request " + request.pathParam("requestId") + " (yet)"));
        });
    api.get(
        "/api/v1/tasks/{taskId}",
        request ->
            router.<String, StoredTask>route(
                request,
                DispatcherTopology.TASKS_STORE,
                request.pathParam("taskId"),
                new StringSerializer(),
                task ->
                    task.filter(t -> !t.onlyDepartures()) // everyone left: not a task to show
                        .map(t -> Response.ok(TaskView.of(t)))
                        .orElseThrow(
                            () ->
                                ApiException.notFound(
                                    "task " + request.pathParam("taskId") + " is not known"))));
    return this;
  }

  private Response schedule(Request request) throws Exception {
    JsonNode body;
    try {
      body = request.bodyJson();
    } catch (ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      throw ApiException.badRequest("body: not valid JSON");
    }
    ScheduleRequest req = AvroJson.request(body, System::currentTimeMillis);
    String invalid = RequestValidation.validate(req.getTaskId(), req);
    if (invalid != null) throw ApiException.badRequest(invalid);
    Duration wait =
        request.query("wait").map(DispatcherHttp::duration).orElse(config.httpDecisionWait());
    // the poster's principal goes with the request, as heartbeat-ingest's gateway does: a host id
    // bound to a principal may be named only by that principal (docs/design.md, "Security")
    String principal = request.principal().orElse(ANONYMOUS);
    String refused = refusal(req.getHostId(), bindings.apply(req.getHostId()), principal);
    if (refused != null) {
      throw new ApiException(403, refused);
    }
    ProducerRecord<String, ScheduleRequest> record =
        new ProducerRecord<>(Topics.SCHEDULE_REQUESTS.name(), req.getTaskId(), req);
    record.headers().add(RecordSignatures.PRINCIPAL, principal.getBytes(StandardCharsets.UTF_8));
    producer.send(record).get(30, TimeUnit.SECONDS);
    if (req.getJob() != null) {
      // a job is the job pool's, which answers through the jobs API (no decision is stored
      // under the request id); POST /api/v1/jobs?wait= waits for the placement
      return Response.json(
          202,
          Map.of(
              "request_id",
              req.getRequestId(),
              "job_id",
              req.getTaskId(),
              "status",
              "SUBMITTED",
              "poll",
              "/api/v1/jobs/" + req.getTaskId()));
    }
    Optional<Map<String, Object>> d =
        decisions.await(request.headers(), req.getTaskId(), req.getRequestId(), wait);
    if (d.isPresent()) return Response.ok(d.get());
    return Response.json(
        202,
        Map.of(
            "request_id",
            req.getRequestId(),
            "status",
            "PENDING",
            "poll",
            "/api/v1/decisions/" + req.getRequestId()));
  }

  /**
   * Null when {@code principal} may post a request naming {@code hostId}, bound to {@code binding}
   * (null: unbound), else why not.
   */
  static String refusal(String hostId, HostKey binding, String principal) {
    if (binding == null) {
      return null;
    }
    if (binding.getPublicKey() != null) {
      return "host '"
          + hostId
          + "' is bound to "
          + HostAuthenticity.describe(binding)
          + ": only its agent's signed requests (over Kafka) are accepted";
    }
    if (!principal.equals(binding.getPrincipal())) {
      return "host '"
          + hostId
          + "' is bound to principal '"
          + binding.getPrincipal()
          + "'; this request comes from '"
          + principal
          + "'";
    }
    return null;
  }

  private static Duration duration(String v) {
    Duration d;
    try {
      d = DispatcherConfig.from(Map.of(DispatcherConfig.HTTP_DECISION_WAIT, v)).httpDecisionWait();
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("wait: not a duration (e.g. 500ms, 2s): '" + v + "'");
    }
    return d;
  }
}
