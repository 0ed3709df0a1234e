package io.swarmsched.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard: serves the static page (HTML, CSS, JS from this module's resources) and forwards
 * the page's reads to the services, so the browser talks to one origin and needs no CORS.
 *
 * <ul>
 *   <li>{@code GET /}, {@code /app.js}, {@code /style.css}: the page;
 *   <li>{@code GET /proxy/{service}/{path}}: a GET of {@code path} on the service's base URL, for
 *       {@code service} in ingest, scoring, dispatcher, registry, and only for read paths ({@code
 *       api/v1/...}, {@code metrics}, {@code health}): the dashboard can never write;
 *   <li>{@code GET /targets}: which base URL each service has;
 *   <li>{@code GET /health}: 200 while the server runs.
 * </ul>
 *
 * It holds no state and reads only the services' HTTP APIs (interactive queries), so it works
 * against the embedded cluster and any deployment alike.
 */
public final class DashboardServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
  public static final int DEFAULT_PORT = 8080;
  static final String STATIC_ROOT = "/io/swarmsched/dashboard/static/";
  static final Duration UPSTREAM_TIMEOUT = Duration.ofSeconds(10);

  /** Base URLs (http://host:port) of the services the page reads; registry may be null. */
  public record Targets(String ingest, String scoring, String dispatcher, String registry) {
    public Targets {
      ingest = base("ingest", ingest);
      scoring = base("scoring", scoring);
      dispatcher = base("dispatcher", dispatcher);
      registry = registry == null || registry.isBlank() ? null : base("registry", registry);
    }

    Map<String, String> asMap() {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("ingest", ingest);
      m.put("scoring", scoring);
      m.put("dispatcher", dispatcher);
      if (registry != null) {
        m.put("registry", registry);
      }
      return m;
    }

    private static String base(String name, String url) {
      if (url == null || url.isBlank()) {
        throw new IllegalArgumentException(
            name + ": a base URL is required (e.g. http://localhost:8082)");
      }
      URI uri;
      try {
        uri = URI.create(url.trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(name + ": not a URL: '" + url + "'");
      }
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            name + ": must be an http(s)://host:port URL, was '" + url + "'");
      }
      String s = uri.toString();
      return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
  }

  private static final Map<String, String> CONTENT_TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png");

  /** The only path prefixes the proxy forwards: reads. */
  private static final List<String> READ_PATHS = List.of("api/v1/", "metrics", "health");

  private final Targets targets;
  private final HttpServer server;
  private final ExecutorService executor;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private DashboardServer(Targets targets, HttpServer server, ExecutorService executor) {
    this.targets = targets;
    this.server = server;
    this.executor = executor;
  }

  /** Starts on {@code host:port} (port 0: any free port). */
  public static DashboardServer start(Targets targets, String host, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "dashboard-http-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    DashboardServer dashboard = new DashboardServer(targets, server, executor);
    server.setExecutor(executor);
    server.createContext("/", dashboard::handle);
    server.start();
    log.info("dashboard on {}:{} reading {}", host, dashboard.port(), targets.asMap());
    return dashboard;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** http://127.0.0.1:PORT/ */
  public String localUrl() {
    return "http://127.0.0.1:" + port() + "/";
  }

  public Targets targets() {
    return targets;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
      String path = exchange.getRequestURI().getRawPath();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(
            exchange,
            405,
            "application/json",
            error("the dashboard only reads; " + method + " is not allowed"));
      } else if (path.equals("/health")) {
        send(
            exchange,
            200,
            "application/json",
            "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8));
      } else if (path.equals("/targets")) {
        send(
            exchange,
            200,
            "application/json",
            json(targets.asMap()).getBytes(StandardCharsets.UTF_8));
      } else if (path.startsWith("/proxy/")) {
        proxy(exchange, path.substring("/proxy/".length()), exchange.getRequestURI().getRawQuery());
      } else {
        serveStatic(exchange, path.equals("/") ? "index.html" : path.substring(1));
      }
    } catch (RuntimeException e) {
      log.warn("dashboard request {} failed", exchange.getRequestURI(), e);
      send(exchange, 500, "application/json", error("internal error: " + e));
    }
  }

  private void serveStatic(HttpExchange exchange, String name) throws IOException {
    // Flat names only: nothing outside the static folder can be asked for.
    if (!name.matches("[A-Za-z0-9_-]+\\.[a-z]+")) {
      send(exchange, 404, "application/json", error("no such page: /" + name));
      return;
    }
    try (InputStream in = DashboardServer.class.getResourceAsStream(STATIC_ROOT + name)) {
      if (in == null) {
        send(exchange, 404, "application/json", error("no such page: /" + name));
        return;
      }
      String ext = name.substring(name.lastIndexOf('.') + 1);
      exchange.getResponseHeaders().set("Cache-Control", "no-cache");
      send(
          exchange,
          200,
          CONTENT_TYPES.getOrDefault(ext, "application/octet-stream"),
          in.readAllBytes());
    }
  }

  private void proxy(HttpExchange exchange, String rest, String query) throws IOException {
    int slash = rest.indexOf('/');
    String service = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    String base = targets.asMap().get(service);
    if (base == null) {
      send(
          exchange,
          404,
          "application/json",
          error("unknown service '" + service + "'; known: " + targets.asMap().keySet()));
      return;
    }
    if (path.contains("..") || READ_PATHS.stream().noneMatch(path::startsWith)) {
      send(
          exchange,
          403,
          "application/json",
          error("the dashboard forwards only reads (" + READ_PATHS + "), not /" + path));
      return;
    }
    URI target = URI.create(base + "/" + path + (query == null ? "" : "?" + query));
    try {
      HttpResponse<byte[]> response =
          client.send(
              HttpRequest.newBuilder(target).timeout(UPSTREAM_TIMEOUT).GET().build(),
              HttpResponse.BodyHandlers.ofByteArray());
      String type =
          response.headers().firstValue("Content-Type").orElse("application/octet-stream");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      send(exchange, response.statusCode(), type, response.body());
    } catch (IOException e) {
      send(
          exchange,
          502,
          "application/json",
          error(service + " at " + base + " did not answer: " + e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      send(exchange, 503, "application/json", error("interrupted"));
    }
  }

  private static byte[] error(String message) {
    return ("{\"error_code\":0,\"message\":" + quote(message) + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String json(Map<String, String> m) {
    StringBuilder b = new StringBuilder("{");
    m.forEach(
        (k, v) ->
            b.append(b.length() > 1 ? "," : "").append(quote(k)).append(':').append(quote(v)));
    return b.append('}').toString();
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  private static void send(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    try {
      exchange.getResponseHeaders().set("Content-Type", contentType);
      boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
      exchange.sendResponseHeaders(status, body.length == 0 || head ? -1 : body.length);
      if (body.length > 0 && !head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
