package io.swarmsched.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard server without Kafka: its page, and a proxy that forwards reads only, to a stub
 * service.
 */
class DashboardServerTest {
  final HttpClient http = HttpClient.newHttpClient();
  final List<String> seenByService = new CopyOnWriteArrayList<>();
  HttpServer service;
  DashboardServer dashboard;

  @BeforeEach
  void start() throws Exception {
    service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    service.createContext(
        "/",
        exchange -> {
          seenByService.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
          byte[] body = "{\"hosts\":[],\"count\":0}".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(
              exchange.getRequestURI().getPath().endsWith("/missing") ? 404 : 200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    service.start();
    String url = "http://127.0.0.1:" + service.getAddress().getPort();
    dashboard =
        DashboardServer.start(
            new DashboardServer.Targets(url, url, url + "/", null), "127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    dashboard.close();
    service.stop(0);
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesThePageItsScriptAndStyleFromTheModulesResources() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body())
        .contains("<script src=\"app.js\"></script>", "id=\"hosts\"", "id=\"dead-letters\"");
    assertThat(get("/app.js").headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    // everything it fetches is relative to this server: no CDN, no other origin (the machine may be
    // offline)
    assertThat(get("/app.js").body())
        .contains("fetch('proxy/'")
        .doesNotContainPattern("fetch\\(\\s*['\"`]https?:");
    assertThat(page.body()).doesNotContainPattern("(src|href)=\"https?:");
    assertThat(get("/style.css").statusCode()).isEqualTo(200);
    assertThat(get("/nothing.html").statusCode()).isEqualTo(404);
    assertThat(get("/%2e%2e/pom.xml").statusCode()).isEqualTo(404);
    assertThat(get("/health").body()).contains("UP");
  }

  @Test
  void forwardsGetsOfReadPathsWithTheirQueryAndStatus() throws Exception {
    HttpResponse<String> hosts = get("/proxy/ingest/api/v1/hosts?liveness=ONLINE");
    assertThat(hosts.statusCode()).isEqualTo(200);
    assertThat(hosts.body()).isEqualTo("{\"hosts\":[],\"count\":0}");
    assertThat(get("/proxy/dispatcher/api/v1/missing").statusCode()).isEqualTo(404);
    assertThat(get("/proxy/scoring/metrics").statusCode()).isEqualTo(200);
    assertThat(seenByService)
        .containsExactly(
            "GET /api/v1/hosts?liveness=ONLINE", "GET /api/v1/missing", "GET /metrics");
  }

  @Test
  void refusesWritesOtherPathsAndUnknownServicesWithoutCallingTheService() throws Exception {
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + dashboard.port()
                            + "/proxy/dispatcher/api/v1/schedule"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(get("/proxy/dispatcher/_swarm/local/tasks").statusCode()).isEqualTo(403);
    assertThat(get("/proxy/dispatcher/api/v1/../../_swarm/local/tasks").statusCode())
        .isIn(403, 404);
    assertThat(get("/proxy/registry/health").statusCode()).isEqualTo(404); // no registry configured
    assertThat(get("/proxy/elsewhere/health").body()).contains("unknown service 'elsewhere'");
    assertThat(seenByService).isEmpty();
  }

  @Test
  void aServiceThatDoesNotAnswerIsA502NamingIt() throws Exception {
    service.stop(0);
    HttpResponse<String> r = get("/proxy/ingest/api/v1/hosts");
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("ingest at http://127.0.0.1:");
  }

  @Test
  void targetsMustBeHttpUrls() {
    assertThatThrownBy(
            () -> new DashboardServer.Targets("localhost:8082", "http://a:1", "http://b:2", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ingest: must be an http(s)://host:port URL, was 'localhost:8082'");
    assertThatThrownBy(() -> new DashboardServer.Targets("http://a:1", "", "http://b:2", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("scoring: a base URL is required");
    assertThat(
            new DashboardServer.Targets("http://a:1/", "http://a:2", "http://a:3", " ").registry())
        .isNull();
  }
}
