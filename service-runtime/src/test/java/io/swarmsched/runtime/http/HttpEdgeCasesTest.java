package io.swarmsched.runtime.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.testing.RawHttp;
import io.swarmsched.testing.RawHttp.Reply;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests a client should not send, on raw sockets against a real {@link HttpApi}: each gets a
 * status the client can read (never a reset), and nothing large is echoed back.
 */
class HttpEdgeCasesTest {
  static final int LIMIT = 1024;
  static final int MB = 1024 * 1024;

  HttpApi api;
  final CountDownLatch release = new CountDownLatch(1);
  final CountDownLatch entered = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    api = HttpApi.create("127.0.0.1", 0, LIMIT);
    api.get(
        "/api/v1/hosts/{id}",
        req -> {
          throw ApiException.notFound("host '" + req.pathParam("id") + "' is not known");
        });
    api.post("/api/v1/echo", req -> Response.ok(Map.of("bytes", req.body().length)));
    api.get(
        "/api/v1/stuck",
        req -> {
          entered.countDown();
          try {
            release.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return Response.ok(Map.of());
        });
    api.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    api.close();
  }

  static JsonNode json(Reply reply) throws IOException {
    return HttpApi.JSON.readTree(reply.body());
  }

  @Test
  void aOneMegabytePathIsAnswered414() throws Exception {
    Reply reply =
        RawHttp.exchange(api.port(), "GET /" + "a".repeat(MB) + " HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(reply.status()).isEqualTo(414);
    assertThat(json(reply).get("error_code").asInt()).isEqualTo(414);
    assertThat(reply.body().length()).isLessThan(300);
  }

  @Test
  void aOneMegabyteHeaderIsAnswered431() throws Exception {
    Reply reply =
        RawHttp.exchange(
            api.port(), "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(MB) + "\r\n\r\n");

    assertThat(reply.status()).isEqualTo(431);
    assertThat(json(reply).get("message").asText()).contains("header");
  }

  @Test
  void tooManyHeaderFieldsAreAnswered431() throws Exception {
    StringBuilder request = new StringBuilder("GET /health HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 500; i++) {
      request.append("X-F").append(i).append(": v\r\n");
    }
    Reply reply = RawHttp.exchange(api.port(), request.append("\r\n").toString());

    assertThat(reply.status()).isEqualTo(431);
  }

  @Test
  void aClientThatWritesItsWholeOversizeBodyReadsThe413() throws Exception {
    byte[] head =
        ("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + (4 * MB)
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] request = new byte[head.length + 4 * MB];
    System.arraycopy(head, 0, request, 0, head.length);

    Reply reply = RawHttp.exchange(api.port(), request);

    assertThat(reply.status()).isEqualTo(413);
    assertThat(json(reply).get("message").asText()).contains("limit of " + LIMIT);
    assertThat(RawHttp.header(reply.head(), "Connection")).isEqualTo("close");
  }

  @Test
  void anOversizeChunkedBodyIsAnswered413Too() throws Exception {
    StringBuilder request =
        new StringBuilder(
            "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 64; i++) {
      request.append("400\r\n").append("c".repeat(1024)).append("\r\n");
    }
    Reply reply = RawHttp.exchange(api.port(), request.append("0\r\n\r\n").toString());

    assertThat(reply.status()).isEqualTo(413);
  }

  @Test
  void aLongIdIsNotEchoedInFull() throws Exception {
    String id = "i".repeat(10_000); // under the request-line limit, so the handler sees it
    Reply reply =
        RawHttp.exchange(
            api.port(),
            "GET /api/v1/hosts/" + id + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(reply.status()).isEqualTo(404);
    String message = json(reply).get("message").asText();
    assertThat(message).startsWith("host 'iiii").contains("(10002 chars)").hasSizeLessThan(200);
  }

  @Test
  void aSixtyFourKibIdIsRefusedWithoutBeingEchoed() throws Exception {
    Reply reply =
        RawHttp.exchange(
            api.port(),
            "GET /api/v1/hosts/" + "i".repeat(64 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(reply.status()).isEqualTo(414);
    assertThat(reply.body()).doesNotContain("iiii");
  }

  @Test
  void anUnknownPathIsEchoedTruncated() throws Exception {
    Reply reply =
        RawHttp.exchange(
            api.port(),
            "GET /" + "p".repeat(5000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.body().length()).isLessThan(300);
  }

  @Test
  void malformedRequestsAreAnswered400() throws Exception {
    assertThat(RawHttp.exchange(api.port(), "GARBAGE\r\n\r\n").status()).isEqualTo(400);
    assertThat(
            RawHttp.exchange(api.port(), "GET /health HTTP/1.1\r\nno colon here\r\n\r\n").status())
        .isEqualTo(400);
    assertThat(
            RawHttp.exchange(api.port(), "POST /api/v1/echo HTTP/1.1\r\nContent-Length: -5\r\n\r\n")
                .status())
        .isEqualTo(400);
    assertThat(RawHttp.exchange(api.port(), "GET /health HTTP/2.0\r\n\r\n").status())
        .isEqualTo(505);
  }

  @Test
  void keepAliveCarriesSeveralRequestsIncludingAChunkedBody() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", api.port())) {
      socket.setSoTimeout(10_000);
      var out = socket.getOutputStream();
      var in = socket.getInputStream();
      out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(RawHttp.read(in).status()).isEqualTo(200);
      out.write(
          ("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + "3\r\n{\"a\r\n5\r\n\":1}\n\r\n0\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      Reply echo = RawHttp.read(in);
      assertThat(echo.status()).isEqualTo(200);
      assertThat(json(echo).get("bytes").asInt()).isEqualTo(8);
      // An oversize body small enough to drain keeps the connection usable.
      out.write(
          ("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n"
                  + "x".repeat(2000))
              .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(RawHttp.read(in).status()).isEqualTo(413);
      out.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(RawHttp.read(in).status()).isEqualTo(200);
    }
  }

  @Test
  void closeReturnsPromptlyWhileARequestIsStuckAndAnIdleConnectionIsOpen() throws Exception {
    try (Socket idle = new Socket("127.0.0.1", api.port());
        Socket stuck = new Socket("127.0.0.1", api.port())) {
      stuck
          .getOutputStream()
          .write(
              "GET /api/v1/stuck HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(StandardCharsets.ISO_8859_1));
      stuck.getOutputStream().flush();
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

      long start = System.nanoTime();
      api.close();
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(took).isLessThan(Duration.ofSeconds(HttpApi.STOP_GRACE_SECONDS + 3));
      idle.setSoTimeout(5_000);
      assertThat(idle.getInputStream().read()).isEqualTo(-1);
    }
  }
}
