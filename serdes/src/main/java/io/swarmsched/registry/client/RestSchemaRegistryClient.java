package io.swarmsched.registry.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for a Confluent-compatible schema registry's REST API on {@code java.net.http}.
 *
 * <p>Requests go to the first base URL; on a connection error the next URL is tried. Connection
 * errors and 5xx responses are retried up to {@code max.retries} times with exponential backoff
 * ({@code retries.wait.ms} doubling up to {@code retries.max.wait.ms}, with jitter); 4xx responses
 * are not. Errors become {@link RegistryException} with the status and Confluent's {@code
 * error_code}. Ids, schemas by id and (subject, schema) registrations are cached: the registry
 * never changes them.
 */
public class RestSchemaRegistryClient implements SchemaRegistryClient {
  private static final Logger log = LoggerFactory.getLogger(RestSchemaRegistryClient.class);

  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  static final String ACCEPT =
      "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json; qs=0.9, application/json; qs=0.5";
  private static final ObjectMapper JSON = new ObjectMapper();

  private record SubjectSchema(String subject, String schemaText) {}

  private final List<URI> baseUrls;
  private final HttpClient http;
  private final Duration requestTimeout;
  private final int maxRetries;
  private final Duration retriesWait;
  private final Duration retriesMaxWait;
  private final Optional<String> authorization;
  private volatile int preferredUrl;

  private final Map<SubjectSchema, Integer> registered = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, SchemaMetadata> lookedUp = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> byId = new ConcurrentHashMap<>();

  public RestSchemaRegistryClient(List<String> baseUrls, Map<String, ?> config) {
    if (baseUrls == null || baseUrls.isEmpty()) {
      throw new IllegalArgumentException("at least one schema registry URL is required");
    }
    RegistryClientConfig cfg = new RegistryClientConfig(config);
    List<URI> uris = new ArrayList<>();
    String urlUserInfo = null;
    for (String url : baseUrls) {
      URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
      if (uri.getUserInfo() != null) {
        urlUserInfo = uri.getUserInfo();
        uri =
            URI.create(
                uri.getScheme()
                    + "://"
                    + uri.getHost()
                    + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
                    + uri.getRawPath());
      }
      uris.add(uri);
    }
    this.baseUrls = List.copyOf(uris);
    String userInfo =
        cfg.credentialsSource() == RegistryClientConfig.CredentialsSource.URL
            ? urlUserInfo
            : cfg.userInfo();
    String bearer = cfg.bearerToken();
    this.authorization =
        !bearer.isEmpty()
            ? Optional.of("Bearer " + bearer)
            : userInfo == null || userInfo.isEmpty()
                ? Optional.empty()
                : Optional.of(
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
    this.requestTimeout = cfg.requestTimeout();
    this.maxRetries = cfg.maxRetries();
    this.retriesWait = cfg.retriesWait();
    this.retriesMaxWait = cfg.retriesMaxWait();
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(cfg.connectTimeout())
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /** The base URLs this client talks to. */
  public List<URI> baseUrls() {
    return baseUrls;
  }

  @Override
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema.toString());
    Integer cached = registered.get(key);
    if (cached != null) {
      return cached;
    }
    JsonNode response = send("POST", "/subjects/" + enc(subject) + "/versions", schemaBody(schema));
    int id = response.path("id").asInt(-1);
    if (id < 0) {
      throw new RegistryException(
          500,
          50001,
          "Registry answered register for subject '" + subject + "' without an id: " + response);
    }
    registered.put(key, id);
    byId.putIfAbsent(id, schema);
    return id;
  }

  @Override
  public SchemaMetadata lookup(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema.toString());
    SchemaMetadata cached = lookedUp.get(key);
    if (cached != null) {
      return cached;
    }
    SchemaMetadata found =
        metadata(subject, send("POST", "/subjects/" + enc(subject), schemaBody(schema)));
    lookedUp.put(key, found);
    registered.putIfAbsent(key, found.id());
    return found;
  }

  @Override
  public Schema getById(int id) {
    Schema cached = byId.get(id);
    if (cached != null) {
      return cached;
    }
    Schema schema = parse(send("GET", "/schemas/ids/" + id, null), "schema id " + id);
    byId.put(id, schema);
    return schema;
  }

  @Override
  public SchemaMetadata getLatest(String subject) {
    return metadata(subject, send("GET", "/subjects/" + enc(subject) + "/versions/latest", null));
  }

  @Override
  public SchemaMetadata getVersion(String subject, int version) {
    return metadata(
        subject, send("GET", "/subjects/" + enc(subject) + "/versions/" + version, null));
  }

  @Override
  public List<String> subjects() {
    List<String> out = new ArrayList<>();
    send("GET", "/subjects", null).forEach(n -> out.add(n.asText()));
    return out;
  }

  @Override
  public List<Integer> versions(String subject) {
    List<Integer> out = new ArrayList<>();
    send("GET", "/subjects/" + enc(subject) + "/versions", null).forEach(n -> out.add(n.asInt()));
    return out;
  }

  @Override
  public boolean testCompatibility(String subject, Schema schema) {
    try {
      JsonNode r =
          send(
              "POST",
              "/compatibility/subjects/" + enc(subject) + "/versions/latest",
              schemaBody(schema));
      return r.path("is_compatible").asBoolean(false);
    } catch (RegistryException e) {
      if (e.errorCode() == RegistryException.SUBJECT_NOT_FOUND
          || e.errorCode() == RegistryException.VERSION_NOT_FOUND) {
        return true; // nothing registered yet: anything is compatible
      }
      throw e;
    }
  }

  @Override
  public CompatibilityLevel getCompatibility(String subject) {
    if (subject != null) {
      try {
        return level(send("GET", "/config/" + enc(subject), null));
      } catch (RegistryException e) {
        if (e.status() != 404) {
          throw e;
        }
        // no subject-level setting: the global one applies
      }
    }
    return level(send("GET", "/config", null));
  }

  @Override
  public void setCompatibility(String subject, CompatibilityLevel level) {
    ObjectNode body = JSON.createObjectNode().put("compatibility", level.name());
    send("PUT", subject == null ? "/config" : "/config/" + enc(subject), body.toString());
  }

  @Override
  public List<Integer> deleteSubject(String subject) {
    List<Integer> out = new ArrayList<>();
    send("DELETE", "/subjects/" + enc(subject), null).forEach(n -> out.add(n.asInt()));
    registered.keySet().removeIf(k -> k.subject().equals(subject));
    lookedUp.keySet().removeIf(k -> k.subject().equals(subject));
    return out;
  }

  // ---- HTTP ----

  private JsonNode send(String method, String path, String body) {
    int attempts = 0;
    RegistryException last = null;
    while (true) {
      int urlIndex = preferredUrl;
      URI uri = URI.create(baseUrls.get(urlIndex) + path);
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .timeout(requestTimeout)
              .header("Accept", ACCEPT)
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        request.header("Content-Type", CONTENT_TYPE);
      }
      authorization.ifPresent(a -> request.header("Authorization", a));
      try {
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          return readJson(response.body(), method, path);
        }
        last = errorFrom(status, response.body(), method, path);
        if (status < 500) {
          throw last;
        }
      } catch (IOException e) {
        last =
            new RegistryException(
                RegistryException.UNREACHABLE,
                RegistryException.UNREACHABLE,
                "Schema registry at "
                    + baseUrls.get(urlIndex)
                    + " unreachable for "
                    + method
                    + " "
                    + path
                    + ": "
                    + e,
                e);
        if (baseUrls.size() > 1) {
          preferredUrl = (urlIndex + 1) % baseUrls.size();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException(
            RegistryException.UNREACHABLE,
            RegistryException.UNREACHABLE,
            "Interrupted during " + method + " " + path,
            e);
      }
      if (attempts >= maxRetries) {
        throw last;
      }
      attempts++;
      long backoff = backoffMillis(attempts);
      log.debug(
          "Retrying {} {} in {} ms (attempt {} of {}): {}",
          method,
          path,
          backoff,
          attempts,
          maxRetries,
          last.getMessage());
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw last;
      }
    }
  }

  private long backoffMillis(int attempt) {
    long base = retriesWait.toMillis();
    long wait = Math.min(retriesMaxWait.toMillis(), base << Math.min(attempt - 1, 20));
    return wait <= 0 ? 0 : wait / 2 + ThreadLocalRandom.current().nextLong(wait / 2 + 1);
  }

  private static RegistryException errorFrom(int status, String body, String method, String path) {
    int code = status;
    String message = body == null || body.isBlank() ? "HTTP " + status : body;
    try {
      JsonNode node = JSON.readTree(body);
      if (node != null && node.has("error_code")) {
        code = node.get("error_code").asInt(status);
      }
      if (node != null && node.hasNonNull("message")) {
        message = node.get("message").asText();
      }
    } catch (JsonProcessingException | RuntimeException ignored) {
      // not JSON: keep the raw body as the message
    }
    return new RegistryException(status, code, method + " " + path + " failed: " + message);
  }

  private static JsonNode readJson(String body, String method, String path) {
    try {
      return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
    } catch (JsonProcessingException e) {
      throw new RegistryException(
          500, 50001, method + " " + path + " returned a body that is not JSON: " + body, e);
    }
  }

  // ---- JSON helpers ----

  private static String schemaBody(Schema schema) {
    return JSON.createObjectNode().put("schema", schema.toString()).toString();
  }

  private static SchemaMetadata metadata(String subject, JsonNode node) {
    Schema schema = parse(node, "subject " + subject);
    return new SchemaMetadata(
        node.path("id").asInt(),
        node.path("version").asInt(),
        node.path("subject").asText(subject),
        schema);
  }

  private static Schema parse(JsonNode node, String what) {
    String type = node.path("schemaType").asText("AVRO");
    if (!type.equals("AVRO")) {
      throw new RegistryException(
          422,
          RegistryException.INVALID_SCHEMA,
          "The schema of " + what + " is " + type + ", not AVRO");
    }
    String text = node.path("schema").asText(null);
    if (text == null) {
      throw new RegistryException(
          500, 50001, "Registry response for " + what + " has no schema: " + node);
    }
    try {
      return new Schema.Parser().parse(text);
    } catch (SchemaParseException e) {
      throw new RegistryException(
          422,
          RegistryException.INVALID_SCHEMA,
          "The schema of " + what + " does not parse: " + e.getMessage(),
          e);
    }
  }

  private static CompatibilityLevel level(JsonNode node) {
    String level = node.path("compatibilityLevel").asText(node.path("compatibility").asText(null));
    return CompatibilityLevel.parse(Objects.requireNonNullElse(level, "BACKWARD"));
  }

  private static String enc(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
