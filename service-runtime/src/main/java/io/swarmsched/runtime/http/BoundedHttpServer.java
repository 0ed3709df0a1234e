package io.swarmsched.runtime.http;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 server behind the JDK's {@code com.sun.net.httpserver} API whose every read is
 * bounded, so handlers written for the JDK server run unchanged.
 *
 * <p>Why not the JDK's own server: it answers a request line or header block that is too large by
 * closing the connection with bytes unread, which the client sees as a TCP reset rather than a
 * status; and after a handler answers without reading a large body (a 413), it closes the same way,
 * so a client that writes its whole body before reading gets a reset instead of the answer. This
 * server answers 414 (request line over {@link Limits#maxRequestLineBytes}), 431 (header block over
 * {@link Limits#maxHeaderBytes} or {@link Limits#maxHeaderCount} fields) and 400 (malformed), and
 * whenever it closes a connection with request bytes possibly unread it first sends the answer,
 * half-closes, and reads and discards up to {@link Limits#drainBytes} for up to {@link
 * Limits#drainTime} ("lingering close"), so the client can read the answer.
 *
 * <p>One thread per connection (connections are few: services, agents and CLI clients); the handler
 * runs on it. {@link #setExecutor} is accepted for API compatibility but not used. {@link
 * #stop(int)} is bounded: idle connections are closed at once, in-flight exchanges get at most the
 * given delay.
 */
public final class BoundedHttpServer extends HttpServer {
  private static final Logger log = LoggerFactory.getLogger(BoundedHttpServer.class);

  /**
   * The bounds on what a client may send and how long the server waits.
   *
   * @param maxRequestLineBytes longest request line ({@code GET /path HTTP/1.1}); over it: 414
   * @param maxHeaderBytes largest header block, all fields together; over it: 431
   * @param maxHeaderCount most header fields; over it: 431
   * @param drainBytes most request bytes read and discarded before closing a connection
   * @param drainTime longest wait for those bytes
   * @param idleTimeout a connection silent this long (between or within requests) is closed
   * @param maxConnections open connections beyond this are answered 503 and closed
   */
  public record Limits(
      int maxRequestLineBytes,
      int maxHeaderBytes,
      int maxHeaderCount,
      long drainBytes,
      Duration drainTime,
      Duration idleTimeout,
      int maxConnections) {
    /**
     * 16 KiB request line, 64 KiB and 100 header fields, 16 MiB / 5 s drain, 60 s idle, 1024
     * connections.
     */
    public static final Limits DEFAULT =
        new Limits(
            16 * 1024,
            64 * 1024,
            100,
            16L << 20,
            Duration.ofSeconds(5),
            Duration.ofSeconds(60),
            1024);

    public Limits {
      if (maxRequestLineBytes < 64
          || maxHeaderBytes < 256
          || maxHeaderCount < 1
          || drainBytes < 0
          || drainTime.isNegative()
          || idleTimeout.isNegative()
          || idleTimeout.isZero()
          || maxConnections < 1) {
        throw new IllegalArgumentException("HTTP limits out of range: " + this);
      }
    }
  }

  /** A request this server refuses before any handler sees it. */
  static final class Refusal extends Exception {
    final int status;

    Refusal(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** Most bytes of a request body left unread that are drained to keep the connection alive. */
  static final long KEEP_ALIVE_DRAIN_BYTES = 64 * 1024;

  private final Limits limits;
  private volatile javax.net.ssl.SSLContext tls;
  private final List<Context> contexts = new CopyOnWriteArrayList<>();
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService connectionThreads;
  private volatile ServerSocket listener;
  private volatile Thread acceptor;
  private volatile boolean stopping;
  private Executor executor;

  private BoundedHttpServer(Limits limits) {
    this.limits = limits;
    AtomicInteger threads = new AtomicInteger();
    this.connectionThreads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "http-conn-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A server bound to {@code address} (port 0 = ephemeral) with {@link Limits#DEFAULT}; call {@link
   * #start()}.
   */
  public static BoundedHttpServer create(InetSocketAddress address, int backlog)
      throws IOException {
    return create(address, backlog, Limits.DEFAULT);
  }

  public static BoundedHttpServer create(InetSocketAddress address, int backlog, Limits limits)
      throws IOException {
    BoundedHttpServer server = new BoundedHttpServer(limits);
    if (address != null) {
      server.bind(address, backlog);
    }
    return server;
  }

  /**
   * A server that speaks TLS ({@code https}) with {@code tls}'s key material: the listening socket
   * is an {@link javax.net.ssl.SSLServerSocket}; each connection's handshake runs on its own
   * connection thread (on the first read), so a slow or broken handshake never blocks accepting.
   */
  public static BoundedHttpServer createTls(
      InetSocketAddress address, int backlog, Limits limits, javax.net.ssl.SSLContext tls)
      throws IOException {
    BoundedHttpServer server = new BoundedHttpServer(limits);
    server.tls = tls;
    if (address != null) {
      server.bind(address, backlog);
    }
    return server;
  }

  public Limits limits() {
    return limits;
  }

  /** True when connections are TLS. */
  public boolean isTls() {
    return tls != null;
  }

  @Override
  public synchronized void bind(InetSocketAddress address, int backlog) throws IOException {
    if (listener != null) {
      throw new IllegalStateException("already bound to " + listener.getLocalSocketAddress());
    }
    ServerSocket socket =
        tls == null ? new ServerSocket() : tls.getServerSocketFactory().createServerSocket();
    try {
      socket.setReuseAddress(true);
      socket.bind(address, backlog <= 0 ? 128 : backlog);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    listener = socket;
  }

  @Override
  public synchronized void start() {
    if (listener == null) {
      throw new IllegalStateException("not bound");
    }
    if (acceptor != null) {
      throw new IllegalStateException("already started");
    }
    acceptor = new Thread(this::acceptLoop, "http-accept-" + getAddress().getPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @Override
  public synchronized void setExecutor(Executor executor) {
    this.executor = executor;
  }

  @Override
  public synchronized Executor getExecutor() {
    return executor;
  }

  /**
   * Stops accepting, closes idle connections at once, waits at most {@code delaySeconds} for
   * in-flight exchanges, then closes every connection. Returns within about that delay.
   */
  @Override
  public void stop(int delaySeconds) {
    if (delaySeconds < 0) {
      throw new IllegalArgumentException("delay must be >= 0, was " + delaySeconds);
    }
    stopping = true;
    ServerSocket socket = listener;
    if (socket != null) {
      closeQuietly(socket);
    }
    for (Connection c : open) {
      if (!c.busy) {
        c.abort();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(delaySeconds);
    synchronized (open) {
      while (!open.isEmpty() && System.nanoTime() < deadline) {
        try {
          open.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    for (Connection c : open) {
      c.abort();
    }
    connectionThreads.shutdownNow();
    Thread t = acceptor;
    if (t != null) {
      try {
        t.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public HttpContext createContext(String path, HttpHandler handler) {
    Context context = createContext(path);
    context.setHandler(handler);
    return context;
  }

  @Override
  public Context createContext(String path) {
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("context path must start with '/': " + path);
    }
    for (Context c : contexts) {
      if (c.path.equals(path)) {
        throw new IllegalArgumentException("context " + path + " already exists");
      }
    }
    Context context = new Context(path);
    contexts.add(context);
    return context;
  }

  @Override
  public void removeContext(String path) {
    if (!contexts.removeIf(c -> c.path.equals(path))) {
      throw new IllegalArgumentException("no context " + path);
    }
  }

  @Override
  public void removeContext(HttpContext context) {
    removeContext(context.getPath());
  }

  @Override
  public InetSocketAddress getAddress() {
    ServerSocket socket = listener;
    return socket == null ? null : (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** The context with the longest path that prefixes {@code path}, or null. */
  Context contextFor(String path) {
    Context best = null;
    for (Context c : contexts) {
      if (path.startsWith(c.path) && (best == null || c.path.length() > best.path.length())) {
        best = c;
      }
    }
    return best;
  }

  boolean stopping() {
    return stopping;
  }

  // ------------------------------------------------------------ connections

  private void acceptLoop() {
    while (!stopping) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        if (!stopping) {
          log.warn("HTTP accept on {} failed: {}", getAddress(), e.toString());
          pause(); // e.g. out of file descriptors: do not spin on the same failure
        }
        continue;
      }
      if (open.size() >= limits.maxConnections()) {
        refuseBusy(socket);
        continue;
      }
      Connection connection = new Connection(socket);
      open.add(connection);
      try {
        connectionThreads.execute(connection);
      } catch (RejectedExecutionException e) {
        connection.abort();
        closed(connection);
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void refuseBusy(Socket socket) {
    try (socket) {
      socket.setSoTimeout(1000);
      writeRefusal(
          new BufferedOutputStream(socket.getOutputStream()),
          new Refusal(503, "too many open connections (limit " + limits.maxConnections() + ")"));
    } catch (IOException e) {
      // The client went away; nothing to answer.
    }
  }

  private void closed(Connection connection) {
    synchronized (open) {
      open.remove(connection);
      open.notifyAll();
    }
  }

  /**
   * Writes a refusal as the JSON error every swarmsched API uses, with {@code Connection: close}.
   */
  static void writeRefusal(OutputStream out, Refusal refusal) throws IOException {
    byte[] body =
        ("{\"error_code\":"
                + refusal.status
                + ",\"message\":\""
                + Echo.jsonEscape(refusal.getMessage())
                + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + refusal.status
            + " "
            + Http11.reason(refusal.status)
            + "\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: "
            + body.length
            + "\r\n"
            + "Connection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  /** One client connection: reads requests one after another until either side closes. */
  final class Connection implements Runnable {
    final Socket socket;
    volatile boolean busy;

    Connection(Socket socket) {
      this.socket = socket;
    }

    @Override
    public void run() {
      try {
        serve();
      } catch (IOException e) {
        // The client went away or timed out; the socket is closed below.
        log.debug("HTTP connection {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
      } catch (RuntimeException e) {
        log.warn("HTTP connection {} failed", socket.getRemoteSocketAddress(), e);
      } finally {
        abort();
        closed(this);
      }
    }

    private void serve() throws IOException {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis()));
      InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
      while (!stopping) {
        Http11.Head head;
        try {
          head = Http11.readHead(in, limits);
        } catch (Refusal refusal) {
          busy = true;
          writeRefusal(out, refusal);
          linger(in);
          return;
        } catch (SocketTimeoutException e) {
          return;
        }
        if (head == null) {
          return;
        }
        busy = true;
        Exchange exchange;
        try {
          exchange = new Exchange(BoundedHttpServer.this, this, head, in, out);
        } catch (Refusal refusal) {
          writeRefusal(out, refusal);
          linger(in);
          return;
        }
        boolean keepAlive = exchange.run();
        if (!keepAlive) {
          if (exchange.requestBytesMayRemain()) {
            linger(in);
          }
          return;
        }
        busy = false;
      }
    }

    /**
     * Half-closes, then reads and discards what the client still sends (bounded in bytes and time),
     * so closing does not turn unread bytes into a reset that destroys the answer.
     */
    void linger(InputStream in) {
      try {
        socket.shutdownOutput();
        long deadline = System.nanoTime() + limits.drainTime().toNanos();
        long left = limits.drainBytes();
        byte[] buf = new byte[16 * 1024];
        while (left > 0) {
          long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          if (remainingMillis <= 0) {
            break;
          }
          socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
          int n = in.read(buf, 0, (int) Math.min(buf.length, left));
          if (n < 0) {
            break;
          }
          left -= n;
        }
      } catch (IOException | UnsupportedOperationException e) {
        // Timed out or reset by the client: either way we are done with it (a TLS socket that
        // cannot half-close is simply closed).
      }
    }

    void abort() {
      closeQuietly(socket);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // Closing on the way out; nothing useful to do with the failure.
    }
  }

  /** A path prefix and its handler and filters. */
  final class Context extends HttpContext {
    final String path;
    private volatile HttpHandler handler;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final List<Filter> filters = new CopyOnWriteArrayList<>();

    Context(String path) {
      this.path = path;
    }

    @Override
    public HttpHandler getHandler() {
      return handler;
    }

    @Override
    public void setHandler(HttpHandler handler) {
      if (handler == null) {
        throw new NullPointerException("handler");
      }
      this.handler = handler;
    }

    @Override
    public String getPath() {
      return path;
    }

    @Override
    public HttpServer getServer() {
      return BoundedHttpServer.this;
    }

    @Override
    public Map<String, Object> getAttributes() {
      return attributes;
    }

    @Override
    public List<Filter> getFilters() {
      return filters;
    }

    /** Not supported: no swarmsched API authenticates at this layer. */
    @Override
    public Authenticator setAuthenticator(Authenticator auth) {
      throw new UnsupportedOperationException(
          "authenticators are not supported by " + BoundedHttpServer.class.getSimpleName());
    }

    @Override
    public Authenticator getAuthenticator() {
      return null;
    }
  }

  /** Per-exchange attributes when the handler sets any. */
  static Map<String, Object> newAttributes() {
    return new HashMap<>();
  }

  /** Filters of a context followed by its handler. */
  static Filter.Chain chain(Context context) {
    return new Filter.Chain(new ArrayList<>(context.getFilters()), context.getHandler());
  }
}
