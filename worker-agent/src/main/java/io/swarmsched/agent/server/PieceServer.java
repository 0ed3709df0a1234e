package io.swarmsched.agent.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.agent.transfer.RateMeter;
import io.swarmsched.agent.transfer.TokenBucket;
import io.swarmsched.runtime.http.BoundedHttpServer;
import io.swarmsched.runtime.http.Echo;
import io.swarmsched.scheduling.piece.SourceOffer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.BitSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's piece server: children fetch verified pieces from it over HTTP.
 *
 * <ul>
 *   <li>{@code GET /tasks/{task}/pieces/{n}} — the piece's bytes (only verified pieces; 404
 *       otherwise), with its digest in {@code X-Piece-Digest}; 503 with {@code Retry-After} when
 *       every upload slot is busy, so the child picks another parent.
 *   <li>{@code GET /tasks/{task}/status} — which pieces it holds (a base64 bit set), whether its
 *       copy is a {@code source} (a super seed's, or fetched from the origin) and its live upload
 *       load, for stage 2. A source lists only the pieces it offers now (super-seeding, {@link
 *       SourceOffer}), and answers 404 for a held piece it does not offer now, so that each piece
 *       leaves it about once and children take the copies from each other. It also names the
 *       agent's IDC ({@code idc}, empty when not configured), so a child in another IDC asks it
 *       only for pieces no parent in its own IDC holds. A child this source granted the origin
 *       ({@code ?child=}, {@link #originAssist}) names the pieces it has read from the origin in
 *       {@code origin_read} (base64url of a bit set); the source counts them as sent, so its offer
 *       moves on to pieces the swarm lacks (400 for a value that is not such a bit set).
 *   <li>{@code GET /load} — its live upload load alone.
 * </ul>
 *
 * Every upload is paced by one token bucket at the agent's upload limit.
 */
public final class PieceServer implements AutoCloseable {
  private static final Pattern PIECE = Pattern.compile("^/tasks/([^/]+)/pieces/([^/]+)$");
  private static final Pattern STATUS = Pattern.compile("^/tasks/([^/]+)/status$");

  /**
   * Bytes read from the file, paced and written per step: large enough that a piece costs few
   * system calls (docs/benchmarks.md, "The agent's data path"), small enough to pace finely (4 ms
   * at 32 MiB/s).
   */
  private static final int CHUNK = 128 * 1024;

  private static final ThreadLocal<byte[]> CHUNK_BUFFER =
      ThreadLocal.withInitial(() -> new byte[CHUNK]);

  private final HeldTasks tasks;
  private final long maxTx;
  private final int slotLimit;
  private final Semaphore slots;
  private final TokenBucket bucket;
  private final RateMeter served = new RateMeter();
  private final HttpServer server;
  private final ExecutorService executor;
  private final String idc;

  /** Super-seeding state of each task this agent holds as a source. */
  private final Map<String, SourceOffer> offers = new ConcurrentHashMap<>();

  /**
   * Children granted the origin as a parent of last resort, per task this agent holds as a source:
   * child peer id to its slice, in the order they asked.
   */
  private final Map<String, Map<String, Integer>> originGrants = new ConcurrentHashMap<>();

  private volatile int originAssist;

  private PieceServer(
      HeldTasks tasks,
      long maxTx,
      int slotLimit,
      HttpServer server,
      ExecutorService executor,
      String idc) {
    this.tasks = tasks;
    this.idc = idc;
    this.maxTx = maxTx;
    this.slotLimit = slotLimit;
    this.slots = new Semaphore(Math.max(1, slotLimit));
    this.bucket = new TokenBucket(maxTx);
    this.server = server;
    this.executor = executor;
  }

  /**
   * @param maxTx upload limit, bytes/s (0 = unlimited)
   * @param slotLimit most concurrent uploads
   */
  public static PieceServer start(HeldTasks tasks, String host, int port, long maxTx, int slotLimit)
      throws IOException {
    return start(tasks, host, port, maxTx, slotLimit, "");
  }

  /**
   * As {@link #start(HeldTasks, String, int, long, int)}, naming {@code idc} (the agent's IDC,
   * empty when unknown) in every task status.
   */
  public static PieceServer start(
      HeldTasks tasks, String host, int port, long maxTx, int slotLimit, String idc)
      throws IOException {
    if (slotLimit <= 0) {
      throw new IllegalArgumentException("upload slot limit must be > 0, was " + slotLimit);
    }
    HttpServer server = BoundedHttpServer.create(new InetSocketAddress(host, port), 256);
    ExecutorService executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "piece-server");
              t.setDaemon(true);
              return t;
            });
    PieceServer ps =
        new PieceServer(tasks, maxTx, slotLimit, server, executor, idc == null ? "" : idc);
    server.createContext("/", ps::handle);
    server.setExecutor(executor);
    server.start();
    return ps;
  }

  /**
   * As a source, grant the first {@code children} children that ask for a task's status (naming
   * themselves with {@code ?child=}) the origin as a parent of last resort, child {@code j} the
   * pieces {@code p} with {@code p mod children == j}, so that they read disjoint pieces (the
   * agent's {@code swarm.agent.origin.assist}; 0, the default here, grants none).
   */
  public PieceServer originAssist(int children) {
    this.originAssist = Math.max(0, children);
    return this;
  }

  /** The slice granted to {@code child} for the task, or -1. */
  private int originGrant(String taskId, String child) {
    int of = originAssist;
    if (of <= 0 || child == null || child.isEmpty()) {
      return -1;
    }
    Map<String, Integer> grants =
        originGrants.computeIfAbsent(taskId, t -> new java.util.LinkedHashMap<>());
    synchronized (grants) {
      Integer slice = grants.get(child);
      if (slice == null && grants.size() < of) {
        slice = grants.size();
        grants.put(child, slice);
      }
      return slice == null ? -1 : slice;
    }
  }

  /**
   * The pieces a granted child reports it read from the origin ({@code origin_read}: the unpadded
   * base64url of {@link BitSet#toByteArray()}), or null when that is not what it is or it names a
   * piece beyond the task's {@code pieceCount}.
   */
  static BitSet originRead(String value, int pieceCount) {
    if (value.length() > 4 * ((pieceCount + 7) / 8 + 2) / 3 + 4) {
      return null; // longer than any bit set of the task's pieces: not decoded
    }
    BitSet bits;
    try {
      bits = BitSet.valueOf(Base64.getUrlDecoder().decode(value));
    } catch (IllegalArgumentException e) {
      return null;
    }
    return bits.length() > pieceCount ? null : bits;
  }

  /** The value of {@code name} in a raw query string, decoded, or null. */
  private static String queryParam(String rawQuery, String name) {
    if (rawQuery == null) {
      return null;
    }
    for (String kv : rawQuery.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0 && kv.substring(0, eq).equals(name)) {
        return java.net.URLDecoder.decode(
            kv.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public UploadLoad load() {
    return new UploadLoad(
        maxTx, served.rate(), slotLimit - slots.availablePermits(), slotLimit, served.total());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")) {
        text(exchange, 405, "only GET is served");
        return;
      }
      String path = exchange.getRequestURI().getPath();
      if (path.equals("/load")) {
        json(exchange, 200, loadJson(load()));
        return;
      }
      Matcher status = STATUS.matcher(path);
      if (status.matches()) {
        Optional<PieceFile> file = tasks.find(status.group(1));
        BitSet held = file.map(PieceFile::verifiedPieces).orElseGet(BitSet::new);
        int count = file.map(f -> f.layout().pieceCount()).orElse(0);
        boolean source = file.isPresent() && tasks.source(status.group(1));
        String grant = "";
        if (source) {
          String rawQuery = exchange.getRequestURI().getRawQuery();
          SourceOffer offer = offer(status.group(1), count);
          int slice = originGrant(status.group(1), queryParam(rawQuery, "child"));
          if (slice >= 0) {
            grant = ",\"origin_slice\":" + slice + ",\"origin_slices\":" + originAssist;
            String read = queryParam(rawQuery, "origin_read");
            if (read != null) {
              BitSet readBits = originRead(read, count);
              if (readBits == null) {
                text(
                    exchange,
                    400,
                    "origin_read is not the base64url of a bit set of at most "
                        + count
                        + " pieces: "
                        + Echo.truncate(read));
                return;
              }
              offer.readElsewhere(readBits);
            }
          }
          held = offer.offered(held);
        }
        UploadLoad l = load();
        json(
            exchange,
            200,
            "{\"task_id\":\""
                + escape(status.group(1))
                + "\",\"piece_count\":"
                + count
                + ",\"pieces\":\""
                + Base64.getEncoder().encodeToString(held.toByteArray())
                + "\","
                + "\"source\":"
                + source
                + ",\"idc\":\""
                + escape(idc)
                + "\""
                + grant
                + ","
                + loadJson(l).substring(1));
        return;
      }
      Matcher piece = PIECE.matcher(path);
      if (!piece.matches()) {
        text(exchange, 404, "no such endpoint: " + Echo.truncate(path));
        return;
      }
      int number;
      try {
        number = Integer.parseInt(piece.group(2));
      } catch (NumberFormatException e) {
        text(exchange, 400, "piece number is not an integer: " + Echo.truncate(piece.group(2)));
        return;
      }
      Optional<PieceFile> file = tasks.find(piece.group(1));
      if (file.isEmpty()
          || number < 0
          || number >= file.get().layout().pieceCount()
          || !file.get().has(number)) {
        text(
            exchange,
            404,
            "piece " + number + " of task " + Echo.truncate(piece.group(1)) + " is not held here");
        return;
      }
      if (!slots.tryAcquire()) {
        exchange.getResponseHeaders().set("Retry-After", "1");
        text(exchange, 503, "all " + slotLimit + " upload slots are busy");
        return;
      }
      try {
        SourceOffer offer =
            tasks.source(piece.group(1))
                ? offer(piece.group(1), file.get().layout().pieceCount())
                : null;
        if (offer != null && !offer.claim(number, file.get().verifiedPieces())) {
          text(
              exchange,
              404,
              "piece "
                  + number
                  + " of task "
                  + Echo.truncate(piece.group(1))
                  + " has left this source already; take it from a peer");
          return;
        }
        if (!serve(exchange, file.get(), number) && offer != null) {
          offer.unclaim(number);
        }
      } finally {
        slots.release();
      }
    }
  }

  private SourceOffer offer(String taskId, int pieceCount) {
    return offers.computeIfAbsent(taskId, t -> new SourceOffer(pieceCount));
  }

  /**
   * @return true when every byte of the piece was written
   */
  private boolean serve(HttpExchange exchange, PieceFile file, int number) throws IOException {
    int length = file.layout().length(number);
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    file.digestHex(number).ifPresent(d -> exchange.getResponseHeaders().set("X-Piece-Digest", d));
    // The piece goes out through this thread's chunk buffer, read from the file chunk by chunk,
    // rather than as a fresh array of the whole piece per request.
    byte[] chunk = CHUNK_BUFFER.get();
    exchange.sendResponseHeaders(200, length);
    try (OutputStream out = exchange.getResponseBody()) {
      for (int off = 0; off < length; off += CHUNK) {
        int n = Math.min(CHUNK, length - off);
        file.read(number, off, chunk, 0, n);
        bucket.acquire(n);
        served.add(n);
        out.write(chunk, 0, n);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (IOException e) {
      // The child hung up (it may have picked a faster parent), or the task's file was closed
      // while it was served; the slot is released by the caller.
      return false;
    }
  }

  private static String loadJson(UploadLoad l) {
    return "{\"max_tx\":"
        + l.maxTx()
        + ",\"tx\":"
        + l.tx()
        + ",\"concurrent_uploads\":"
        + l.concurrentUploads()
        + ",\"upload_slot_limit\":"
        + l.uploadSlotLimit()
        + ",\"served_bytes\":"
        + l.servedBytes()
        + "}";
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static void json(HttpExchange exchange, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, b.length);
    exchange.getResponseBody().write(b);
  }

  private static void text(HttpExchange exchange, int status, String message) throws IOException {
    json(
        exchange,
        status,
        "{\"error_code\":" + status + ",\"message\":\"" + escape(message) + "\"}");
  }

  /** Bounded: in-flight uploads get one second, then their connections are closed. */
  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }
}
