package io.swarmsched.agent.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.agent.stage2.ParentLoad;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.BitSet;

/**
 * The child's side of the piece protocol: ask a parent what it holds (JSON through the JDK {@code
 * HttpClient}), and fetch a piece ({@link PieceFetcher}: lean HTTP/1.1 over pooled keep-alive
 * connections, the body read straight into the piece's array).
 */
public final class ParentClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final Duration timeout;
  private final Duration transferLimit;
  private final PieceFetcher pieces;

  public ParentClient(Duration timeout) {
    this.timeout = timeout;
    this.transferLimit = timeout.multipliedBy(4);
    this.pieces = new PieceFetcher(timeout, transferLimit);
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /**
   * What a parent holds of a task, whether its copy is a source (a super seed's, or fetched from
   * the origin), how loaded it is and which IDC it is in.
   *
   * @param idc the parent's IDC as it reports it; empty when it has none configured or is an agent
   *     from before the status carried it
   */
  public record ParentStatus(
      BitSet pieces,
      int pieceCount,
      ParentLoad load,
      boolean source,
      String idc,
      int originSlice,
      int originSlices) {
    public ParentStatus(BitSet pieces, int pieceCount, ParentLoad load, boolean source) {
      this(pieces, pieceCount, load, source, "");
    }

    public ParentStatus(
        BitSet pieces, int pieceCount, ParentLoad load, boolean source, String idc) {
      this(pieces, pieceCount, load, source, idc, -1, 0);
    }

    /**
     * Whether this source granted the asking child the origin as a parent of last resort (its slice
     * {@link #originSlice} of {@link #originSlices}: the pieces {@code p} with {@code p mod
     * originSlices == originSlice}).
     */
    public boolean originGranted() {
      return source && originSlice >= 0 && originSlices > 0 && originSlice < originSlices;
    }
  }

  /** The answer to a piece request. */
  public sealed interface PieceAnswer {
    record Bytes(byte[] data, String digestHex) implements PieceAnswer {}

    /** All its upload slots are busy: pick another parent now, this one may be free later. */
    record Busy() implements PieceAnswer {}

    /** It does not hold the piece (any more). */
    record NotHeld() implements PieceAnswer {}

    record Failed(String reason) implements PieceAnswer {}

    /** The child cancelled the transfer (an endgame duplicate that lost the race). */
    record Cancelled() implements PieceAnswer {}
  }

  /**
   * A handle to stop a piece transfer from another thread. Cancelling closes the connection, so the
   * parent stops uploading (its write fails), rather than the child reading and throwing away the
   * rest of the piece.
   */
  public static final class Transfer {
    private volatile boolean cancelled;
    private volatile boolean timedOut;
    private Closeable connection;
    private Duration limit = Duration.ZERO;

    public void cancel() {
      cancelled = true;
      Closeable c;
      synchronized (this) {
        c = connection;
        connection = null;
      }
      if (c != null) {
        try {
          c.close();
        } catch (IOException e) {
          // The connection is going away either way.
        }
      }
    }

    /** Cancels as a failure: the parent took too long. */
    public void expire() {
      timedOut = true;
      cancel();
    }

    public boolean cancelled() {
      return cancelled;
    }

    /** False (and nothing attached) when already cancelled. */
    synchronized boolean attach(Closeable c) {
      if (cancelled) {
        return false;
      }
      connection = c;
      return true;
    }

    /** The connection is the fetcher's again (to pool or close); a late cancel leaves it alone. */
    synchronized void detach() {
      connection = null;
    }

    void limit(Duration transferLimit) {
      this.limit = transferLimit;
    }

    ParentClient.PieceAnswer cancelledAnswer(String address) {
      return timedOut
          ? new PieceAnswer.Failed(
              "parent " + address + " did not send the piece within " + limit.toSeconds() + " s")
          : new PieceAnswer.Cancelled();
    }
  }

  /**
   * Longest {@code origin_read} sent (about 49,000 pieces), well inside a piece server's 16 KiB
   * request line; a task with more pieces does not report its origin reads.
   */
  static final int MAX_ORIGIN_READ_CHARS = 8 * 1024;

  public ParentStatus status(String address, String taskId, String peerId)
      throws IOException, InterruptedException {
    return status(address, taskId, peerId, null);
  }

  /**
   * As {@link #status(String, String, String)}, naming the asking child ({@code childPeerId}, null
   * for none), so that a source may grant it the origin as a parent of last resort.
   */
  public ParentStatus status(String address, String taskId, String peerId, String childPeerId)
      throws IOException, InterruptedException {
    return status(address, taskId, peerId, childPeerId, null);
  }

  /**
   * As {@link #status(String, String, String, String)}, also telling the source that granted this
   * child the origin which pieces it has read from the origin ({@code originRead}, null or empty
   * for none), so that the source counts them as sent and offers others (docs/design.md, "Stage
   * 2").
   */
  public ParentStatus status(
      String address, String taskId, String peerId, String childPeerId, BitSet originRead)
      throws IOException, InterruptedException {
    String path = "/tasks/" + taskId + "/status";
    if (childPeerId != null) {
      path +=
          "?child="
              + java.net.URLEncoder.encode(childPeerId, java.nio.charset.StandardCharsets.UTF_8);
      if (originRead != null && !originRead.isEmpty()) {
        String read =
            Base64.getUrlEncoder().withoutPadding().encodeToString(originRead.toByteArray());
        if (read.length() <= MAX_ORIGIN_READ_CHARS) {
          path += "&origin_read=" + read;
        } // else not told: the source's offer then lags, nothing else (a request line has a limit)
      }
    }
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri(address, path)).timeout(timeout).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(
          "parent " + address + " answered " + r.statusCode() + " for the status of " + taskId);
    }
    JsonNode n = JSON.readTree(r.body());
    BitSet pieces = BitSet.valueOf(Base64.getDecoder().decode(n.path("pieces").asText("")));
    return new ParentStatus(
        pieces,
        n.path("piece_count").asInt(),
        new ParentLoad(peerId, n.path("max_tx").asLong(), n.path("tx").asLong()),
        n.path("source").asBoolean(false),
        n.path("idc").asText(""),
        n.path("origin_slice").asInt(-1),
        n.path("origin_slices").asInt(0));
  }

  public PieceAnswer fetch(String address, String taskId, int piece) throws InterruptedException {
    return fetch(address, taskId, piece, -1, new Transfer());
  }

  /** Fetches a piece; {@code transfer} may cancel it from another thread while it runs. */
  public PieceAnswer fetch(String address, String taskId, int piece, Transfer transfer)
      throws InterruptedException {
    return fetch(address, taskId, piece, -1, transfer);
  }

  /**
   * Fetches a piece of {@code expectedLength} bytes (-1: unknown, bounded by the largest piece a
   * layout may have); an answer of another length is refused before its body is read. {@code
   * transfer} may cancel it from another thread while it runs.
   */
  public PieceAnswer fetch(
      String address, String taskId, int piece, int expectedLength, Transfer transfer)
      throws InterruptedException {
    transfer.limit(transferLimit);
    if (transfer.cancelled()) {
      return new PieceAnswer.Cancelled();
    }
    PieceAnswer answer = pieces.fetch(address, taskId, piece, expectedLength, transfer);
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    return answer;
  }

  /** Connections opened for piece fetches so far; pooled keep-alive connections are reused. */
  public long pieceConnectionsOpened() {
    return pieces.connectionsOpened();
  }

  /** Closes the idle piece connections. */
  @Override
  public void close() {
    pieces.close();
  }

  private static URI uri(String address, String path) {
    String base =
        address.startsWith("http://") || address.startsWith("https://")
            ? address
            : "http://" + address;
    return URI.create(base + path);
  }
}
