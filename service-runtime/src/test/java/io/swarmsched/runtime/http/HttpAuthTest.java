package io.swarmsched.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer tokens on writes and TLS, with the JDK's HTTP client as the real client. */
class HttpAuthTest {
  @TempDir Path dir;
  HttpApi api;

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  private HttpApi started(Settings settings) throws IOException {
    api = HttpApi.create(settings);
    api.post(
        "/api/v1/heartbeat",
        req -> Response.json(202, Map.of("principal", req.principal().orElse("anonymous"))));
    api.get("/api/v1/hosts", req -> Response.ok(Map.of("by", req.principal().orElse("anonymous"))));
    return api.start();
  }

  private Path tokens() throws IOException {
    Path file = dir.resolve("http-tokens.properties");
    Files.writeString(file, "agent-1=tok-agent-1-secret\ncli=tok-cli-secret\n");
    return file;
  }

  private static HttpResponse<String> send(
      HttpClient client, String method, String url, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.ofString("{}"));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void writesNeedAValidTokenAndHandlersSeeItsPrincipal() throws Exception {
    started(
        Settings.of(
            Map.of(
                "swarm.http.port",
                "0",
                "swarm.http.host",
                "127.0.0.1",
                HttpAuth.TOKENS_FILE,
                tokens().toString())));
    HttpClient client = HttpClient.newHttpClient();
    String url = api.localUrl() + "/api/v1/heartbeat";

    HttpResponse<String> none = send(client, "POST", url, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"swarmsched\"");
    assertThat(none.body()).contains("\"error_code\":401").contains("requires a bearer token");

    HttpResponse<String> wrong = send(client, "POST", url, "tok-agent-1-secreT");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("not valid");

    HttpResponse<String> ok = send(client, "POST", url, "tok-agent-1-secret");
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(ok.body()).contains("\"principal\":\"agent-1\"");

    // reads stay open by default, and still learn the principal when a token comes along
    assertThat(send(client, "GET", api.localUrl() + "/api/v1/hosts", null).body())
        .contains("anonymous");
    assertThat(send(client, "GET", api.localUrl() + "/api/v1/hosts", "tok-cli-secret").body())
        .contains("\"by\":\"cli\"");
  }

  @Test
  void basicAuthWithThePrincipalAsUserAndItsTokenAsPasswordAuthenticates() {
    // what Confluent's registry clients send with basic.auth.user.info=principal:token
    HttpAuth auth = HttpAuth.of(Map.of("agent-1", "tok-a", "cli", "tok-c"), false);

    assertThat(auth.authenticate(basic("agent-1:tok-a"))).contains("agent-1");
    assertThat(auth.authenticate("basic " + b64("cli:tok-c"))).contains("cli");
    // the user name must be the token's principal: a token does not lend its rights to a name
    assertThat(auth.authenticate(basic("cli:tok-a"))).isEmpty();
    assertThat(auth.authenticate(basic("agent-1:wrong"))).isEmpty();
    assertThat(auth.authenticate(basic("tok-a"))).isEmpty();
    assertThat(auth.authenticate("Basic !!not-base64!!")).isEmpty();
    assertThat(auth.authenticate("Bearer tok-c")).contains("cli");
  }

  private static String b64(String s) {
    return java.util.Base64.getEncoder()
        .encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static String basic(String userAndPassword) {
    return "Basic " + b64(userAndPassword);
  }

  @Test
  void aTokenAddedToTheFileWhileRunningIsAcceptedAndARemovedOneIsNot() throws Exception {
    Path file = tokens();
    started(
        Settings.of(
            Map.of(
                "swarm.http.port",
                "0",
                "swarm.http.host",
                "127.0.0.1",
                HttpAuth.TOKENS_FILE,
                file.toString())));
    HttpClient client = HttpClient.newHttpClient();
    String url = api.localUrl() + "/api/v1/heartbeat";
    assertThat(send(client, "POST", url, "tok-new-agent").statusCode()).isEqualTo(401);
    Files.writeString(file, "agent-2=tok-new-agent\n");
    Files.setLastModifiedTime(
        file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    HttpResponse<String> ok = send(client, "POST", url, "tok-new-agent");
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(ok.body()).contains("agent-2");
    assertThat(send(client, "POST", url, "tok-agent-1-secret").statusCode()).isEqualTo(401);
  }

  @Test
  void readsCanRequireATokenButHealthAndMetricsStayOpen() throws Exception {
    started(
        Settings.of(
            Map.of(
                "swarm.http.port",
                "0",
                "swarm.http.host",
                "127.0.0.1",
                HttpAuth.TOKENS_FILE,
                tokens().toString(),
                HttpAuth.AUTH_READS,
                "true")));
    HttpClient client = HttpClient.newHttpClient();
    assertThat(send(client, "GET", api.localUrl() + "/api/v1/hosts", null).statusCode())
        .isEqualTo(401);
    assertThat(send(client, "GET", api.localUrl() + "/api/v1/hosts", "tok-cli-secret").statusCode())
        .isEqualTo(200);
    assertThat(send(client, "GET", api.localUrl() + "/health", null).statusCode()).isEqualTo(200);
    assertThat(send(client, "GET", api.localUrl() + "/metrics", null).statusCode()).isEqualTo(200);
  }

  @Test
  void anOpenApiBeyondLoopbackIsRefusedUnlessExplicitlyInsecure() throws Exception {
    Map<String, String> open = Map.of("swarm.http.port", "0", "swarm.http.host", "0.0.0.0");
    assertThatThrownBy(() -> started(Settings.of(open)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("beyond loopback")
        .hasMessageContaining(HttpAuth.INSECURE);
    api = null;
    Map<String, String> optedOut = new java.util.HashMap<>(open);
    optedOut.put(HttpAuth.INSECURE, "true");
    started(Settings.of(optedOut));
    assertThat(
            send(HttpClient.newHttpClient(), "POST", api.localUrl() + "/api/v1/heartbeat", null)
                .statusCode())
        .isEqualTo(202);
  }

  @Test
  void servesTlsToAClientTrustingItsCaAndRefusesOneThatDoesNot() throws Exception {
    Path keystore = dir.resolve("server.p12");
    Path cert = dir.resolve("server.crt");
    keytool(
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=swarmsched-test",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "changeit",
        "-keypass",
        "changeit");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "server",
        "-keystore",
        keystore.toString(),
        "-storepass",
        "changeit",
        "-file",
        cert.toString());
    started(
        Settings.of(
            Map.of(
                "swarm.http.port",
                "0",
                "swarm.http.host",
                "127.0.0.1",
                HttpAuth.TOKENS_FILE,
                tokens().toString(),
                HttpTls.KEYSTORE,
                keystore.toString(),
                HttpTls.KEYSTORE_PASSWORD,
                "changeit")));
    assertThat(api.localUrl()).startsWith("https://");

    SSLContext trusting =
        HttpTls.clientContext(Settings.of(Map.of(HttpTls.TRUSTED_CA, cert.toString()))).get();
    HttpClient client = HttpClient.newBuilder().sslContext(trusting).build();
    String url = api.localUrl() + "/api/v1/heartbeat";
    assertThat(send(client, "POST", url, null).statusCode()).isEqualTo(401);
    HttpResponse<String> ok = send(client, "POST", url, "tok-cli-secret");
    assertThat(ok.statusCode()).isEqualTo(202);
    assertThat(ok.body()).contains("cli");

    // a client with only the JVM's default trust does not accept the server's certificate
    assertThatThrownBy(() -> send(HttpClient.newHttpClient(), "POST", url, "tok-cli-secret"))
        .isInstanceOf(SSLHandshakeException.class);
    // and a plaintext client gets no answer from the TLS port
    assertThatThrownBy(
            () ->
                send(
                    HttpClient.newHttpClient(),
                    "GET",
                    "http://127.0.0.1:" + api.port() + "/health",
                    null))
        .isInstanceOf(IOException.class);
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
