package io.swarmsched.agent.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.agent.stage2.ParentLoad;
import java.io.IOException;
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

  private final HttpClient http;
  private final Duration timeout;

  public ParentClient(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  /** What a parent holds of a task and how loaded it is. */
  public record ParentStatus(BitSet pieces, int pieceCount, ParentLoad load) {}

  /** The answer to a piece request. */
  public sealed interface PieceAnswer {
    record Bytes(byte[] data, String digestHex) implements PieceAnswer {}

    /** All its upload slots are busy: pick another parent now, this one may be free later. */
    record Busy() implements PieceAnswer {}

    /** It does not hold the piece (any more). */
    record NotHeld() implements PieceAnswer {}

    record Failed(String reason) implements PieceAnswer {}
  }

  public ParentStatus status(String address, String taskId, String peerId) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(address, "/tasks/" + taskId + "/status"))
        .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("parent " + address + " answered " + r.statusCode() + " for the status of " + taskId);
    }
    JsonNode n = JSON.readTree(r.body());
    BitSet pieces = BitSet.valueOf(Base64.getDecoder().decode(n.path("pieces").asText("")));
    return new ParentStatus(pieces, n.path("piece_count").asInt(),
        new ParentLoad(peerId, n.path("max_tx").asLong(), n.path("tx").asLong()));
  }

  public PieceAnswer fetch(String address, String taskId, int piece) throws InterruptedException {
    try {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri(address, "/tasks/" + taskId + "/pieces/" + piece))
          .timeout(timeout.multipliedBy(4)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
      return switch (r.statusCode()) {
        case 200 -> new PieceAnswer.Bytes(r.body(), r.headers().firstValue("X-Piece-Digest").orElse(""));
        case 503 -> new PieceAnswer.Busy();
        case 404 -> new PieceAnswer.NotHeld();
        default -> new PieceAnswer.Failed("parent " + address + " answered " + r.statusCode());
      };
    } catch (IOException e) {
      return new PieceAnswer.Failed("parent " + address + " unreachable: " + e.getMessage());
    }
  }

  private static URI uri(String address, String path) {
    String base = address.startsWith("http://") || address.startsWith("https://") ? address : "http://" + address;
    return URI.create(base + path);
  }
}
