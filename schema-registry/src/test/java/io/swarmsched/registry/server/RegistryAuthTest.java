package io.swarmsched.registry.server;

import static io.swarmsched.registry.server.RegistryHttp.record;
import static io.swarmsched.registry.server.RegistryHttp.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.registry.client.RegistryClientConfig;
import io.swarmsched.registry.client.RegistryException;
import io.swarmsched.registry.client.RestSchemaRegistryClient;
import io.swarmsched.registry.server.RegistryHttp.Answer;
import io.swarmsched.runtime.http.HttpAuth;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A registry with tokens (docs/design.md, security): registering needs a principal's token, deletes
 * and compatibility changes the admin's, reads stay open; over an in-memory log.
 */
class RegistryAuthTest {

  static final String V1 = record("Host", "{\"name\":\"id\",\"type\":\"string\"}");
  static final String JSON_TYPE = "application/vnd.schemaregistry.v1+json";

  SchemaRegistryServer server;
  RegistryHttp http;

  @BeforeEach
  void start() {
    RegistryState state = new RegistryState();
    HttpAuth tokens = HttpAuth.of(Map.of("admin", "tok-admin", "agent-1", "tok-agent"), false);
    server =
        SchemaRegistryServer.serve(
            new RegistryServerConfig("unused:9092", "127.0.0.1", 0, "_schemas")
                .withAccess(RegistryAccess.tokens(tokens)),
            state,
            RegistryLog.inMemory(state));
    http = new RegistryHttp(server.url());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Answer as(String authorization, String method, String path, String body) {
    return http.send(method, path, body, JSON_TYPE, authorization);
  }

  private static String basic(String userAndPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void registeringWithoutATokenIs401AndRegistersNothing() {
    Answer none = as(null, "POST", "/subjects/hosts-value/versions", schemaBody(V1));
    Answer wrong = as("Bearer nope", "POST", "/subjects/hosts-value/versions", schemaBody(V1));

    assertThat(none.status()).as(none.toString()).isEqualTo(401);
    assertThat(none.errorCode()).isEqualTo(40101);
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(http.get("/subjects").body()).isEmpty();
  }

  @Test
  void registeringWithABearerTokenOrConfluentStyleBasicAuthWorks() {
    Answer bearer =
        as("Bearer tok-agent", "POST", "/subjects/hosts-value/versions", schemaBody(V1));
    // Confluent's clients: basic.auth.user.info=<principal>:<token>
    Answer basic =
        as(basic("agent-1:tok-agent"), "POST", "/subjects/other-value/versions", schemaBody(V1));
    Answer basicWrongUser =
        as(basic("admin:tok-agent"), "POST", "/subjects/third-value/versions", schemaBody(V1));

    assertThat(bearer.status()).as(bearer.toString()).isEqualTo(200);
    assertThat(basic.status()).as(basic.toString()).isEqualTo(200);
    assertThat(basic.body().get("id").asInt()).isEqualTo(bearer.body().get("id").asInt());
    assertThat(basicWrongUser.status()).isEqualTo(401);
  }

  @Test
  void readsAndLookupsStayOpen() {
    as("Bearer tok-agent", "POST", "/subjects/hosts-value/versions", schemaBody(V1));

    assertThat(http.get("/subjects").status()).isEqualTo(200);
    assertThat(http.get("/schemas/ids/1").status()).isEqualTo(200);
    assertThat(http.get("/config").status()).isEqualTo(200);
    // POST, but only a look-up and a check: serializers without auto-registration, CI checks
    assertThat(http.post("/subjects/hosts-value", schemaBody(V1)).status()).isEqualTo(200);
    assertThat(
            http.post("/compatibility/subjects/hosts-value/versions/latest", schemaBody(V1))
                .status())
        .isEqualTo(200);
  }

  @Test
  void deletesAndCompatibilityChangesNeedTheAdmin() {
    as("Bearer tok-agent", "POST", "/subjects/hosts-value/versions", schemaBody(V1));
    String none = "{\"compatibility\":\"NONE\"}";

    assertThat(as(null, "PUT", "/config", none).status()).isEqualTo(401);
    assertThat(as(null, "DELETE", "/subjects/hosts-value", null).status()).isEqualTo(401);
    Answer agentPut = as("Bearer tok-agent", "PUT", "/config/hosts-value", none);
    assertThat(agentPut.status()).as(agentPut.toString()).isEqualTo(403);
    assertThat(agentPut.errorCode()).isEqualTo(40301);
    assertThat(as("Bearer tok-agent", "DELETE", "/subjects/hosts-value", null).status())
        .isEqualTo(403);
    assertThat(as("Bearer tok-agent", "DELETE", "/config/hosts-value", null).status())
        .isEqualTo(403);
    assertThat(http.get("/subjects/hosts-value/versions").body().toString()).isEqualTo("[1]");
    assertThat(http.get("/config").body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");

    assertThat(as("Bearer tok-admin", "PUT", "/config", none).status()).isEqualTo(200);
    assertThat(as("Bearer tok-admin", "DELETE", "/subjects/hosts-value", null).status())
        .isEqualTo(200);
    assertThat(http.get("/subjects").body()).isEmpty();
  }

  @Test
  void theProjectsClientRegistersWithItsBearerTokenAndIsRefusedWithout() {
    Schema schema = new Schema.Parser().parse(V1);
    RestSchemaRegistryClient anonymous =
        new RestSchemaRegistryClient(List.of(server.url()), Map.of());
    RestSchemaRegistryClient agent =
        new RestSchemaRegistryClient(
            List.of(server.url()),
            Map.of(
                RegistryClientConfig.BEARER_AUTH_CREDENTIALS_SOURCE, "STATIC_TOKEN",
                RegistryClientConfig.BEARER_AUTH_TOKEN, "tok-agent"));

    assertThatThrownBy(() -> anonymous.register("hosts-value", schema))
        .isInstanceOfSatisfying(
            RegistryException.class, e -> assertThat(e.status()).isEqualTo(401));
    int id = agent.register("hosts-value", schema);

    assertThat(anonymous.getById(id)).isEqualTo(schema); // reads need nothing
  }
}
