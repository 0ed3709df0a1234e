package io.swarmsched.agent.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.agent.stage2.ParentLoad;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.BitSet;

/** The child's side of the piece protocol: ask a parent what it holds, and fetch a piece. */
public final class ParentClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int READ_BUFFER = 16 * 1024;

  private final HttpClient http;
  private final Duration timeout;

  public ParentClient(Duration timeout) {
    this.timeout = timeout;
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
   * A handle to stop a piece transfer from another thread. Cancelling closes the response body, so
   * the HTTP connection is torn down and the parent stops uploading (its write fails), rather than
   * the child reading and throwing away the rest of the piece.
   */
  public static final class Transfer {
    private volatile boolean cancelled;
    private volatile boolean timedOut;
    private volatile InputStream body;

    public void cancel() {
      cancelled = true;
      closeBody();
    }

    /** Cancels as a failure: the parent took too long. */
    public void expire() {
      timedOut = true;
      cancel();
    }

    public boolean cancelled() {
      return cancelled;
    }

    private void attach(InputStream in) {
      body = in;
      if (cancelled) {
        closeBody();
      }
    }

    private void closeBody() {
      InputStream in = body;
      if (in != null) {
        try {
          in.close();
        } catch (IOException e) {
          // The connection is going away either way.
        }
      }
    }
  }

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
    String path = "/tasks/" + taskId + "/status";
    if (childPeerId != null) {
      path +=
          "?child="
              + java.net.URLEncoder.encode(childPeerId, java.nio.charset.StandardCharsets.UTF_8);
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
    return fetch(address, taskId, piece, new Transfer());
  }

  /** Fetches a piece; {@code transfer} may cancel it from another thread while it runs. */
  public PieceAnswer fetch(String address, String taskId, int piece, Transfer transfer)
      throws InterruptedException {
    if (transfer.cancelled()) {
      return new PieceAnswer.Cancelled();
    }
    try {
      HttpResponse<InputStream> r =
          http.send(
              HttpRequest.newBuilder(uri(address, "/tasks/" + taskId + "/pieces/" + piece))
                  .timeout(timeout.multipliedBy(4))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = r.body()) {
        transfer.attach(body);
        return switch (r.statusCode()) {
          case 200 -> read(body, r, transfer, address);
          case 503 -> new PieceAnswer.Busy();
          case 404 -> new PieceAnswer.NotHeld();
          default -> new PieceAnswer.Failed("parent " + address + " answered " + r.statusCode());
        };
      }
    } catch (IOException e) {
      if (transfer.cancelled()) {
        return cancelledAnswer(transfer, address);
      }
      return new PieceAnswer.Failed("parent " + address + " unreachable: " + e.getMessage());
    }
  }

  private PieceAnswer read(
      InputStream body, HttpResponse<InputStream> r, Transfer transfer, String address)
      throws IOException {
    long length = r.headers().firstValueAsLong("Content-Length").orElse(-1);
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(
            length > 0 && length < Integer.MAX_VALUE ? (int) length : READ_BUFFER);
    byte[] buf = new byte[READ_BUFFER];
    int n;
    // Read in chunks so a cancel between two chunks stops the transfer where it is.
    while (!transfer.cancelled() && (n = body.read(buf)) >= 0) {
      out.write(buf, 0, n);
    }
    if (transfer.cancelled()) {
      return cancelledAnswer(transfer, address);
    }
    return new PieceAnswer.Bytes(
        out.toByteArray(), r.headers().firstValue("X-Piece-Digest").orElse(""));
  }

  private PieceAnswer cancelledAnswer(Transfer transfer, String address) {
    return transfer.timedOut
        ? new PieceAnswer.Failed(
            "parent "
                + address
                + " did not send the piece within "
                + timeout.multipliedBy(4).toSeconds()
                + " s")
        : new PieceAnswer.Cancelled();
  }

  private static URI uri(String address, String path) {
    String base =
        address.startsWith("http://") || address.startsWith("https://")
            ? address
            : "http://" + address;
    return URI.create(base + path);
  }
}
