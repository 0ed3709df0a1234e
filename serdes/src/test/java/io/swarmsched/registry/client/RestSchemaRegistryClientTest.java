package io.swarmsched.registry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.swarmsched.serde.GenericAvroSerde;
import io.swarmsched.serde.SerdeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestSchemaRegistryClientTest {
  private static final Schema THING =
      SchemaBuilder.record("Thing").namespace("t").fields().requiredString("id").endRecord();

  /** A request the fake registry saw. */
  record Seen(String method, String path, Map<String, List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  record Reply(int status, String body) {}

  private HttpServer server;
  private final Map<String, Deque<Reply>> replies = new HashMap<>();
  private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void startFakeRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          seen.add(
              new Seen(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getRawPath(),
                  Map.copyOf(exchange.getRequestHeaders()),
                  body));
          Reply reply;
          synchronized (replies) {
            Deque<Reply> queue = replies.get(key);
            reply =
                queue == null || queue.isEmpty()
                    ? new Reply(404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}")
                    : queue.size() == 1 ? queue.peek() : queue.poll();
          }
          byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
          exchange
              .getResponseHeaders()
              .add("Content-Type", "application/vnd.schemaregistry.v1+json");
          exchange.sendResponseHeaders(reply.status(), out.length);
          exchange.getResponseBody().write(out);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stopFakeRegistry() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Replies in order; the last one repeats. */
  private void on(String methodAndPath, Reply... sequence) {
    synchronized (replies) {
      replies.put(methodAndPath, new ArrayDeque<>(List.of(sequence)));
    }
  }

  private long hits(String methodAndPath) {
    return seen.stream().filter(s -> (s.method() + " " + s.path()).equals(methodAndPath)).count();
  }

  private RestSchemaRegistryClient client(Object... keyValues) {
    Map<String, Object> config =
        new HashMap<>(Map.of(SerdeConfig.RETRIES_WAIT_MS, 1, SerdeConfig.RETRIES_MAX_WAIT_MS, 5));
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put((String) keyValues[i], keyValues[i + 1]);
    }
    return new RestSchemaRegistryClient(List.of(url()), config);
  }

  @Test
  void registerPostsTheSchemaWithConfluentHeadersAndCachesTheId() {
    on("POST /subjects/things-value/versions", new Reply(200, "{\"id\":7}"));
    RestSchemaRegistryClient client = client();

    assertThat(client.register("things-value", THING)).isEqualTo(7);
    assertThat(client.register("things-value", THING)).isEqualTo(7);

    assertThat(hits("POST /subjects/things-value/versions")).isEqualTo(1);
    Seen request = seen.get(0);
    assertThat(request.header("Content-Type")).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(request.header("Accept")).startsWith("application/vnd.schemaregistry.v1+json");
    assertThat(request.body()).contains("\"schema\"").contains("Thing");
    assertThat(client.getById(7)).isEqualTo(THING);
  }

  @Test
  void a503IsRetriedUntilTheRegistryAnswers() {
    on(
        "GET /schemas/ids/3",
        new Reply(503, "{\"error_code\":50003,\"message\":\"busy\"}"),
        new Reply(200, "{\"schema\":" + quoted(THING.toString()) + "}"));

    Schema schema = client().getById(3);

    assertThat(schema).isEqualTo(THING);
    assertThat(hits("GET /schemas/ids/3")).isEqualTo(2);
  }

  @Test
  void a5xxThatOutlastsTheRetriesFailsWithItsStatusAndCode() {
    on("GET /subjects", new Reply(500, "{\"error_code\":50001,\"message\":\"store error\"}"));

    assertThatThrownBy(() -> client(SerdeConfig.MAX_RETRIES, 2).subjects())
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(500);
              assertThat(e.errorCode()).isEqualTo(50001);
              assertThat(e.getMessage()).contains("store error");
            });
    assertThat(hits("GET /subjects")).isEqualTo(3);
  }

  @Test
  void a404CarriesConfluentsErrorCodeAndIsNotRetried() {
    on(
        "GET /subjects/missing/versions/latest",
        new Reply(404, "{\"error_code\":40401,\"message\":\"Subject 'missing' not found.\"}"));

    assertThatThrownBy(() -> client().getLatest("missing"))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.errorCode()).isEqualTo(40401);
              assertThat(e.isNotFound()).isTrue();
            });
    assertThat(hits("GET /subjects/missing/versions/latest")).isEqualTo(1);
  }

  @Test
  void basicAuthCredentialsAreSentFromUserInfo() {
    on("GET /subjects", new Reply(200, "[\"a-value\",\"b-value\"]"));

    List<String> subjects = client(SerdeConfig.BASIC_AUTH_USER_INFO, "alice:s3cret").subjects();

    assertThat(subjects).containsExactly("a-value", "b-value");
    String expected =
        "Basic "
            + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    assertThat(seen.get(0).header("Authorization")).isEqualTo(expected);
  }

  @Test
  void basicAuthCredentialsCanComeFromTheUrl() {
    on("GET /subjects", new Reply(200, "[]"));
    String withUser = url().replace("http://", "http://bob:pw@");

    new RestSchemaRegistryClient(
            List.of(withUser), Map.of(SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "URL"))
        .subjects();

    assertThat(seen.get(0).header("Authorization"))
        .isEqualTo(
            "Basic "
                + Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aStaticBearerTokenIsSentAndWinsOverBasicAuth() {
    on("GET /subjects", new Reply(200, "[]"));

    new RestSchemaRegistryClient(
            List.of(url()),
            Map.of(
                SerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN",
                SerdeConfig.BEARER_AUTH_TOKEN, "tok-123",
                SerdeConfig.BASIC_AUTH_USER_INFO, "alice:s3cret"))
        .subjects();

    assertThat(seen.get(0).header("Authorization")).isEqualTo("Bearer tok-123");
  }

  @Test
  void aBearerSourceWithoutATokenIsAConfigErrorNamingTheKey() {
    assertThatThrownBy(
            () ->
                new RestSchemaRegistryClient(
                    List.of(url()),
                    Map.of(SerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN")))
        .hasMessageContaining(SerdeConfig.BEARER_AUTH_TOKEN);
    assertThatThrownBy(
            () ->
                new RestSchemaRegistryClient(
                    List.of(url()),
                    Map.of(SerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "OAUTHBEARER")))
        .hasMessageContaining(SerdeConfig.BEARER_AUTH_CREDENTIALS_SOURCE);
  }

  @Test
  void aConnectionErrorFailsOverToTheNextUrl() throws IOException {
    on("GET /subjects", new Reply(200, "[\"x\"]"));
    String dead;
    try (ServerSocket socket = new ServerSocket(0)) {
      dead = "http://127.0.0.1:" + socket.getLocalPort();
    }
    RestSchemaRegistryClient client =
        new RestSchemaRegistryClient(
            List.of(dead, url()),
            Map.of(SerdeConfig.RETRIES_WAIT_MS, 1, SerdeConfig.MAX_RETRIES, 2));

    assertThat(client.subjects()).containsExactly("x");
  }

  @Test
  void anUnreachableRegistryFailsWithStatusZeroAfterRetrying() throws IOException {
    String dead;
    try (ServerSocket socket = new ServerSocket(0)) {
      dead = "http://127.0.0.1:" + socket.getLocalPort();
    }
    RestSchemaRegistryClient client =
        new RestSchemaRegistryClient(
            List.of(dead), Map.of(SerdeConfig.RETRIES_WAIT_MS, 1, SerdeConfig.MAX_RETRIES, 1));

    assertThatThrownBy(client::subjects)
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.status()).isEqualTo(RegistryException.UNREACHABLE))
        .hasMessageContaining(dead);
  }

  @Test
  void lookupVersionsCompatibilityAndConfigUseConfluentPathsAndBodies() {
    String meta =
        "{\"subject\":\"a b\",\"version\":2,\"id\":5,\"schema\":" + quoted(THING.toString()) + "}";
    on("POST /subjects/a%20b", new Reply(200, meta));
    on("GET /subjects/a%20b/versions", new Reply(200, "[1,2]"));
    on("GET /subjects/a%20b/versions/2", new Reply(200, meta));
    on(
        "POST /compatibility/subjects/a%20b/versions/latest",
        new Reply(200, "{\"is_compatible\":false}"));
    on(
        "POST /compatibility/subjects/new/versions/latest",
        new Reply(404, "{\"error_code\":40401,\"message\":\"no subject\"}"));
    on(
        "GET /config/a%20b",
        new Reply(404, "{\"error_code\":40408,\"message\":\"not configured\"}"));
    on("GET /config", new Reply(200, "{\"compatibilityLevel\":\"FULL\"}"));
    on("PUT /config/a%20b", new Reply(200, "{\"compatibility\":\"NONE\"}"));
    on("DELETE /subjects/a%20b", new Reply(200, "[1,2]"));
    RestSchemaRegistryClient client = client();

    assertThat(client.lookup("a b", THING)).isEqualTo(new SchemaMetadata(5, 2, "a b", THING));
    assertThat(client.versions("a b")).containsExactly(1, 2);
    assertThat(client.getVersion("a b", 2).id()).isEqualTo(5);
    assertThat(client.testCompatibility("a b", THING)).isFalse();
    assertThat(client.testCompatibility("new", THING)).isTrue();
    assertThat(client.getCompatibility("a b")).isEqualTo(CompatibilityLevel.FULL);
    client.setCompatibility("a b", CompatibilityLevel.NONE);
    assertThat(seen.stream().filter(s -> s.method().equals("PUT")).findFirst().orElseThrow().body())
        .isEqualTo("{\"compatibility\":\"NONE\"}");
    assertThat(client.deleteSubject("a b")).containsExactly(1, 2);
  }

  @Test
  void serdesTalkToAnHttpRegistryAndSurfaceItsOutageAsASerializationException() {
    on("POST /subjects/things-value/versions", new Reply(200, "{\"id\":11}"));
    on("GET /schemas/ids/11", new Reply(200, "{\"schema\":" + quoted(THING.toString()) + "}"));
    GenericAvroSerde serde = new GenericAvroSerde();
    serde.configure(
        Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, url(), SerdeConfig.RETRIES_WAIT_MS, 1), false);
    GenericRecord thing = new GenericData.Record(THING);
    thing.put("id", "x");

    assertThat(
            serde
                .deserializer()
                .deserialize("things", serde.serializer().serialize("things", thing)))
        .isEqualTo(thing);

    on(
        "POST /subjects/other-value/versions",
        new Reply(503, "{\"error_code\":50003,\"message\":\"down\"}"));
    assertThatThrownBy(() -> serde.serializer().serialize("other", thing))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("other-value")
        .hasCauseInstanceOf(RegistryException.class);
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
