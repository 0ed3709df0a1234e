package io.swarmsched.registry.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /health} and {@code GET /metrics} (Prometheus text) of the registry, like every
 * swarmsched service. Health is UP once the state is loaded from the schemas topic (the server
 * binds its port only after that) and while the state answers. Metrics: subjects, schema ids and
 * requests served, plus the JVM's heap and uptime; written by hand so the registry keeps no metrics
 * library.
 */
final class RegistryOps implements HttpHandler {
  static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final RegistryService registry;
  private final AtomicLong requests;

  RegistryOps(RegistryService registry, AtomicLong requests) {
    this.registry = registry;
    this.requests = requests;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!exchange.getRequestMethod().equalsIgnoreCase("GET")
          && !exchange.getRequestMethod().equalsIgnoreCase("HEAD")) {
        send(
            exchange,
            405,
            "application/json",
            "{\"error_code\":405,\"message\":\"HTTP 405 Method Not Allowed\"}");
      } else if (path.equals("/health")) {
        health(exchange);
      } else if (path.equals("/metrics")) {
        send(exchange, 200, PROMETHEUS_CONTENT_TYPE, metrics());
      } else {
        send(
            exchange,
            404,
            "application/json",
            "{\"error_code\":404,\"message\":\"HTTP 404 Not Found: " + path + "\"}");
      }
    }
  }

  private void health(HttpExchange exchange) throws IOException {
    try {
      int subjects = registry.subjects(false).size();
      send(
          exchange,
          200,
          "application/json",
          "{\"status\":\"UP\",\"checks\":{\"store\":{\"status\":\"UP\",\"subjects\":"
              + subjects
              + "}}}");
    } catch (RuntimeException e) {
      send(
          exchange,
          503,
          "application/json",
          "{\"status\":\"DOWN\",\"checks\":{\"store\":{\"status\":\"DOWN\"}}}");
    }
  }

  String metrics() {
    int subjects = 0;
    Set<Integer> ids = new HashSet<>();
    for (String subject : registry.subjects(false)) {
      subjects++;
      for (int v : registry.versions(subject, false)) {
        ids.add(registry.version(subject, Integer.toString(v), false).id());
      }
    }
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    StringBuilder b = new StringBuilder();
    metric(
        b,
        "swarmsched_registry_subjects",
        "gauge",
        "Subjects with at least one live version",
        subjects);
    metric(
        b,
        "swarmsched_registry_schemas",
        "gauge",
        "Distinct schema ids in live versions",
        ids.size());
    metric(
        b,
        "swarmsched_registry_requests_total",
        "counter",
        "REST requests served (health and metrics excluded)",
        requests.get());
    metric(b, "jvm_memory_used_bytes{area=\"heap\"}", "gauge", "Heap in use", heap.getUsed());
    metric(
        b,
        "process_uptime_seconds",
        "gauge",
        "Uptime of the JVM",
        ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
    return b.toString();
  }

  private static void metric(
      StringBuilder b, String sample, String type, String help, double value) {
    String name = sample.contains("{") ? sample.substring(0, sample.indexOf('{')) : sample;
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    b.append(sample).append(' ').append(String.format(Locale.ROOT, "%.1f", value)).append('\n');
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
