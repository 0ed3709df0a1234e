package io.swarmsched.agent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PieceFileTest {
  @TempDir Path dir;

  private static byte[] content(int size) {
    byte[] b = new byte[size];
    new Random(42).nextBytes(b);
    return b;
  }

  private static byte[] slice(byte[] content, PieceLayout layout, int piece) {
    int off = (int) layout.offset(piece);
    return Arrays.copyOfRange(content, off, off + layout.length(piece));
  }

  @Test
  void layoutCutsTheLastPieceShort() {
    PieceLayout layout = new PieceLayout(10, 4);
    assertThat(layout.pieceCount()).isEqualTo(3);
    assertThat(layout.length(2)).isEqualTo(2);
    assertThat(layout.offset(2)).isEqualTo(8);
    assertThat(new PieceLayout(0, 4).pieceCount()).isZero();
  }

  @Test
  void preAllocatesTheFileToTheContentLength() throws IOException {
    Path f = dir.resolve("out.bin");
    try (PieceFile file = PieceFile.open(f, new PieceLayout(1_000_000, 65536))) {
      assertThat(Files.size(f)).isEqualTo(1_000_000);
      assertThat(file.verifiedCount()).isZero();
    }
  }

  @Test
  void writesVerifiedPiecesInPlaceAndReadsThemBack() throws Exception {
    byte[] content = content(10_000);
    PieceLayout layout = new PieceLayout(content.length, 4096);
    Path f = dir.resolve("out.bin");
    try (PieceFile file = PieceFile.open(f, layout)) {
      for (int p = layout.pieceCount() - 1; p >= 0; p--) {
        byte[] piece = slice(content, layout, p);
        file.writeVerified(p, piece, Digests.sha256Hex(piece));
      }
      assertThat(file.complete()).isTrue();
      assertThat(file.read(1)).isEqualTo(slice(content, layout, 1));
      assertThat(file.contentDigest()).isEqualTo("sha256:" + Digests.sha256Hex(content));
    }
    assertThat(Files.readAllBytes(f)).isEqualTo(content);
  }

  @Test
  void readsARangeOfAVerifiedPieceOnly() throws Exception {
    byte[] content = content(10_000);
    PieceLayout layout = new PieceLayout(content.length, 4096);
    try (PieceFile file = PieceFile.open(dir.resolve("out.bin"), layout)) {
      byte[] piece = slice(content, layout, 1);
      file.writeVerified(1, piece, Digests.sha256Hex(piece));
      byte[] dst = new byte[1010];
      file.read(1, 4000, dst, 10, 96);
      assertThat(Arrays.copyOfRange(dst, 10, 106)).isEqualTo(Arrays.copyOfRange(piece, 4000, 4096));
      assertThatThrownBy(() -> file.read(1, 4000, dst, 0, 97))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> file.read(0, 0, dst, 0, 10))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void refusesAPieceWhoseDigestDoesNotMatchAndWritesNothing() throws Exception {
    byte[] content = content(8192);
    PieceLayout layout = new PieceLayout(content.length, 4096);
    Path f = dir.resolve("out.bin");
    try (PieceFile file = PieceFile.open(f, layout)) {
      byte[] good = slice(content, layout, 0);
      byte[] corrupted = good.clone();
      corrupted[17] ^= 0x5a;
      assertThatThrownBy(() -> file.writeVerified(0, corrupted, Digests.sha256Hex(good)))
          .isInstanceOf(PieceVerificationException.class)
          .hasMessageContaining("piece 0: digest mismatch");
      assertThat(file.has(0)).isFalse();
      assertThatThrownBy(() -> file.read(0)).isInstanceOf(IllegalStateException.class);
    }
    assertThat(Files.readAllBytes(f)).containsOnly(0);
  }

  @Test
  void refusesAPieceOfTheWrongLength() throws Exception {
    try (PieceFile file = PieceFile.open(dir.resolve("o"), new PieceLayout(100, 64))) {
      assertThatThrownBy(() -> file.writeFromOrigin(1, new byte[64]))
          .isInstanceOf(PieceVerificationException.class)
          .hasMessageContaining("length 64, expected 36");
    }
  }

  @Test
  void reopeningResumesFromTheVerifiedPiecesOnly() throws Exception {
    byte[] content = content(5 * 1024);
    PieceLayout layout = new PieceLayout(content.length, 1024);
    Path f = dir.resolve("out.bin");
    try (PieceFile file = PieceFile.open(f, layout)) {
      file.writeFromOrigin(0, slice(content, layout, 0));
      file.writeFromOrigin(3, slice(content, layout, 3));
    }
    try (PieceFile file = PieceFile.open(f, layout)) {
      assertThat(file.verifiedPieces().stream().toArray()).containsExactly(0, 3);
      assertThat(file.digestHex(3)).contains(Digests.sha256Hex(slice(content, layout, 3)));
    }
  }

  @Test
  void forgetsARecordedPieceWhoseBytesWereDamagedOnDisk() throws Exception {
    byte[] content = content(4 * 1024);
    PieceLayout layout = new PieceLayout(content.length, 1024);
    Path f = dir.resolve("out.bin");
    try (PieceFile file = PieceFile.open(f, layout)) {
      file.writeFromOrigin(0, slice(content, layout, 0));
      file.writeFromOrigin(1, slice(content, layout, 1));
    }
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(1024 + 5);
      raf.write(0xff ^ content[1024 + 5]);
    }
    try (PieceFile file = PieceFile.open(f, layout)) {
      assertThat(file.has(0)).isTrue();
      assertThat(file.has(1)).isFalse();
    }
  }

  @Test
  void refusesASidecarOfOtherContent() throws Exception {
    Path f = dir.resolve("out.bin");
    PieceFile.open(f, new PieceLayout(4096, 1024)).close();
    assertThatThrownBy(() -> PieceFile.open(f, new PieceLayout(8192, 1024)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("describes other content");
  }

  @Test
  void parsesWholeFileDigests() {
    String hex = "a".repeat(64);
    assertThat(Digests.parseSha256("sha256:" + hex.toUpperCase())).isEqualTo(hex);
    assertThat(Digests.parseSha256(hex)).isEqualTo(hex);
    assertThatThrownBy(() -> Digests.parseSha256("md5:abc"))
        .hasMessageContaining("unsupported digest algorithm 'md5'");
    assertThatThrownBy(() -> Digests.parseSha256("sha256:xyz"))
        .hasMessageContaining("64 hex characters");
  }
}
