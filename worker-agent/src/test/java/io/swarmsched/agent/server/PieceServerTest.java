package io.swarmsched.agent.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.agent.server.ParentClient.PieceAnswer;
import io.swarmsched.agent.storage.Digests;
import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.agent.storage.PieceLayout;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PieceServerTest {
  @TempDir Path dir;
  private PieceFile file;
  private byte[] piece0;
  private final ParentClient client = new ParentClient(Duration.ofSeconds(10));

  @BeforeEach
  void holdOnePieceOfTwo() throws Exception {
    file = PieceFile.open(dir.resolve("t.bin"), new PieceLayout(128 * 1024, 64 * 1024));
    piece0 = new byte[64 * 1024];
    new Random(5).nextBytes(piece0);
    file.writeFromOrigin(0, piece0);
  }

  @AfterEach
  void close() throws Exception {
    file.close();
  }

  /** Every task is the test's file, held as a source (a seed's copy). */
  private HeldTasks seedLike() {
    return new HeldTasks() {
      @Override
      public Optional<PieceFile> find(String taskId) {
        return Optional.of(file);
      }

      @Override
      public boolean source(String taskId) {
        return true;
      }
    };
  }

  private HeldTasks only(String taskId) {
    return id -> id.equals(taskId) ? Optional.of(file) : Optional.empty();
  }

  @Test
  void servesAVerifiedPieceWithItsDigest() throws Exception {
    try (PieceServer server = PieceServer.start(only("t1"), "127.0.0.1", 0, 0, 4)) {
      PieceAnswer answer = client.fetch("127.0.0.1:" + server.port(), "t1", 0);
      assertThat(answer).isInstanceOf(PieceAnswer.Bytes.class);
      assertThat(((PieceAnswer.Bytes) answer).data()).isEqualTo(piece0);
      assertThat(((PieceAnswer.Bytes) answer).digestHex()).isEqualTo(Digests.sha256Hex(piece0));
      io.swarmsched.testing.Await.until(
          Duration.ofSeconds(10),
          "the server to count what it sent",
          () -> server.load().servedBytes() == piece0.length);
    }
  }

  @Test
  void aPieceNotVerifiedHereOrAnUnknownTaskIsNotHeld() throws Exception {
    try (PieceServer server = PieceServer.start(only("t1"), "127.0.0.1", 0, 0, 4)) {
      String address = "127.0.0.1:" + server.port();
      assertThat(client.fetch(address, "t1", 1)).isInstanceOf(PieceAnswer.NotHeld.class);
      assertThat(client.fetch(address, "t1", 99)).isInstanceOf(PieceAnswer.NotHeld.class);
      assertThat(client.fetch(address, "other", 0)).isInstanceOf(PieceAnswer.NotHeld.class);
    }
  }

  @Test
  void statusListsHeldPiecesAndLoad() throws Exception {
    try (PieceServer server = PieceServer.start(only("t1"), "127.0.0.1", 0, 5_000_000, 3)) {
      ParentClient.ParentStatus status =
          client.status("127.0.0.1:" + server.port(), "t1", "peer-a");
      assertThat(status.pieceCount()).isEqualTo(2);
      assertThat(status.pieces().get(0)).isTrue();
      assertThat(status.pieces().get(1)).isFalse();
      assertThat(status.load().maxTx()).isEqualTo(5_000_000);
      assertThat(status.load().peerId()).isEqualTo("peer-a");
      assertThat(status.source()).as("an ordinary peer's copy").isFalse();
      assertThat(status.idc()).as("no IDC configured").isEmpty();
    }
  }

  @Test
  void statusNamesTheAgentsIdc() throws Exception {
    try (PieceServer server = PieceServer.start(only("t1"), "127.0.0.1", 0, 0, 3, "dc-\"2\"")) {
      assertThat(client.status("127.0.0.1:" + server.port(), "t1", "peer-a").idc())
          .isEqualTo("dc-\"2\"");
    }
  }

  @Test
  void statusSaysWhenTheCopyIsASource() throws Exception {
    HeldTasks seedLike = seedLike();
    try (PieceServer server = PieceServer.start(seedLike, "127.0.0.1", 0, 5_000_000, 3)) {
      assertThat(client.status("127.0.0.1:" + server.port(), "t1", "peer-a").source()).isTrue();
    }
    // A source grants the origin as a parent of last resort to the first children that name
    // themselves, one slice each, and to nobody else; a child asking again keeps its slice.
    try (PieceServer server =
        PieceServer.start(seedLike, "127.0.0.1", 0, 5_000_000, 3).originAssist(2)) {
      String at = "127.0.0.1:" + server.port();
      assertThat(client.status(at, "t1", "seed", "child-a").originSlice()).isZero();
      assertThat(client.status(at, "t1", "seed", "child-b").originSlice()).isOne();
      assertThat(client.status(at, "t1", "seed", "child-c").originGranted()).isFalse();
      assertThat(client.status(at, "t1", "seed", "child-a").originSlice()).isZero();
      assertThat(client.status(at, "t1", "seed", "child-b").originSlices()).isEqualTo(2);
      assertThat(client.status(at, "t1", "seed").originGranted()).as("unnamed").isFalse();
    }
  }

  @Test
  void aSourceCountsThePiecesItsGrantedChildReadFromTheOriginAsSent() throws Exception {
    byte[] piece1 = new byte[64 * 1024];
    new Random(6).nextBytes(piece1);
    file.writeFromOrigin(1, piece1);
    HeldTasks seedLike = seedLike();
    java.util.BitSet one = new java.util.BitSet();
    one.set(1);
    try (PieceServer server =
        PieceServer.start(seedLike, "127.0.0.1", 0, 5_000_000, 3).originAssist(1)) {
      String at = "127.0.0.1:" + server.port();
      assertThat(client.status(at, "t1", "seed", "child-a").pieces().cardinality()).isEqualTo(2);
      // child-a was granted the origin and read piece 1 from it: the source offers piece 0 alone
      assertThat(client.status(at, "t1", "seed", "child-a", one).pieces().stream().toArray())
          .containsExactly(0);
      // a child without a grant cannot move the offer
      java.util.BitSet zero = new java.util.BitSet();
      zero.set(0);
      assertThat(client.status(at, "t1", "seed", "child-b", zero).pieces().stream().toArray())
          .containsExactly(0);
      assertThat(client.fetch(at, "t1", 1))
          .as("piece 1 is in the swarm already")
          .isInstanceOf(PieceAnswer.NotHeld.class);
      // a set too long for a request line is not sent at all: the status read still works
      java.util.BitSet tooLong = new java.util.BitSet();
      tooLong.set(0, 8 * (ParentClient.MAX_ORIGIN_READ_CHARS + 8));
      assertThat(client.status(at, "t1", "seed", "child-a", tooLong).pieces().stream().toArray())
          .containsExactly(0);
      // a report naming a piece beyond the task, or not base64url, is refused with a reason
      java.util.BitSet beyond = new java.util.BitSet();
      beyond.set(5);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> client.status(at, "t1", "seed", "child-a", beyond))
          .hasMessageContaining("answered 400");
      HttpResponse<String> bad =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://" + at + "/tasks/t1/status?child=child-a&origin_read=%2B%2B"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("origin_read is not the base64url");
      HttpResponse<String> huge =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://"
                                  + at
                                  + "/tasks/t1/status?child=child-a&origin_read="
                                  + "A".repeat(4000)))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(huge.statusCode()).isEqualTo(400);
    }
  }

  @Test
  void answersBusyWhenEveryUploadSlotIsTaken() throws Exception {
    // One slot and 16 KiB/s: the first 64 KiB upload holds the slot for about three seconds.
    try (PieceServer server = PieceServer.start(only("t1"), "127.0.0.1", 0, 16 * 1024, 1)) {
      String address = "127.0.0.1:" + server.port();
      CompletableFuture<PieceAnswer> first =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return client.fetch(address, "t1", 0);
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      io.swarmsched.testing.Await.until(
          Duration.ofSeconds(30),
          "first upload holds the only slot",
          () -> server.load().concurrentUploads() == 1);
      assertThat(client.fetch(address, "t1", 0)).isInstanceOf(PieceAnswer.Busy.class);
      assertThat(first.get()).isInstanceOf(PieceAnswer.Bytes.class);
    }
  }

  @Test
  void malformedRequestsGetAClearError() throws Exception {
    try (PieceServer server = PieceServer.start(only("t1"), "127.0.0.1", 0, 0, 1)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.port() + "/tasks/t1/pieces/abc"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("piece number is not an integer: abc");
      HttpResponse<String> post =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/load"))
                  .POST(HttpRequest.BodyPublishers.ofString("x"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }
}
