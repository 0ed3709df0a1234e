package io.swarmsched.dispatcher.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.dispatcher.state.StoredDecision;
import io.swarmsched.dispatcher.topology.DecisionWaiters;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import io.swarmsched.runtime.query.AllInstances;
import io.swarmsched.runtime.query.KeyQueryRouter;
import io.swarmsched.runtime.query.LocalQueries;
import io.swarmsched.schemas.ScheduleDecision;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Where the HTTP API finds a decision: by long-poll on the instance that owns the request's task
 * (completed by the stream thread that decides, {@link DecisionWaiters}), or, when only the request
 * id is known, by asking every instance.
 */
final class DecisionLookup {
  static final String DECISIONS_LIST = "decisions";

  /**
   * The longest single long-poll on the owner: below the 30 s after which a forwarded query gives
   * up on it.
   */
  static final Duration MAX_SLICE = Duration.ofSeconds(25);

  private static final long UNAVAILABLE_BACKOFF_MS = 100;

  private final KeyQueryRouter router;
  private final AllInstances instances;
  private final DecisionWaiters waiters;

  DecisionLookup(KeyQueryRouter router, AllInstances instances, String applicationId) {
    this.router = router;
    this.instances = instances;
    this.waiters = DecisionWaiters.of(applicationId);
  }

  /**
   * The decision of {@code requestId}, waited for up to {@code wait} on the instance that owns
   * {@code taskId}, in slices of at most {@link #MAX_SLICE}. While no instance can answer for the
   * task (e.g. rebalancing) it tries again until the wait is over: the request is in, its decision
   * will come.
   */
  Optional<Map<String, Object>> await(
      Map<String, List<String>> headers, String taskId, String requestId, Duration wait)
      throws Exception {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      Duration slice =
          Duration.ofNanos(
              Math.max(0, Math.min(deadline - System.nanoTime(), MAX_SLICE.toNanos())));
      try {
        Optional<Map<String, Object>> d = awaitOnOwner(headers, taskId, requestId, slice);
        if (d.isPresent()) return d;
      } catch (ApiException e) {
        if (System.nanoTime() < deadline) Thread.sleep(UNAVAILABLE_BACKOFF_MS);
      }
      if (System.nanoTime() >= deadline) return Optional.empty();
    }
  }

  /**
   * One long-poll on the owner of {@code taskId}: here when this instance owns it, else forwarded
   * to the owner's {@code GET /api/v1/tasks/{taskId}/decisions/{requestId}}, which runs this same
   * wait there. The stream thread that decides the request wakes it ({@link DecisionWaiters}).
   */
  private Optional<Map<String, Object>> awaitOnOwner(
      Map<String, List<String>> headers, String taskId, String requestId, Duration wait)
      throws Exception {
    Request lookup =
        new Request(
            "GET",
            "/api/v1/tasks/" + segment(taskId) + "/decisions/" + segment(requestId),
            "wait=" + Math.max(1, wait.toMillis()) + "ms",
            Map.of(),
            headers,
            new byte[0]);
    Response r =
        router.<String, StoredDecision>route(
            lookup,
            DispatcherTopology.DECISIONS_STORE,
            taskId,
            new StringSerializer(),
            ignored -> {
              try {
                return waiters
                    .await(requestId, () -> localDecision(router.local(), requestId), wait)
                    .map(x -> Response.ok(AvroJson.toMap(x)))
                    .orElseGet(
                        () ->
                            Response.error(404, "no decision for request " + requestId + " (yet)"));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unavailable(
                    "interrupted while waiting for the decision of " + requestId);
              }
            });
    if (r.status() == 404) return Optional.empty();
    if (r.status() != 200)
      throw ApiException.unavailable("decision of " + requestId + ": HTTP " + r.status());
    @SuppressWarnings("unchecked")
    Map<String, Object> m = HttpApi.JSON.readValue(r.body(), Map.class);
    return Optional.of(m);
  }

  /** The decision of {@code requestId} in this instance's active partitions, if any. */
  private static Optional<ScheduleDecision> localDecision(LocalQueries local, String requestId) {
    for (int partition : local.activePartitions(DispatcherTopology.DECISIONS_STORE)) {
      Optional<StoredDecision> d =
          local.get(DispatcherTopology.DECISIONS_STORE, requestId, partition);
      if (d.isPresent()) return d.map(StoredDecision::decision);
    }
    return Optional.empty();
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The decision of {@code requestId} from whichever instance holds it (asked of all). */
  Optional<Map<String, Object>> find(String requestId, Request request)
      throws InterruptedException {
    Request withId =
        new Request(
            "GET",
            "/_swarm/local/" + DECISIONS_LIST,
            "request_id=" + requestId,
            Map.of(),
            request.headers(),
            new byte[0]);
    for (JsonNode d : instances.collect(DECISIONS_LIST, withId)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = HttpApi.JSON.convertValue(d, Map.class);
      return Optional.of(m);
    }
    return Optional.empty();
  }

  /** This instance's answer: the decision of {@code requestId} in any of its active partitions. */
  static List<Map<String, Object>> localDecisions(LocalQueries local, String requestId) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int partition : local.activePartitions(DispatcherTopology.DECISIONS_STORE)) {
      Optional<StoredDecision> d =
          local.get(DispatcherTopology.DECISIONS_STORE, requestId, partition);
      d.ifPresent(x -> out.add(AvroJson.toMap(x.decision())));
    }
    return out;
  }
}
