package io.swarmsched.dispatcher.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import io.swarmsched.runtime.query.AllInstances;
import io.swarmsched.runtime.query.KeyQueryRouter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code GET /api/v1/tasks?limit=N}: the N most recently active tasks (default 20, at most 1,000),
 * each as {@code GET /api/v1/tasks/{taskId}} shows it (peers, states, DAG), newest activity first.
 * Read-only; merged from every instance's active partitions of the task store, as of the last
 * commit. The dashboard draws its DAGs from it.
 */
public final class TaskListRoutes {
  public static final String PATH = "/api/v1/tasks";
  static final String LIST_NAME = "tasks";
  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 1_000;

  private TaskListRoutes() {}

  public static void register(HttpApi api, KafkaStreams streams, String advertised) {
    KeyQueryRouter router = KeyQueryRouter.create(streams, advertised);
    AllInstances all = AllInstances.create(streams, advertised);
    all.register(
        api,
        LIST_NAME,
        request ->
            newest(
                router.local().<String, StoredTask>all(DispatcherTopology.TASKS_STORE).stream()
                    .map(kv -> kv.value)
                    .filter(t -> t != null && !t.onlyDepartures())
                    .map(TaskListRoutes::view)
                    .toList(),
                limit(request)));
    api.get(
        PATH,
        request -> {
          int limit = limit(request);
          List<Map<String, Object>> merged =
              all.collect(LIST_NAME, request).stream().map(TaskListRoutes::asMap).toList();
          List<Map<String, Object>> tasks = newest(merged, limit);
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("count", tasks.size());
          body.put("tasks", tasks);
          return Response.ok(body);
        });
  }

  /** TaskView plus the time of the task's latest activity, which orders the list. */
  static Map<String, Object> view(StoredTask t) {
    Map<String, Object> v = TaskView.of(t);
    v.put(
        "last_activity_at",
        t.task().peers().stream()
            .mapToLong(p -> Math.max(p.lastProgressMillis(), p.createdAtMillis()))
            .max()
            .orElse(0L));
    return v;
  }

  static List<Map<String, Object>> newest(List<Map<String, Object>> tasks, int limit) {
    return tasks.stream()
        .sorted(
            Comparator.comparingLong((Map<String, Object> m) -> activity(m))
                .reversed()
                .thenComparing(m -> String.valueOf(m.get("task_id"))))
        .limit(limit)
        .toList();
  }

  private static long activity(Map<String, Object> m) {
    return m.get("last_activity_at") instanceof Number n ? n.longValue() : 0L;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(JsonNode n) {
    return HttpApi.JSON.convertValue(n, Map.class);
  }

  static int limit(Request request) {
    Optional<String> raw = request.query("limit");
    if (raw.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(raw.get().trim());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.badRequest(
        "limit: must be an integer in [1, " + MAX_LIMIT + "], was '" + raw.get() + "'");
  }
}
