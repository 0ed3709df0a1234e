package io.swarmsched.agent.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A task's content on disk: the data file, pre-allocated to the content length and written in place
 * piece by piece, and a sidecar ({@code <file>.pieces}) holding the SHA-256 of every piece verified
 * so far.
 *
 * <p>A piece is verified before it is written or served. On open, every piece the sidecar records
 * is re-hashed from the data file and any that does not match (a crash between the two writes, a
 * damaged disk) is forgotten, so a restarted agent resumes from exactly the pieces it can still
 * vouch for, without paying an fsync per piece while downloading.
 */
public final class PieceFile implements Closeable {
  private static final int MAGIC = 0x53574D50; // "SWMP"
  private static final int HEADER_BYTES = 4 + 8 + 4;
  private static final int DIGEST_BYTES = 32;
  private static final byte[] NO_DIGEST = new byte[DIGEST_BYTES];

  private final Path dataPath;
  private final Path sidecarPath;
  private final PieceLayout layout;
  private final FileChannel data;
  private final FileChannel sidecar;
  private final BitSet verified;
  private final byte[][] digests;

  private PieceFile(Path dataPath, PieceLayout layout, FileChannel data, FileChannel sidecar) {
    this.dataPath = dataPath;
    this.sidecarPath = sidecarPath(dataPath);
    this.layout = layout;
    this.data = data;
    this.sidecar = sidecar;
    this.verified = new BitSet(layout.pieceCount());
    this.digests = new byte[layout.pieceCount()][];
  }

  public static Path sidecarPath(Path dataPath) {
    return dataPath.resolveSibling(dataPath.getFileName() + ".pieces");
  }

  /**
   * Opens (or creates) the data file for a task with this layout. An existing sidecar for a
   * different layout is an error: the file belongs to other content.
   */
  public static PieceFile open(Path dataPath, PieceLayout layout) throws IOException {
    Path parent = dataPath.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    FileChannel data =
        FileChannel.open(
            dataPath, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileChannel sidecar =
        FileChannel.open(
            sidecarPath(dataPath),
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    PieceFile file = new PieceFile(dataPath, layout, data, sidecar);
    try {
      file.initialise();
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
    return file;
  }

  private void initialise() throws IOException {
    if (data.size() != layout.contentLength()) {
      // Pre-allocate: extend (sparse where the file system allows) or cut to the content length.
      if (data.size() > layout.contentLength()) {
        data.truncate(layout.contentLength());
      } else if (layout.contentLength() > 0) {
        data.write(ByteBuffer.wrap(new byte[1]), layout.contentLength() - 1);
      }
    }
    long expectedSidecar = HEADER_BYTES + (long) DIGEST_BYTES * layout.pieceCount();
    if (sidecar.size() == 0) {
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      header.putInt(MAGIC).putLong(layout.contentLength()).putInt(layout.pieceLength()).flip();
      sidecar.write(header, 0);
      if (layout.pieceCount() > 0) {
        sidecar.write(ByteBuffer.wrap(new byte[1]), expectedSidecar - 1);
      }
      sidecar.force(true);
      return;
    }
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    sidecar.read(header, 0);
    header.flip();
    int magic = header.getInt();
    long contentLength = header.getLong();
    int pieceLength = header.getInt();
    if (magic != MAGIC
        || contentLength != layout.contentLength()
        || pieceLength != layout.pieceLength()) {
      throw new IOException(
          sidecarPath
              + " describes other content (length "
              + contentLength
              + ", piece length "
              + pieceLength
              + "); remove it or choose another output file");
    }
    ByteBuffer digest = ByteBuffer.allocate(DIGEST_BYTES);
    for (int piece = 0; piece < layout.pieceCount(); piece++) {
      digest.clear();
      sidecar.read(digest, HEADER_BYTES + (long) DIGEST_BYTES * piece);
      byte[] recorded = Arrays.copyOf(digest.array(), DIGEST_BYTES);
      if (Arrays.equals(recorded, NO_DIGEST)) {
        continue;
      }
      byte[] bytes = readRaw(piece);
      if (MessageDigest.isEqual(recorded, Digests.sha256(bytes, 0, bytes.length))) {
        verified.set(piece);
        digests[piece] = recorded;
      } else {
        forget(piece);
      }
    }
  }

  public PieceLayout layout() {
    return layout;
  }

  public Path path() {
    return dataPath;
  }

  public synchronized boolean has(int piece) {
    return verified.get(piece);
  }

  public synchronized int verifiedCount() {
    return verified.cardinality();
  }

  public synchronized boolean complete() {
    return verified.cardinality() == layout.pieceCount();
  }

  /** A copy of the set of verified pieces. */
  public synchronized BitSet verifiedPieces() {
    return (BitSet) verified.clone();
  }

  /** The hex SHA-256 of a verified piece. */
  public synchronized Optional<String> digestHex(int piece) {
    return verified.get(piece)
        ? Optional.of(HexFormat.of().formatHex(digests[piece]))
        : Optional.empty();
  }

  /** Hex digests of every piece, in order; only meaningful once {@link #complete()}. */
  public synchronized List<String> digestsHex() {
    String[] out = new String[layout.pieceCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = digests[i] == null ? "" : HexFormat.of().formatHex(digests[i]);
    }
    return List.of(out);
  }

  /**
   * Writes a piece whose digest is known (from the task metadata), after checking it.
   *
   * @throws PieceVerificationException when length or digest do not match; nothing is written
   */
  public void writeVerified(int piece, byte[] bytes, String expectedHex)
      throws PieceVerificationException, IOException {
    checkLength(piece, bytes);
    byte[] actual = Digests.sha256(bytes, 0, bytes.length);
    byte[] expected;
    try {
      expected = HexFormat.of().parseHex(expectedHex);
    } catch (IllegalArgumentException e) {
      throw new PieceVerificationException(piece, "expected digest is not hex: " + expectedHex);
    }
    if (!MessageDigest.isEqual(actual, expected)) {
      throw new PieceVerificationException(
          piece,
          "digest mismatch: expected " + expectedHex + ", got " + HexFormat.of().formatHex(actual));
    }
    store(piece, bytes, actual);
  }

  /**
   * Writes a piece fetched from the origin, which is its own authority: its digest is computed here
   * and becomes the piece's digest in the task metadata.
   */
  public String writeFromOrigin(int piece, byte[] bytes)
      throws PieceVerificationException, IOException {
    checkLength(piece, bytes);
    byte[] actual = Digests.sha256(bytes, 0, bytes.length);
    store(piece, bytes, actual);
    return HexFormat.of().formatHex(actual);
  }

  /** The bytes of a verified piece. */
  public byte[] read(int piece) throws IOException {
    synchronized (this) {
      if (!verified.get(piece)) {
        throw new IllegalStateException("piece " + piece + " is not verified");
      }
    }
    return readRaw(piece);
  }

  /**
   * Reads {@code length} bytes of a verified piece, from {@code offset} within it, into {@code dst}
   * at {@code dstOffset}: a server streams a piece through one reused buffer this way instead of
   * allocating the whole piece per request.
   *
   * @throws IllegalStateException when the piece is not verified
   * @throws IndexOutOfBoundsException when the range is not within the piece or {@code dst}
   */
  public void read(int piece, int offset, byte[] dst, int dstOffset, int length)
      throws IOException {
    synchronized (this) {
      if (!verified.get(piece)) {
        throw new IllegalStateException("piece " + piece + " is not verified");
      }
    }
    java.util.Objects.checkFromIndexSize(offset, length, layout.length(piece));
    ByteBuffer buf = ByteBuffer.wrap(dst, dstOffset, length);
    long start = layout.offset(piece) + offset - dstOffset;
    while (buf.hasRemaining()) {
      if (data.read(buf, start + buf.position()) < 0) {
        throw new IOException(dataPath + " ends inside piece " + piece);
      }
    }
  }

  private byte[] readRaw(int piece) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(layout.length(piece));
    long offset = layout.offset(piece);
    while (buf.hasRemaining()) {
      if (data.read(buf, offset + buf.position()) < 0) {
        break;
      }
    }
    return buf.array();
  }

  private void checkLength(int piece, byte[] bytes) throws PieceVerificationException {
    int expected = layout.length(piece);
    if (bytes.length != expected) {
      throw new PieceVerificationException(
          piece, "length " + bytes.length + ", expected " + expected);
    }
  }

  private void store(int piece, byte[] bytes, byte[] digest) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    long offset = layout.offset(piece);
    while (buf.hasRemaining()) {
      data.write(buf, offset + buf.position());
    }
    // No fsync per piece: a digest recorded before its data reached the disk is caught when the
    // file is reopened, because every recorded piece is re-hashed then.
    synchronized (this) {
      sidecar.write(ByteBuffer.wrap(digest), HEADER_BYTES + (long) DIGEST_BYTES * piece);
      verified.set(piece);
      digests[piece] = digest;
    }
  }

  private void forget(int piece) throws IOException {
    sidecar.write(ByteBuffer.wrap(NO_DIGEST), HEADER_BYTES + (long) DIGEST_BYTES * piece);
  }

  /** SHA-256 of the whole content, streaming from disk. */
  public String contentDigest() throws IOException {
    MessageDigest md = Digests.sha256();
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    long pos = 0;
    while (pos < layout.contentLength()) {
      buf.clear();
      int n = data.read(buf, pos);
      if (n < 0) {
        break;
      }
      buf.flip();
      md.update(buf);
      pos += n;
    }
    return Digests.SHA256_PREFIX + HexFormat.of().formatHex(md.digest());
  }

  /** Forces the data and the sidecar to disk. */
  public void sync() throws IOException {
    data.force(false);
    sidecar.force(true);
  }

  @Override
  public void close() throws IOException {
    try (data;
        sidecar) {
      if (sidecar.isOpen()) {
        sidecar.force(true);
      }
    }
  }
}
