package io.swarmsched.runtime.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's HTTP API on a {@link BoundedHttpServer} (the JDK's {@code com.sun.net.httpserver} API
 * with every read bounded: 414, 431 and 413 are answered, not reset): routes with path parameters
 * ({@code /api/v1/hosts/{id}}), JSON in and out, a body size limit, and errors always as {@code
 * {"error_code": <int>, "message": "..."}}. Built in: {@code GET /health} (200 when every
 * registered {@link HealthCheck} is up, else 503) and {@code GET /metrics} (Prometheus text from
 * {@link #meterRegistry()}, with JVM and process metrics bound).
 *
 * <pre>{@code
 * HttpApi api = HttpApi.create(settings);          // swarm.http.host / port / max.body.bytes
 * api.get("/api/v1/hosts/{id}", req -> Response.ok(lookup(req.pathParam("id"))));
 * api.post("/api/v1/heartbeat", req -> { Heartbeat hb = req.bodyAs(Heartbeat.class); ...; return Response.json(202, ack); });
 * api.registerHealthCheck("streams", service.healthCheck());
 * api.start();
 * }</pre>
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

  /** The JSON mapper request and response helpers use. */
  public static final ObjectMapper JSON = new ObjectMapper();

  public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** How long {@link #close()} lets in-flight requests finish (a long-poll is cut off after it). */
  public static final int STOP_GRACE_SECONDS = 1;

  private final String host;
  private final int requestedPort;
  private final int maxBodyBytes;
  private final List<Route> routes = new CopyOnWriteArrayList<>();
  private final Map<String, HealthCheck> healthChecks = new ConcurrentHashMap<>();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
  private BoundedHttpServer server;
  private volatile HttpAuth auth = HttpAuth.none();
  private javax.net.ssl.SSLContext tls;
  private boolean insecureOptOut;

  /**
   * Refuse to start open beyond loopback: set for APIs built from settings (the services), not for
   * ones built with explicit arguments (tests, an agent's loopback control API).
   */
  private boolean strict;

  private HttpApi(String host, int port, int maxBodyBytes) {
    this.host = host;
    this.requestedPort = port;
    this.maxBodyBytes = maxBodyBytes;
    registry
        .config()
        .meterFilter(io.swarmsched.runtime.streams.StateStoreTags.FILTER); // before any meter
    new JvmMemoryMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    get("/health", request -> health());
    get("/metrics", request -> Response.text(200, registry.scrape(), PROMETHEUS_CONTENT_TYPE));
  }

  /** An API on {@code host:port} (port 0 = ephemeral) refusing bodies over {@code maxBodyBytes}. */
  public static HttpApi create(String host, int port, int maxBodyBytes) {
    return new HttpApi(host, port, maxBodyBytes);
  }

  /**
   * From {@code swarm.http.host}, {@code swarm.http.port}, {@code swarm.http.max.body.bytes}, the
   * bearer tokens of {@link HttpAuth#from} and the TLS key store of {@link HttpTls#serverContext}.
   */
  public static HttpApi create(Settings settings) {
    HttpApi api = createPlain(settings);
    api.auth = HttpAuth.from(settings);
    api.tls = HttpTls.serverContext(settings).orElse(null);
    api.insecureOptOut = settings.bool(HttpAuth.INSECURE, false);
    api.strict = true;
    return api;
  }

  private static HttpApi createPlain(Settings settings) {
    return new HttpApi(
        settings.string(CommonKeys.HTTP_HOST, CommonKeys.DEFAULTS.get(CommonKeys.HTTP_HOST)),
        settings.integer(
            CommonKeys.HTTP_PORT,
            Integer.parseInt(CommonKeys.DEFAULTS.get(CommonKeys.HTTP_PORT)),
            0,
            65535),
        (int)
            settings.bytes(
                CommonKeys.HTTP_MAX_BODY_BYTES,
                CommonKeys.DEFAULT_HTTP_MAX_BODY_BYTES,
                1,
                Integer.MAX_VALUE - 1));
  }

  /** Requires bearer tokens as {@code auth} says (before {@link #start()}). */
  public HttpApi withAuth(HttpAuth auth) {
    this.auth = auth == null ? HttpAuth.none() : auth;
    return this;
  }

  /** Serves TLS with {@code context}'s key material (before {@link #start()}). */
  public synchronized HttpApi withTls(javax.net.ssl.SSLContext context) {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    this.tls = context;
    return this;
  }

  public HttpAuth auth() {
    return auth;
  }

  public HttpApi get(String pattern, Handler handler) {
    return route("GET", pattern, handler);
  }

  public HttpApi post(String pattern, Handler handler) {
    return route("POST", pattern, handler);
  }

  public HttpApi put(String pattern, Handler handler) {
    return route("PUT", pattern, handler);
  }

  public HttpApi delete(String pattern, Handler handler) {
    return route("DELETE", pattern, handler);
  }

  /** Adds a route; a later route for the same method and pattern replaces the earlier one. */
  public HttpApi route(String method, String pattern, Handler handler) {
    Route route = new Route(method.toUpperCase(Locale.ROOT), pattern, segments(pattern), handler);
    routes.removeIf(r -> r.method.equals(route.method) && r.pattern.equals(pattern));
    routes.add(route);
    return this;
  }

  public HttpApi registerHealthCheck(String name, HealthCheck check) {
    healthChecks.put(name, check);
    return this;
  }

  /**
   * The registry /metrics exposes; bind service metrics (and Streams': StreamsService.bindMetrics)
   * here.
   */
  public PrometheusMeterRegistry meterRegistry() {
    return registry;
  }

  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  public synchronized HttpApi start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    boolean loopback = isLoopback(host);
    if (!auth.enabled() && !loopback && !insecureOptOut && strict) {
      throw new io.swarmsched.runtime.config.ConfigException(
          HttpAuth.TOKENS_FILE,
          "the HTTP API would listen on "
              + host
              + " (beyond loopback) with no authentication; set "
              + HttpAuth.TOKENS_FILE
              + " to a principal=token file, listen on 127.0.0.1 (swarm.http.host), or opt out"
              + " explicitly with "
              + HttpAuth.INSECURE
              + "=true");
    }
    InetSocketAddress address = new InetSocketAddress(host, requestedPort);
    server =
        tls == null
            ? BoundedHttpServer.create(address, 64)
            : BoundedHttpServer.createTls(address, 64, BoundedHttpServer.Limits.DEFAULT, tls);
    server.createContext("/", this::handle);
    server.start();
    log.info(
        "HTTP API listening on {}:{} — security: {}, {}",
        host,
        port(),
        tls == null ? "plaintext HTTP (not encrypted)" : "TLS (https)",
        auth.describe());
    if (!auth.enabled() && !loopback) {
      log.warn(
          "SECURITY: the HTTP API on {}:{} accepts writes from anyone who can reach it ({}=true);"
              + " use it only on a trusted network",
          host,
          port(),
          HttpAuth.INSECURE);
    }
    return this;
  }

  /** Whether {@code host} names only loopback addresses (127.0.0.0/8, ::1, localhost). */
  public static boolean isLoopback(String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    try {
      for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** The bound port (the chosen one when started with port 0). */
  public int port() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return server.getAddress().getPort();
  }

  /** http://127.0.0.1:PORT (https with TLS) — for tests and local clients. */
  public String localUrl() {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + port();
  }

  /**
   * Stops within about {@link #STOP_GRACE_SECONDS}: in-flight requests get that long, idle
   * connections none.
   */
  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(STOP_GRACE_SECONDS);
      server = null;
    }
    gcMetrics.close();
    registry.close();
  }

  // ------------------------------------------------------------ dispatch

  private Response health() {
    Map<String, Object> checks = new LinkedHashMap<>();
    boolean allUp = true;
    for (Map.Entry<String, HealthCheck> entry : new java.util.TreeMap<>(healthChecks).entrySet()) {
      HealthCheck.Status status;
      try {
        status = entry.getValue().check();
      } catch (RuntimeException e) {
        status = HealthCheck.Status.down("check failed: " + e);
      }
      allUp &= status.up();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", status.up() ? "UP" : "DOWN");
      body.put("detail", status.detail());
      body.putAll(status.data());
      checks.put(entry.getKey(), body);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", allUp ? "UP" : "DOWN");
    body.put("checks", checks);
    return Response.json(allUp ? 200 : 503, body);
  }

  private void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    String routeName = "unmatched";
    Response response;
    try {
      URI uri = exchange.getRequestURI();
      String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
      List<String> pathSegments = decodedSegments(uri.getRawPath());
      Set<String> allowed = new LinkedHashSet<>();
      Route matched = null;
      Map<String, String> params = null;
      for (Route route : routes) {
        Map<String, String> candidate = route.match(pathSegments);
        if (candidate != null) {
          if (route.method.equals(method)) {
            matched = route;
            params = candidate;
            break;
          }
          allowed.add(route.method);
        }
      }
      if (matched == null && !allowed.isEmpty()) {
        response =
            Response.error(
                    405,
                    "method "
                        + Echo.truncate(method)
                        + " not allowed on "
                        + Echo.truncate(uri.getRawPath())
                        + "; allowed: "
                        + String.join(", ", allowed))
                .withHeader("Allow", String.join(", ", allowed));
      } else if (matched == null) {
        response = Response.error(404, "no such resource: " + Echo.truncate(uri.getRawPath()));
      } else {
        routeName = matched.pattern;
        String path = "/" + String.join("/", pathSegments);
        java.util.Optional<String> principal =
            auth.authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
        if (principal.isEmpty() && auth.required(method, path)) {
          // Answered before the body is read: an unauthenticated client cannot make us buffer it.
          response =
              Response.error(
                      401,
                      exchange.getRequestHeaders().containsKey("Authorization")
                          ? "the bearer token is not valid"
                          : "this endpoint requires a bearer token (Authorization: Bearer <token>)")
                  .withHeader("WWW-Authenticate", "Bearer realm=\"swarmsched\"");
        } else {
          byte[] body = readBody(exchange);
          Request request =
              new Request(
                  method,
                  path,
                  uri.getRawQuery(),
                  params,
                  exchange.getRequestHeaders(),
                  body,
                  principal);
          response = matched.handler.handle(request);
        }
      }
    } catch (ApiException e) {
      response = Response.error(e.status(), e.errorCode(), e.getMessage());
    } catch (Exception e) {
      log.error(
          "Request {} {} failed",
          exchange.getRequestMethod(),
          Echo.truncate(exchange.getRequestURI().toString()),
          e);
      response =
          Response.error(
              500,
              "internal error: "
                  + e.getClass().getSimpleName()
                  + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
    send(exchange, response);
    Timer.builder("swarm.http.requests")
        .tag("method", exchange.getRequestMethod())
        .tag("route", routeName)
        .tag("status", Integer.toString(response.status()))
        .register(registry)
        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }

  private byte[] readBody(HttpExchange exchange) throws IOException {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > maxBodyBytes) {
          throw tooLarge();
        }
      } catch (NumberFormatException e) {
        throw ApiException.badRequest(
            "Content-Length '" + Echo.truncate(declared) + "' is not a number");
      }
    }
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(maxBodyBytes + 1);
      if (body.length > maxBodyBytes) {
        throw tooLarge();
      }
      return body;
    }
  }

  private ApiException tooLarge() {
    return new ApiException(
        413, "request body is larger than the limit of " + maxBodyBytes + " bytes");
  }

  private static void send(HttpExchange exchange, Response response) throws IOException {
    try {
      response.headers().forEach((name, values) -> exchange.getResponseHeaders().put(name, values));
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
      byte[] body = response.body();
      boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
      exchange.sendResponseHeaders(response.status(), body.length == 0 || head ? -1 : body.length);
      if (body.length > 0 && !head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } finally {
      exchange.close();
    }
  }

  // ------------------------------------------------------------ routes

  private static List<String> segments(String pattern) {
    List<String> result = new ArrayList<>();
    for (String segment : pattern.split("/")) {
      if (!segment.isEmpty()) {
        result.add(segment);
      }
    }
    return result;
  }

  private static List<String> decodedSegments(String rawPath) {
    List<String> result = new ArrayList<>();
    for (String segment : (rawPath == null ? "" : rawPath).split("/")) {
      if (!segment.isEmpty()) {
        result.add(URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    }
    return result;
  }

  private record Route(String method, String pattern, List<String> segments, Handler handler) {
    /** Path parameters when {@code path} matches, else null. */
    Map<String, String> match(List<String> path) {
      if (path.size() != segments.size()) {
        return null;
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < segments.size(); i++) {
        String segment = segments.get(i);
        if (segment.startsWith("{") && segment.endsWith("}")) {
          params.put(segment.substring(1, segment.length() - 1), path.get(i));
        } else if (!segment.equals(path.get(i))) {
          return null;
        }
      }
      return params;
    }
  }
}
