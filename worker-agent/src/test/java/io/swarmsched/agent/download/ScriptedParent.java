package io.swarmsched.agent.download;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parent whose answers a test scripts, speaking the piece server's protocol: what it holds,
 * whether it is a source, bytes (right, corrupt, or slow), and what it was asked for and whether
 * each transfer was completed or cut by the child.
 */
final class ScriptedParent implements AutoCloseable {
  private static final Pattern PIECE = Pattern.compile("^/tasks/[^/]+/pieces/(\\d+)$");

  final String peerId;
  private final byte[][] pieces;
  private final BitSet holds;
  private final boolean source;
  private volatile boolean corrupt;

  /** Answers every piece request 503, as a piece server whose upload slots stay full. */
  private volatile boolean busy;

  /** The IDC its status names; empty: none named, as an agent without one configured. */
  private volatile String idc = "";

  /** Its status grants a child that names itself the origin (slice 0 of 1), as a source may. */
  private volatile boolean grantsOrigin;

  /** The children that named themselves in a status request ({@code ?child=}). */
  final java.util.Set<String> statusChildren = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The pieces children said they read from the origin ({@code origin_read}), all together. */
  final BitSet originReadReported = new BitSet();

  /** Its status says it sends at its upload limit (tx = max_tx), as a rate-limited source does. */
  private volatile boolean atLimit;

  /** What must hold before a piece's bytes are sent; null: nothing. */
  private volatile java.util.function.BooleanSupplier holdBack;

  /** Milliseconds between 1 KiB chunks; 0 sends a piece at once. */
  private volatile long slowMillisPerKiB;

  final List<Integer> served = new CopyOnWriteArrayList<>();
  final AtomicInteger completed = new AtomicInteger();
  final AtomicInteger aborted = new AtomicInteger();
  private final HttpServer server;

  ScriptedParent(String peerId, byte[][] pieces, BitSet holds, boolean source) throws IOException {
    this.peerId = peerId;
    this.pieces = pieces;
    this.holds = (BitSet) holds.clone();
    this.source = source;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/", this::handle);
    server.setExecutor(
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "scripted-parent-" + peerId);
              t.setDaemon(true);
              return t;
            }));
    server.start();
  }

  /** From now on it also holds this piece (a source still filling from the origin). */
  void gain(int piece) {
    synchronized (holds) {
      holds.set(piece);
    }
  }

  ScriptedParent corrupt() {
    corrupt = true;
    return this;
  }

  ScriptedParent busy() {
    busy = true;
    return this;
  }

  ScriptedParent grantsOrigin() {
    grantsOrigin = true;
    return this;
  }

  ScriptedParent atLimit() {
    atLimit = true;
    return this;
  }

  ScriptedParent inIdc(String idc) {
    this.idc = idc;
    return this;
  }

  ScriptedParent slow(long millisPerKiB) {
    slowMillisPerKiB = millisPerKiB;
    return this;
  }

  /** Holds every piece's bytes back until {@code ready} holds (at most 10 s), then sends them. */
  ScriptedParent holdsBackUntil(java.util.function.BooleanSupplier ready) {
    holdBack = ready;
    return this;
  }

  private BitSet held() {
    synchronized (holds) {
      return (BitSet) holds.clone();
    }
  }

  String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.endsWith("/status")) {
        String query = ex.getRequestURI().getQuery();
        boolean named = query != null && query.startsWith("child=");
        if (named) {
          for (String kv : query.split("&")) {
            if (kv.startsWith("child=")) {
              statusChildren.add(kv.substring("child=".length()));
            } else if (kv.startsWith("origin_read=")) {
              BitSet read =
                  BitSet.valueOf(
                      Base64.getUrlDecoder().decode(kv.substring("origin_read=".length())));
              synchronized (originReadReported) {
                originReadReported.or(read);
              }
            }
          }
        }
        byte[] body =
            ("{\"piece_count\":"
                    + pieces.length
                    + ",\"pieces\":\""
                    + Base64.getEncoder().encodeToString(held().toByteArray())
                    + "\",\"source\":"
                    + source
                    + (idc.isEmpty() ? "" : ",\"idc\":\"" + idc + "\"")
                    + (grantsOrigin && named ? ",\"origin_slice\":0,\"origin_slices\":1" : "")
                    + ",\"max_tx\":100000000,\"tx\":"
                    + (atLimit ? 100000000 : 0)
                    + "}")
                .getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        return;
      }
      Matcher m = PIECE.matcher(path);
      if (!m.matches() || !held().get(Integer.parseInt(m.group(1)))) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      if (busy) {
        ex.getResponseHeaders().set("Retry-After", "1");
        ex.sendResponseHeaders(503, -1);
        return;
      }
      int n = Integer.parseInt(m.group(1));
      served.add(n);
      byte[] body = pieces[n];
      if (corrupt) {
        body = new byte[body.length];
        new Random(n).nextBytes(body);
      }
      java.util.function.BooleanSupplier hold = holdBack;
      for (long until = System.nanoTime() + 10_000_000_000L;
          hold != null && !hold.getAsBoolean() && System.nanoTime() < until; ) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        for (int off = 0; off < body.length; off += 1024) {
          out.write(body, off, Math.min(1024, body.length - off));
          if (slowMillisPerKiB > 0) {
            out.flush();
            Thread.sleep(slowMillisPerKiB);
          }
        }
        completed.incrementAndGet();
      } catch (IOException e) {
        aborted.incrementAndGet(); // the child closed the connection mid-piece
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
