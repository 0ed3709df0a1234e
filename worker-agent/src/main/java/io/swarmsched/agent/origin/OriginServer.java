package io.swarmsched.agent.origin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.swarmsched.agent.transfer.TokenBucket;
import io.swarmsched.runtime.http.BoundedHttpServer;
import io.swarmsched.runtime.http.Echo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A plain HTTP file server for the files of one directory, with single-range {@code Range} support
 * (which can be turned off to play an origin without it). It counts the bytes it sends, so a demo
 * or test can tell how much came from the origin.
 */
public final class OriginServer implements AutoCloseable {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

  private final Path root;
  private final boolean rangeSupport;
  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicLong bytesServed = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final TokenBucket egress;

  private OriginServer(
      Path root,
      boolean rangeSupport,
      HttpServer server,
      ExecutorService executor,
      long egressLimit) {
    this.root = root.toAbsolutePath().normalize();
    this.rangeSupport = rangeSupport;
    this.server = server;
    this.executor = executor;
    this.egress = new TokenBucket(egressLimit);
  }

  /** Serves the files under {@code root} on {@code host:port} (port 0 picks a free one). */
  public static OriginServer start(Path root, String host, int port, boolean rangeSupport)
      throws IOException {
    return start(root, host, port, rangeSupport, 0);
  }

  /**
   * As {@link #start(Path, String, int, boolean)}, with all responses together limited to {@code
   * egressLimit} bytes/s (0 = unlimited): an origin whose egress is the scarce resource.
   */
  public static OriginServer start(
      Path root, String host, int port, boolean rangeSupport, long egressLimit) throws IOException {
    HttpServer server = BoundedHttpServer.create(new InetSocketAddress(host, port), 128);
    ExecutorService executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "origin-http");
              t.setDaemon(true);
              return t;
            });
    OriginServer origin = new OriginServer(root, rangeSupport, server, executor, egressLimit);
    server.createContext("/", origin::handle);
    server.setExecutor(executor);
    server.start();
    return origin;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The URL of a file under the root. */
  public String url(String fileName) {
    return "http://127.0.0.1:" + port() + "/" + fileName;
  }

  public long bytesServed() {
    return bytesServed.get();
  }

  public long requests() {
    return requests.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.incrementAndGet();
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      Path file =
          root.resolve(exchange.getRequestURI().getPath().replaceFirst("^/+", "")).normalize();
      if (!file.startsWith(root) || !Files.isRegularFile(file)) {
        byte[] body =
            ("not found: " + Echo.truncate(exchange.getRequestURI().getPath()) + "\n").getBytes();
        exchange.sendResponseHeaders(404, body.length);
        exchange.getResponseBody().write(body);
        return;
      }
      long size = Files.size(file);
      long start = 0;
      long end = size - 1;
      int status = 200;
      String range = exchange.getRequestHeaders().getFirst("Range");
      if (rangeSupport) {
        exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
        if (range != null) {
          Matcher m = RANGE.matcher(range.trim());
          if (!m.matches() || Long.parseLong(m.group(1)) >= size) {
            exchange.getResponseHeaders().set("Content-Range", "bytes */" + size);
            exchange.sendResponseHeaders(416, -1);
            return;
          }
          start = Long.parseLong(m.group(1));
          if (!m.group(2).isEmpty()) {
            end = Math.min(end, Long.parseLong(m.group(2)));
          }
          status = 206;
          exchange
              .getResponseHeaders()
              .set("Content-Range", "bytes " + start + "-" + end + "/" + size);
        }
      }
      long length = Math.max(0, end - start + 1);
      if (method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
      try (InputStream in = Files.newInputStream(file);
          OutputStream out = exchange.getResponseBody()) {
        in.skipNBytes(start);
        byte[] buf = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            break;
          }
          egress.acquire(n);
          // Counted before the write, so a client that has every byte also sees them counted.
          bytesServed.addAndGet(n);
          out.write(buf, 0, n);
          left -= n;
        }
      } catch (IOException e) {
        // The client went away mid-body (a cancelled range); nothing to answer.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }
}
