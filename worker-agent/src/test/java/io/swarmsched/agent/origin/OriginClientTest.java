package io.swarmsched.agent.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginClientTest {
  @TempDir Path root;
  private byte[] content;
  private final OriginClient client = new OriginClient(Duration.ofSeconds(10));

  @BeforeEach
  void writeFile() throws IOException {
    content = new byte[300_000];
    new Random(1).nextBytes(content);
    Files.write(root.resolve("blob.bin"), content);
  }

  @Test
  void probesLengthAndFetchesRanges() throws Exception {
    try (OriginServer origin = OriginServer.start(root, "127.0.0.1", 0, true)) {
      OriginClient.Probe probe = client.probe(origin.url("blob.bin"));
      assertThat(probe.contentLength()).isEqualTo(content.length);
      assertThat(probe.acceptsRanges()).isTrue();
      byte[] piece = client.fetchRange(origin.url("blob.bin"), 100_000, 65_536);
      assertThat(piece).isEqualTo(Arrays.copyOfRange(content, 100_000, 165_536));
      io.swarmsched.testing.Await.until(
          Duration.ofSeconds(10),
          "the origin to count what it sent",
          () -> origin.bytesServed() == 65_536);
    }
  }

  @Test
  void fallsBackToTheWholeBodyWhenTheOriginIgnoresRange() throws Exception {
    try (OriginServer origin = OriginServer.start(root, "127.0.0.1", 0, false)) {
      OriginClient.Probe probe = client.probe(origin.url("blob.bin"));
      assertThat(probe).isEqualTo(new OriginClient.Probe(content.length, false));
      byte[] last = client.fetchRange(origin.url("blob.bin"), 299_000, 1_000);
      assertThat(last).isEqualTo(Arrays.copyOfRange(content, 299_000, 300_000));
    }
  }

  @Test
  void missingFileIsAnOriginErrorWith404() throws Exception {
    try (OriginServer origin = OriginServer.start(root, "127.0.0.1", 0, true)) {
      assertThatThrownBy(() -> client.probe(origin.url("nope.bin")))
          .isInstanceOf(OriginException.class)
          .hasMessageContaining("origin answered 404")
          .satisfies(e -> assertThat(((OriginException) e).status()).isEqualTo(404));
    }
  }

  @Test
  void unreachableOriginSaysSo() throws Exception {
    int freePort;
    try (ServerSocket s = new ServerSocket(0)) {
      freePort = s.getLocalPort();
    }
    assertThatThrownBy(() -> client.probe("http://127.0.0.1:" + freePort + "/x"))
        .isInstanceOf(OriginException.class)
        .hasMessageContaining("unreachable");
  }

  @Test
  void unknownUrlSchemeIsRefusedBeforeAnyRequest() {
    assertThatThrownBy(() -> client.probe("ftp://example.org/file"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unsupported URL scheme 'ftp'");
    assertThatThrownBy(() -> OriginClient.checkUrl("file:///etc/passwd"))
        .hasMessageContaining("unsupported URL scheme 'file'");
  }
}
