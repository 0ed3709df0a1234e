package io.swarmsched.agent.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.testing.RawHttp;
import io.swarmsched.testing.RawHttp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Oversize and hostile requests on raw sockets: the piece server answers each, never resets. */
class PieceServerEdgeCasesTest {
  static final int MB = 1024 * 1024;
  PieceServer server;

  @BeforeEach
  void start() throws Exception {
    server = PieceServer.start(taskId -> Optional.empty(), "127.0.0.1", 0, 0, 4);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void aOneMegabytePathIsAnswered414() throws Exception {
    Reply reply =
        RawHttp.exchange(
            server.port(),
            "GET /tasks/" + "t".repeat(MB) + "/pieces/0 HTTP/1.1\r\nHost: x\r\n\r\n");

    assertThat(reply.status()).isEqualTo(414);
  }

  @Test
  void aOneMegabyteHeaderIsAnswered431() throws Exception {
    Reply reply =
        RawHttp.exchange(
            server.port(),
            "GET /load HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(MB) + "\r\n\r\n");

    assertThat(reply.status()).isEqualTo(431);
  }

  @Test
  void aClientThatWritesABodyNobodyReadsStillReadsTheAnswer() throws Exception {
    byte[] head =
        ("POST /load HTTP/1.1\r\nHost: x\r\nContent-Length: " + (4 * MB) + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] request = new byte[head.length + 4 * MB];
    System.arraycopy(head, 0, request, 0, head.length);

    Reply reply = RawHttp.exchange(server.port(), request);

    assertThat(reply.status()).isEqualTo(405);
  }

  @Test
  void aLongTaskIdIsNotEchoedInFull() throws Exception {
    Reply reply =
        RawHttp.exchange(
            server.port(),
            "GET /tasks/"
                + "t".repeat(10_000)
                + "/pieces/0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.body()).hasSizeLessThan(300);
  }
}
