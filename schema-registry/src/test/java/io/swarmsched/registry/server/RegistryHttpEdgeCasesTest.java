package io.swarmsched.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.testing.RawHttp;
import io.swarmsched.testing.RawHttp.Reply;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Oversize and hostile requests on raw sockets: the registry answers each, never resets. */
class RegistryHttpEdgeCasesTest {
  static final int MB = 1024 * 1024;
  SchemaRegistryServer server;

  @BeforeEach
  void start() {
    RegistryState state = new RegistryState();
    server =
        SchemaRegistryServer.serve(
            new RegistryServerConfig("unused:9092", "127.0.0.1", 0, "_schemas"),
            state,
            RegistryLog.inMemory(state));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aOneMegabytePathIsAnswered414() throws Exception {
    Reply reply =
        RawHttp.exchange(
            server.port(), "GET /subjects/" + "s".repeat(MB) + " HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(reply.status()).isEqualTo(414);
  }

  @Test
  void aOneMegabyteHeaderIsAnswered431() throws Exception {
    Reply reply =
        RawHttp.exchange(
            server.port(),
            "GET /subjects HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(MB) + "\r\n\r\n");

    assertThat(reply.status()).isEqualTo(431);
  }

  @Test
  void aClientThatWritesItsWholeOversizeBodyReadsThe413() throws Exception {
    int size = RestApi.MAX_BODY_BYTES + MB;
    byte[] head =
        ("POST /subjects/s1/versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + size
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] request = new byte[head.length + size];
    System.arraycopy(head, 0, request, 0, head.length);

    Reply reply = RawHttp.exchange(server.port(), request);

    assertThat(reply.status()).isEqualTo(413);
  }

  @Test
  void aLongSubjectIsNotEchoedInFull() throws Exception {
    Reply reply =
        RawHttp.exchange(
            server.port(),
            "GET /subjects/"
                + "s".repeat(10_000)
                + "/versions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.body()).contains("40401").hasSizeLessThan(300);
  }
}
