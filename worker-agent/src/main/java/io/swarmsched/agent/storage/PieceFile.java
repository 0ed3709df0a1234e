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

  /**
   * The data file opened with {@code O_DIRECT} ({@link #open(Path, PieceLayout, boolean)}), or
   * null: pieces whose offset and length are multiples of {@link #ALIGN} are written and read
   * through it, the rest (a file's last piece) through {@link #data}. Set to null for good after
   * any failure of a direct operation, which is then done again through {@link #data}.
   */
  private volatile FileChannel direct;

  private final FileChannel sidecar;
  private final BitSet verified;
  private final byte[][] digests;

  /** Alignment of direct transfers: buffer address, file position and length. */
  static final int ALIGN = 4096;

  /** Bytes per direct transfer: each thread copies through one aligned buffer of this size. */
  private static final int DIRECT_CHUNK = 1 << 20;

  private static final ThreadLocal<ByteBuffer> DIRECT_BUFFER =
      ThreadLocal.withInitial(
          () -> ByteBuffer.allocateDirect(DIRECT_CHUNK + ALIGN).alignedSlice(ALIGN));

  private PieceFile(
      Path dataPath,
      PieceLayout layout,
      FileChannel data,
      FileChannel direct,
      FileChannel sidecar) {
    this.dataPath = dataPath;
    this.sidecarPath = sidecarPath(dataPath);
    this.layout = layout;
    this.data = data;
    this.direct = direct;
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
    return open(dataPath, layout, false);
  }

  /**
   * As {@link #open(Path, PieceLayout)}; with {@code directIo}, pieces aligned to {@value #ALIGN}
   * bytes are written and read with {@code O_DIRECT}, bypassing the page cache, where the file
   * system allows it (else, silently, through the page cache). On a virtual machine that hands
   * freed memory back to its host, every page the page cache fills is first touched again at a host
   * fault: writing a GiB through it cost 1.3-1.6 s of system CPU here against 0.1 s direct
   * (docs/benchmarks.md, "The agent's data path").
   */
  public static PieceFile open(Path dataPath, PieceLayout layout, boolean directIo)
      throws IOException {
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
    FileChannel direct = directIo ? openDirect(dataPath) : null;
    PieceFile file = new PieceFile(dataPath, layout, data, direct, sidecar);
    try {
      file.initialise();
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
    return file;
  }

  /** The data file with {@code O_DIRECT}, or null where the file system or JDK refuses it. */
  private static FileChannel openDirect(Path dataPath) {
    try {
      long block = Files.getFileStore(dataPath).getBlockSize();
      if (block <= 0 || block > ALIGN || ALIGN % block != 0) {
        return null;
      }
      return FileChannel.open(
          dataPath,
          StandardOpenOption.READ,
          StandardOpenOption.WRITE,
          com.sun.nio.file.ExtendedOpenOption.DIRECT);
    } catch (IOException | UnsupportedOperationException e) {
      return null; // e.g. tmpfs: EINVAL
    }
  }

  /** Whether aligned pieces go around the page cache (false after a direct operation failed). */
  public boolean directIo() {
    return direct != null;
  }

  /** The direct channel, for a test to make it fail; null when none. */
  FileChannel directChannel() {
    return direct;
  }

  private static boolean aligned(long position, long length) {
    return (position & (ALIGN - 1)) == 0 && (length & (ALIGN - 1)) == 0;
  }

  /** A direct transfer failed: from now on everything goes through the page cache. */
  private void directFailed(IOException e) {
    FileChannel d = direct;
    direct = null;
    if (d != null) {
      try {
        d.close();
      } catch (IOException ignored) {
        // closing a channel we stop using
      }
    }
  }

  /** Writes {@code bytes} at {@code offset} (both aligned) through the direct channel. */
  private boolean writeDirect(FileChannel d, byte[] bytes, long offset) {
    ByteBuffer buf = DIRECT_BUFFER.get();
    try {
      for (int done = 0; done < bytes.length; ) {
        int n = Math.min(DIRECT_CHUNK, bytes.length - done);
        buf.clear();
        buf.put(bytes, done, n).flip();
        while (buf.hasRemaining()) {
          d.write(buf, offset + done + buf.position());
        }
        done += n;
      }
      return true;
    } catch (IOException e) {
      directFailed(e);
      return false;
    }
  }

  /**
   * Reads [{@code position}, {@code position + length}) into {@code dst} at {@code dstOffset}
   * through the direct channel, by aligned blocks around it. False when a direct read failed (then
   * the caller reads through the page cache).
   */
  private boolean readDirect(FileChannel d, long position, byte[] dst, int dstOffset, int length)
      throws IOException {
    ByteBuffer buf = DIRECT_BUFFER.get();
    int done = 0;
    try {
      while (done < length) {
        long pos = position + done;
        long at = pos & -ALIGN;
        int skip = (int) (pos - at);
        int want = (int) Math.min(DIRECT_CHUNK, roundUp(skip + (long) (length - done)));
        buf.clear().limit(want);
        int n = 0;
        while (buf.hasRemaining()) {
          int r = d.read(buf, at + buf.position());
          if (r <= 0) {
            break; // the end of the file (a short last block)
          }
          n += r;
          if ((n & (ALIGN - 1)) != 0) {
            break; // short read at the end of the file
          }
        }
        if (n <= skip) {
          throw new java.io.EOFException(dataPath + " ends at " + (at + n));
        }
        int take = Math.min(n - skip, length - done);
        buf.position(skip).limit(skip + take);
        buf.get(dst, dstOffset + done, take);
        done += take;
      }
      return true;
    } catch (java.io.EOFException e) {
      throw e;
    } catch (IOException e) {
      directFailed(e);
      return false;
    }
  }

  private static long roundUp(long n) {
    return (n + ALIGN - 1) & -ALIGN;
  }

  /** Reads {@code length} bytes at {@code position}, direct where possible. */
  private void readAt(long position, byte[] dst, int dstOffset, int length) throws IOException {
    FileChannel d = direct;
    if (d != null && readDirect(d, position, dst, dstOffset, length)) {
      return;
    }
    ByteBuffer buf = ByteBuffer.wrap(dst, dstOffset, length);
    long start = position - dstOffset;
    while (buf.hasRemaining()) {
      if (data.read(buf, start + buf.position()) < 0) {
        throw new java.io.EOFException(dataPath + " ends at " + (start + buf.position()));
      }
    }
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
    java.util.Objects.checkFromIndexSize(dstOffset, length, dst.length);
    try {
      readAt(layout.offset(piece) + offset, dst, dstOffset, length);
    } catch (java.io.EOFException e) {
      throw new IOException(dataPath + " ends inside piece " + piece, e);
    }
  }

  private byte[] readRaw(int piece) throws IOException {
    byte[] out = new byte[layout.length(piece)];
    try {
      readAt(layout.offset(piece), out, 0, out.length);
    } catch (java.io.EOFException e) {
      // a file cut short: what is missing reads as zeros, and the digest check says so
    }
    return out;
  }

  private void checkLength(int piece, byte[] bytes) throws PieceVerificationException {
    int expected = layout.length(piece);
    if (bytes.length != expected) {
      throw new PieceVerificationException(
          piece, "length " + bytes.length + ", expected " + expected);
    }
  }

  private void store(int piece, byte[] bytes, byte[] digest) throws IOException {
    long offset = layout.offset(piece);
    FileChannel d = direct;
    if (d == null || !aligned(offset, bytes.length) || !writeDirect(d, bytes, offset)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        data.write(buf, offset + buf.position());
      }
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
    FileChannel d = direct;
    if (d != null) {
      byte[] chunk = new byte[DIRECT_CHUNK];
      long pos = 0;
      boolean ok = true;
      while (ok && pos < layout.contentLength()) {
        int n = (int) Math.min(DIRECT_CHUNK, layout.contentLength() - pos);
        ok = readDirect(d, pos, chunk, 0, n);
        if (ok) {
          md.update(chunk, 0, n);
          pos += n;
        }
      }
      if (ok) {
        return Digests.SHA256_PREFIX + HexFormat.of().formatHex(md.digest());
      }
      md.reset(); // a direct read failed: start again through the page cache
    }
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
    FileChannel d = direct;
    try (data;
        sidecar) {
      if (d != null) {
        d.close();
      }
      if (sidecar.isOpen()) {
        sidecar.force(true);
      }
    }
  }
}
