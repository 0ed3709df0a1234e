package io.swarmsched.agent.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.agent.server.ParentClient.PieceAnswer;
import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.agent.storage.PieceLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The child's piece fetch against parents that answer badly: every malformed, oversized, short or
 * slow answer is a {@code Failed} with a reason (never an unbounded allocation or wait), and a good
 * parent's connection is reused.
 */
class PieceFetcherTest {
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** Answers every request on a connection with {@code answer}; a null answer closes it. */
  private interface Script {
    void answer(int request, OutputStream out) throws IOException, InterruptedException;
  }

  /** A parent speaking raw bytes: reads each request head, then runs the script. */
  private String rawParent(Script script) throws IOException {
    ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    open.add(server);
    AtomicInteger requests = new AtomicInteger();
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  open.add(s);
                  Thread c =
                      new Thread(
                          () -> {
                            try (s) {
                              InputStream in = s.getInputStream();
                              OutputStream out = s.getOutputStream();
                              while (readHead(in)) {
                                script.answer(requests.getAndIncrement(), out);
                                out.flush();
                              }
                            } catch (IOException | InterruptedException e) {
                              // the client went away, or the script closed the connection
                            }
                          });
                  c.setDaemon(true);
                  c.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    t.setDaemon(true);
    t.start();
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** A parent answering every request with these exact bytes. */
  private String answering(String raw) throws IOException {
    return rawParent((n, out) -> write(out, raw));
  }

  private static boolean readHead(InputStream in) throws IOException {
    int matched = 0;
    int b;
    while ((b = in.read()) >= 0) {
      matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
      if (matched == 4) {
        return true;
      }
    }
    return false;
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  private ParentClient client(Duration timeout) {
    ParentClient c = new ParentClient(timeout);
    open.add(c);
    return c;
  }

  /** Why a fetch of a piece of {@code expectedLength} bytes (-1: unknown) from parent failed. */
  private String failure(String parent, int expectedLength) throws InterruptedException {
    return reason(
        client(Duration.ofSeconds(5))
            .fetch(parent, "t", 0, expectedLength, new ParentClient.Transfer()));
  }

  private static String reason(PieceAnswer a) {
    assertThat(a).isInstanceOf(PieceAnswer.Failed.class);
    return ((PieceAnswer.Failed) a).reason();
  }

  @Test
  void aMalformedStatusLineIsRefused() throws Exception {
    String parent = answering("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n");
    assertThat(failure(parent, -1)).contains("malformed answer").contains("status line");
  }

  @Test
  void aHeaderBlockOverTheBoundsIsRefused() throws Exception {
    // 1 MiB of header fields, and 100 short ones
    assertThat(failure(floodingParent(1024, 1000), -1))
        .contains("header block over " + PieceFetcher.MAX_HEAD_BYTES + " bytes");
    assertThat(failure(floodingParent(100, 1), -1))
        .contains("more than " + PieceFetcher.MAX_HEADER_FIELDS + " header fields");
  }

  /** A parent answering 200 with {@code fields} header fields of {@code valueLength} bytes each. */
  private String floodingParent(int fields, int valueLength) throws IOException {
    return rawParent(
        (n, out) -> {
          write(out, "HTTP/1.1 200 OK\r\n");
          for (int i = 0; i < fields; i++) {
            write(out, "X-" + i + ": " + "x".repeat(valueLength) + "\r\n");
          }
          write(out, "Content-Length: 0\r\n\r\n");
        });
  }

  @Test
  void aShortBodyFails() throws Exception {
    String parent =
        rawParent(
            (n, out) -> {
              write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
              out.write(new byte[500]);
              out.flush();
              throw new IOException("hang up"); // closes the connection
            });
    assertThat(failure(parent, 1000)).contains("closed the connection after 500 of 1000 bytes");
  }

  @Test
  void aContentLengthOtherThanThePiecesIsRefusedBeforeTheBody() throws Exception {
    String parent =
        rawParent(
            (n, out) -> {
              write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2048\r\n\r\n");
              out.write(new byte[2048]);
            });
    assertThat(failure(parent, 1024)).contains("Content-Length 2048 for a piece of 1024 bytes");
  }

  @Test
  void answersFramedOtherwiseThanByOneContentLengthAreRefused() throws Exception {
    Map<String, String> reasonByAnswer =
        Map.of(
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",
            "over the largest piece",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
            "not Transfer-Encoding",
            "HTTP/1.1 200 OK\r\n\r\nabcd",
            "without Content-Length",
            "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcd",
            "two different Content-Length",
            "HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\nabcd",
            "Content-Length '-4'",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            "interim answer 100");
    for (Map.Entry<String, String> e : reasonByAnswer.entrySet()) {
      assertThat(failure(answering(e.getKey()), -1)).as(e.getKey()).contains(e.getValue());
    }
  }

  @Test
  void aParentThatSendsNothingTimesOut() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    String parent = rawParent((n, out) -> release.await(30, TimeUnit.SECONDS));
    try {
      // Transfer limit: 4 x the request timeout.
      PieceAnswer a = client(Duration.ofMillis(300)).fetch(parent, "t", 0);
      assertThat(reason(a)).contains("did not send the piece within 1200 ms");
    } finally {
      release.countDown();
    }
  }

  @Test
  void aParentThatTricklesIsCutAtTheTransferLimit() throws Exception {
    String parent =
        rawParent(
            (n, out) -> {
              write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n");
              for (int i = 0; i < 100_000; i++) {
                out.write(0);
                out.flush();
                Thread.sleep(50); // each byte well within the read timeout
              }
            });
    // Transfer limit 4 x 250 ms, though no read waits long.
    PieceAnswer a = client(Duration.ofMillis(250)).fetch(parent, "t", 0);
    assertThat(reason(a)).contains("did not send the piece within 1000 ms");
  }

  @Test
  void busyAndNotHeldAnswersKeepTheConnection() throws Exception {
    String parent =
        rawParent(
            (n, out) -> {
              String body = "{\"error_code\":503}";
              write(
                  out,
                  (n % 2 == 0 ? "HTTP/1.1 503 Busy\r\n" : "HTTP/1.1 404 Not Found\r\n")
                      + "Content-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body);
            });
    ParentClient c = client(Duration.ofSeconds(5));
    assertThat(c.fetch(parent, "t", 0)).isInstanceOf(PieceAnswer.Busy.class);
    assertThat(c.fetch(parent, "t", 0)).isInstanceOf(PieceAnswer.NotHeld.class);
    assertThat(c.fetch(parent, "t", 0)).isInstanceOf(PieceAnswer.Busy.class);
    assertThat(c.pieceConnectionsOpened()).isEqualTo(1);
  }

  @Test
  void aPooledConnectionTheParentClosedIsReplacedOnce() throws Exception {
    String parent =
        rawParent(
            (n, out) -> {
              write(out, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd");
              out.flush();
              throw new IOException("closes after every answer, without saying so");
            });
    ParentClient c = client(Duration.ofSeconds(5));
    for (int i = 0; i < 3; i++) {
      PieceAnswer a = c.fetch(parent, "t", 0);
      assertThat(a).isInstanceOf(PieceAnswer.Bytes.class);
      assertThat(((PieceAnswer.Bytes) a).data()).isEqualTo("abcd".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(c.pieceConnectionsOpened()).isEqualTo(3);
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    String parent = answering("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx");
    ParentClient c = client(Duration.ofSeconds(5));
    assertThat(c.fetch(parent, "t", 0)).isInstanceOf(PieceAnswer.Bytes.class);
    assertThat(c.fetch(parent, "t", 0)).isInstanceOf(PieceAnswer.Bytes.class);
    assertThat(c.pieceConnectionsOpened()).isEqualTo(2);
  }

  @Test
  void aCancelStopsTheTransferAndTheConnectionIsNotReused() throws Exception {
    CountDownLatch headSent = new CountDownLatch(1);
    String parent =
        rawParent(
            (n, out) -> {
              write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
              out.write(new byte[1000]);
              out.flush();
              headSent.countDown();
              Thread.sleep(30_000);
            });
    ParentClient c = client(Duration.ofSeconds(10));
    ParentClient.Transfer transfer = new ParentClient.Transfer();
    Thread canceller =
        new Thread(
            () -> {
              try {
                headSent.await(10, TimeUnit.SECONDS);
                Thread.sleep(100);
              } catch (InterruptedException e) {
                return;
              }
              transfer.cancel();
            });
    canceller.start();
    assertThat(c.fetch(parent, "t", 0, 1_000_000, transfer))
        .isInstanceOf(PieceAnswer.Cancelled.class);
    canceller.join();
  }

  @Test
  void piecesFromARealServerReuseOneConnection(@TempDir Path dir) throws Exception {
    PieceLayout layout = new PieceLayout(5 * 300_000L + 7, 300_000);
    PieceFile file = PieceFile.open(dir.resolve("content"), layout);
    open.add(file);
    List<byte[]> pieces = new ArrayList<>();
    for (int p = 0; p < layout.pieceCount(); p++) {
      byte[] b = new byte[layout.length(p)];
      Arrays.fill(b, (byte) p);
      b[0] = 42;
      pieces.add(b);
      file.writeFromOrigin(p, b);
    }
    PieceServer server = PieceServer.start(t -> Optional.of(file), "127.0.0.1", 0, 0, 4);
    open.add(server);
    ParentClient c = client(Duration.ofSeconds(5));
    String parent = "127.0.0.1:" + server.port();
    for (int round = 0; round < 2; round++) {
      for (int p = 0; p < layout.pieceCount(); p++) {
        PieceAnswer a = c.fetch(parent, "t", p, layout.length(p), new ParentClient.Transfer());
        assertThat(a).isInstanceOf(PieceAnswer.Bytes.class);
        PieceAnswer.Bytes b = (PieceAnswer.Bytes) a;
        assertThat(b.data()).isEqualTo(pieces.get(p));
        assertThat(b.digestHex()).isEqualTo(file.digestHex(p).orElseThrow());
      }
    }
    assertThat(c.fetch(parent, "t", 99)).isInstanceOf(PieceAnswer.NotHeld.class);
    assertThat(c.pieceConnectionsOpened()).isEqualTo(1);
  }
}
