package io.swarmsched.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.swarmsched.runtime.http.Echo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Confluent Schema Registry's REST API on the JDK's HTTP server. Accepts the content types
 * Confluent's clients send (application/vnd.schemaregistry.v1+json,
 * application/vnd.schemaregistry+json, application/json, application/octet-stream or none: the body
 * is read as JSON whatever the header), answers application/vnd.schemaregistry.v1+json (or
 * application/json when that is all the client accepts) and errors as {@code {"error_code": ...,
 * "message": ...}}.
 */
final class RestApi implements HttpHandler {

  static final String V1_JSON = "application/vnd.schemaregistry.v1+json";
  static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(RestApi.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegistryService registry;
  private final RegistryAccess access;
  private final List<Route> routes = new ArrayList<>();

  RestApi(RegistryService registry) {
    this(registry, RegistryAccess.open());
  }

  RestApi(RegistryService registry, RegistryAccess access) {
    this.registry = registry;
    this.access = access;
    route("GET", "", r -> JSON.createObjectNode());
    route("GET", "schemas/types", r -> JSON.createArrayNode().add("AVRO"));
    route(
        "GET",
        "schemas/ids/{id}",
        r -> {
          ObjectNode body = JSON.createObjectNode();
          body.put("schema", registry.schemaById(r.intParam("id")));
          return body;
        });
    route("GET", "schemas/ids/{id}/schema", r -> rawSchema(registry.schemaById(r.intParam("id"))));
    route(
        "GET",
        "schemas/ids/{id}/subjects",
        r -> {
          ArrayNode body = JSON.createArrayNode();
          registry.usesOfId(r.intParam("id"), r.flag("deleted")).stream()
              .map(RegistryState.Version::subject)
              .distinct()
              .forEach(body::add);
          return body;
        });
    route(
        "GET",
        "schemas/ids/{id}/versions",
        r -> {
          ArrayNode body = JSON.createArrayNode();
          registry
              .usesOfId(r.intParam("id"), r.flag("deleted"))
              .forEach(
                  v -> body.addObject().put("subject", v.subject()).put("version", v.version()));
          return body;
        });
    route("GET", "subjects", r -> strings(registry.subjects(r.flag("deleted"))));
    route(
        "POST",
        "subjects/{subject}",
        r ->
            versionBody(
                registry.lookup(
                    r.param("subject"),
                    SchemaRequest.parse(r.body),
                    r.flag("deleted") || r.flag("lookupDeletedSchema"))));
    route(
        "DELETE",
        "subjects/{subject}",
        r -> ints(registry.deleteSubject(r.param("subject"), r.flag("permanent"))));
    route(
        "GET",
        "subjects/{subject}/versions",
        r -> ints(registry.versions(r.param("subject"), r.flag("deleted"))));
    route(
        "POST",
        "subjects/{subject}/versions",
        r -> {
          // "normalize" is accepted; the canonical form used for identity is already normalized
          RegistryService.Registered registered =
              registry.register(r.param("subject"), SchemaRequest.parse(r.body));
          return versionBody(registered);
        });
    route(
        "GET",
        "subjects/{subject}/versions/{version}",
        r ->
            versionBody(
                registry.version(
                    r.param("subject"),
                    r.param("version"),
                    r.flag("deleted") || r.flag("lookupDeletedSchema"))));
    route(
        "GET",
        "subjects/{subject}/versions/{version}/schema",
        r ->
            rawSchema(
                registry
                    .version(r.param("subject"), r.param("version"), r.flag("deleted"))
                    .schema()));
    route(
        "GET",
        "subjects/{subject}/versions/{version}/referencedby",
        r -> {
          registry.version(r.param("subject"), r.param("version"), true);
          return JSON
              .createArrayNode(); // references are not supported, so nothing refers to anything
        });
    route(
        "DELETE",
        "subjects/{subject}/versions/{version}",
        r ->
            JSON.getNodeFactory()
                .numberNode(
                    registry.deleteVersion(
                        r.param("subject"), r.param("version"), r.flag("permanent"))));
    route(
        "POST",
        "compatibility/subjects/{subject}/versions/{version}",
        r ->
            compatibility(
                r,
                registry.checkCompatibility(
                    r.param("subject"), r.param("version"), SchemaRequest.parse(r.body))));
    route(
        "POST",
        "compatibility/subjects/{subject}/versions",
        r ->
            compatibility(
                r,
                registry.checkCompatibility(
                    r.param("subject"), null, SchemaRequest.parse(r.body))));
    route("GET", "config", r -> level("compatibilityLevel", registry.globalCompatibility()));
    route(
        "PUT",
        "config",
        r -> level("compatibility", registry.setCompatibility(null, requestedLevel(r.body))));
    route(
        "GET",
        "config/{subject}",
        r ->
            level(
                "compatibilityLevel",
                registry.subjectCompatibility(r.param("subject"), r.flag("defaultToGlobal"))));
    route(
        "PUT",
        "config/{subject}",
        r ->
            level(
                "compatibility",
                registry.setCompatibility(r.param("subject"), requestedLevel(r.body))));
    route(
        "DELETE",
        "config/{subject}",
        r -> level("compatibilityLevel", registry.deleteSubjectCompatibility(r.param("subject"))));
    route("GET", "mode", r -> JSON.createObjectNode().put("mode", "READWRITE"));
    route("GET", "mode/{subject}", r -> JSON.createObjectNode().put("mode", "READWRITE"));
    // Confluent's Node client (1.x) resolves subjects through associations first and falls back
    // to TopicNameStrategy when there are none; this registry keeps no associations.
    route("GET", "associations/resources/{namespace}/{name}", r -> JSON.createArrayNode());
    route("GET", "contexts", r -> ConfluentReads.contexts());
    route(
        "GET",
        "schemas",
        r ->
            ConfluentReads.schemas(
                registry,
                r.query.get("subjectPrefix"),
                r.flag("latestOnly"),
                r.flag("deleted"),
                r.intQuery("offset", 0),
                r.intQuery("limit", -1)));
    route("GET", "v1/metadata/id", r -> ConfluentReads.metadataId(null));
  }

  // ---- plumbing ----

  @FunctionalInterface
  private interface Action {
    JsonNode handle(Request request);
  }

  private record Route(String method, String[] pattern, Action action, RegistryAccess.Need need) {}

  private void route(String method, String pattern, Action action) {
    routes.add(
        new Route(
            method,
            pattern.isEmpty() ? new String[0] : pattern.split("/"),
            action,
            need(method, pattern)));
  }

  /**
   * What a route asks of its caller (RegistryAccess): registering is a write; deletes and PUT
   * /config are admin changes; everything else only reads, including the POSTs that look a schema
   * up or check compatibility (a serializer with auto-registration off, or a CI check, needs no
   * credentials to ask).
   */
  private static RegistryAccess.Need need(String method, String pattern) {
    if (method.equals("DELETE") || method.equals("PUT")) {
      return RegistryAccess.Need.ADMIN;
    }
    if (method.equals("POST") && pattern.equals("subjects/{subject}/versions")) {
      return RegistryAccess.Need.WRITE;
    }
    return RegistryAccess.Need.READ;
  }

  /** One parsed request: path parameters, query parameters (last one wins) and the body bytes. */
  static final class Request {
    final Map<String, String> params = new HashMap<>();
    final Map<String, String> query;
    final byte[] body;

    Request(Map<String, String> query, byte[] body) {
      this.query = query;
      this.body = body;
    }

    String param(String name) {
      return params.get(name);
    }

    int intParam(String name) {
      String text = params.get(name);
      try {
        return Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new RegistryError(
            404, 40403, "Schema " + text + " not found: '" + name + "' must be an integer");
      }
    }

    int intQuery(String name, int fallback) {
      String text = query.get(name);
      if (text == null || text.isBlank()) {
        return fallback;
      }
      try {
        return Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        throw new RegistryError(
            422, 42202, "Invalid " + name + " '" + text + "': must be an integer");
      }
    }

    boolean flag(String name) {
      return "true".equalsIgnoreCase(query.getOrDefault(name, "false").trim());
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    try (exchange) {
      int status = 200;
      JsonNode body;
      try {
        body = dispatch(exchange, method);
      } catch (RegistryError e) {
        status = e.status();
        // Messages quote subjects and ids from the request; long ones are cut, not echoed in full.
        body = error(e.errorCode(), Echo.truncateLongWords(e.getMessage()));
        if (status >= 500) {
          log.warn(
              "{} {} failed: {}",
              method,
              Echo.truncate(exchange.getRequestURI().toString()),
              e.getMessage(),
              e.getCause());
        }
      } catch (RuntimeException e) {
        log.error("{} {} failed", method, Echo.truncate(exchange.getRequestURI().toString()), e);
        status = 500;
        body = error(500, "Internal error: " + e);
      }
      byte[] bytes = JSON.writeValueAsBytes(body);
      exchange.getResponseHeaders().set("Content-Type", responseType(exchange));
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(status, -1);
      } else {
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  private JsonNode dispatch(HttpExchange exchange, String method) throws IOException {
    String[] segments = segments(exchange.getRequestURI().getRawPath());
    boolean pathMatched = false;
    for (Route route : routes) {
      Map<String, String> params = match(route.pattern(), segments);
      if (params == null) {
        continue;
      }
      pathMatched = true;
      if (!route.method().equals(method)
          && !(method.equals("HEAD") && route.method().equals("GET"))) {
        continue;
      }
      // before the body is read: an unauthenticated caller gets 401 without uploading 16 MiB
      access.check(
          route.need(),
          exchange.getRequestHeaders().getFirst("Authorization"),
          method + " " + Echo.truncate(exchange.getRequestURI().getPath()));
      byte[] body =
          method.equals("POST") || method.equals("PUT") ? readBody(exchange) : new byte[0];
      Request request = new Request(query(exchange.getRequestURI().getRawQuery()), body);
      request.params.putAll(params);
      return route.action().handle(request);
    }
    if (pathMatched) {
      throw new RegistryError(
          405,
          405,
          "HTTP 405 Method Not Allowed: " + method + " " + exchange.getRequestURI().getPath());
    }
    throw new RegistryError(404, 404, "HTTP 404 Not Found: " + exchange.getRequestURI().getPath());
  }

  private static Map<String, String> match(String[] pattern, String[] segments) {
    if (pattern.length != segments.length) {
      return null;
    }
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < pattern.length; i++) {
      String p = pattern[i];
      if (p.startsWith("{")) {
        params.put(p.substring(1, p.length() - 1), segments[i]);
      } else if (!p.equals(segments[i])) {
        return null;
      }
    }
    return params;
  }

  /** Splits the raw path, then percent-decodes each segment ('+' stays '+', %2F stays inside). */
  static String[] segments(String rawPath) {
    List<String> out = new ArrayList<>();
    for (String raw : rawPath.split("/")) {
      if (!raw.isEmpty()) {
        out.add(URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8));
      }
    }
    return out.toArray(String[]::new);
  }

  static Map<String, String> query(String rawQuery) {
    Map<String, String> query = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return query;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      query.put(key, value);
    }
    return query;
  }

  private static byte[] readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        if (out.size() > MAX_BODY_BYTES) {
          throw new RegistryError(
              413, 413, "Request body larger than " + MAX_BODY_BYTES + " bytes");
        }
      }
      return out.toByteArray();
    }
  }

  private static String responseType(HttpExchange exchange) {
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    if (accept == null
        || accept.contains("vnd.schemaregistry")
        || accept.contains("*/*")
        || !accept.contains("application/json")) {
      return V1_JSON;
    }
    return "application/json";
  }

  /**
   * The level asked for by a PUT /config body: {"compatibility": ...} (or "compatibilityLevel").
   */
  static String requestedLevel(byte[] body) {
    JsonNode root;
    try {
      root = body.length == 0 ? null : JSON.readTree(body);
    } catch (IOException e) {
      throw RegistryError.badRequest("The request body is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new RegistryError(
          422,
          42203,
          "Invalid compatibility level: the body must be {\"compatibility\": \"<LEVEL>\"}");
    }
    JsonNode level =
        root.hasNonNull("compatibility")
            ? root.get("compatibility")
            : root.get("compatibilityLevel");
    if (level == null || level.isNull() || !level.isTextual()) {
      throw new RegistryError(
          422,
          42203,
          "Invalid compatibility level: field 'compatibility' is missing; valid values are "
              + Compatibility.validNames());
    }
    return level.asText();
  }

  private static JsonNode versionBody(RegistryService.Registered v) {
    ObjectNode body = JSON.createObjectNode();
    body.put("subject", v.subject())
        .put("version", v.version())
        .put("id", v.id())
        .put("schema", v.schema());
    return body;
  }

  private static JsonNode rawSchema(String canonical) {
    try {
      return JSON.readTree(canonical);
    } catch (IOException e) {
      throw new IllegalStateException("stored schema is not JSON", e);
    }
  }

  private static JsonNode compatibility(Request r, List<String> problems) {
    ObjectNode body = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
    if (r.flag("verbose")) {
      problems.forEach(body.putArray("messages")::add);
    }
    return body;
  }

  private static JsonNode level(String field, Compatibility level) {
    return JSON.createObjectNode().put(field, level.name());
  }

  private static JsonNode strings(List<String> values) {
    ArrayNode array = JSON.createArrayNode();
    values.forEach(array::add);
    return array;
  }

  private static JsonNode ints(List<Integer> values) {
    ArrayNode array = JSON.createArrayNode();
    values.forEach(array::add);
    return array;
  }

  private static JsonNode error(int code, String message) {
    return JSON.createObjectNode().put("error_code", code).put("message", message);
  }
}
