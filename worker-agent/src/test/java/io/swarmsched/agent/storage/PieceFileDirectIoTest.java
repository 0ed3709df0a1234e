package io.swarmsched.agent.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PieceFile} with {@code O_DIRECT}: aligned pieces go around the page cache, a file's short
 * last piece and unaligned layouts through it, and everything reads back the same either way. The
 * test directory is on the machine's disk file system (ext4 here, which allows {@code O_DIRECT});
 * where it does not, the tests that need it are skipped with the reason, and the fallback test
 * below covers that case.
 */
class PieceFileDirectIoTest {
  @TempDir Path dir;

  private static byte[] content(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] slice(byte[] content, PieceLayout layout, int piece) {
    int off = (int) layout.offset(piece);
    return Arrays.copyOfRange(content, off, off + layout.length(piece));
  }

  private PieceFile openDirect(Path f, PieceLayout layout) throws Exception {
    PieceFile file = PieceFile.open(f, layout, true);
    assumeThat(file.directIo())
        .as("O_DIRECT on the file system of " + dir + " (tmpfs, for one, refuses it)")
        .isTrue();
    return file;
  }

  @Test
  void alignedPiecesAndAShortLastPieceReadBackAsWritten() throws Exception {
    // 3 MiB + 1,000 bytes in 1 MiB pieces: three aligned pieces go direct (each larger than one
    // aligned buffer's chunk would be if it were smaller), the 1,000-byte last one through the
    // cache
    byte[] content = content(3 * (1 << 20) + 1000, 1);
    PieceLayout layout = new PieceLayout(content.length, 1 << 20);
    Path f = dir.resolve("out.bin");
    try (PieceFile file = openDirect(f, layout)) {
      for (int p = layout.pieceCount() - 1; p >= 0; p--) {
        byte[] piece = slice(content, layout, p);
        file.writeVerified(p, piece, Digests.sha256Hex(piece));
      }
      assertThat(file.directIo()).as("no direct transfer failed").isTrue();
      for (int p = 0; p < layout.pieceCount(); p++) {
        assertThat(file.read(p)).isEqualTo(slice(content, layout, p));
      }
      // ranges that start and end inside blocks, as a piece server reads them chunk by chunk
      byte[] dst = new byte[5000];
      file.read(1, 4095, dst, 3, 4997);
      assertThat(Arrays.copyOfRange(dst, 3, 5000))
          .isEqualTo(Arrays.copyOfRange(content, (1 << 20) + 4095, (1 << 20) + 4095 + 4997));
      byte[] tail = new byte[10];
      file.read(3, 990, tail, 0, 10);
      assertThat(tail).isEqualTo(Arrays.copyOfRange(content, content.length - 10, content.length));
      assertThat(file.contentDigest()).isEqualTo("sha256:" + Digests.sha256Hex(content));
      file.sync();
    }
    assertThat(Files.size(f)).isEqualTo(content.length);
    assertThat(Files.readAllBytes(f))
        .as("what a reader through the page cache sees")
        .isEqualTo(content);
  }

  @Test
  void reopeningVerifiesDirectlyWrittenPiecesAndForgetsADamagedOne() throws Exception {
    byte[] content = content(4 * 65536, 2);
    PieceLayout layout = new PieceLayout(content.length, 65536);
    Path f = dir.resolve("out.bin");
    try (PieceFile file = openDirect(f, layout)) {
      for (int p : new int[] {0, 2, 3}) {
        byte[] piece = slice(content, layout, p);
        file.writeVerified(p, piece, Digests.sha256Hex(piece));
      }
    }
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(2 * 65536 + 17);
      raf.write(~content[2 * 65536 + 17]);
    }
    try (PieceFile file = openDirect(f, layout)) {
      assertThat(file.verifiedPieces().stream().toArray()).containsExactly(0, 3);
      assertThat(file.read(3)).isEqualTo(slice(content, layout, 3));
    }
  }

  @Test
  void anUnalignedLayoutGoesThroughThePageCacheAndStillReadsBack() throws Exception {
    byte[] content = content(10_000, 3);
    PieceLayout layout = new PieceLayout(content.length, 3000); // no piece starts on a block
    Path f = dir.resolve("out.bin");
    try (PieceFile file = PieceFile.open(f, layout, true)) {
      for (int p = 0; p < layout.pieceCount(); p++) {
        byte[] piece = slice(content, layout, p);
        file.writeVerified(p, piece, Digests.sha256Hex(piece));
      }
      for (int p = 0; p < layout.pieceCount(); p++) {
        assertThat(file.read(p)).isEqualTo(slice(content, layout, p));
      }
      assertThat(file.contentDigest()).isEqualTo("sha256:" + Digests.sha256Hex(content));
    }
  }

  @Test
  void aFailedDirectTransferFallsBackToThePageCacheForGood() throws Exception {
    byte[] content = content(4 * 65536, 4);
    PieceLayout layout = new PieceLayout(content.length, 65536);
    Path f = dir.resolve("out.bin");
    try (PieceFile file = openDirect(f, layout)) {
      byte[] p0 = slice(content, layout, 0);
      file.writeVerified(0, p0, Digests.sha256Hex(p0));
      // the direct channel fails under it (as a write refused with EINVAL would): the next write
      // is done again through the page cache, and so is everything after it
      file.directChannel().close();
      for (int p = 1; p < layout.pieceCount(); p++) {
        byte[] piece = slice(content, layout, p);
        file.writeVerified(p, piece, Digests.sha256Hex(piece));
      }
      assertThat(file.directIo()).isFalse();
      for (int p = 0; p < layout.pieceCount(); p++) {
        assertThat(file.read(p)).isEqualTo(slice(content, layout, p));
      }
      assertThat(file.contentDigest()).isEqualTo("sha256:" + Digests.sha256Hex(content));
    }
    assertThat(Files.readAllBytes(f)).isEqualTo(content);
  }

  @Test
  void withoutDirectIoNothingGoesAroundThePageCache() throws Exception {
    PieceLayout layout = new PieceLayout(65536, 65536);
    try (PieceFile file = PieceFile.open(dir.resolve("out.bin"), layout)) {
      assertThat(file.directIo()).isFalse();
    }
    try (PieceFile file = PieceFile.open(dir.resolve("out2.bin"), layout, false)) {
      assertThat(file.directIo()).isFalse();
    }
  }
}
