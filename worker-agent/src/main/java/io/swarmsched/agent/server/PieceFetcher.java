package io.swarmsched.agent.server;

import io.swarmsched.agent.server.ParentClient.PieceAnswer;
import io.swarmsched.runtime.http.Echo;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The child's piece GET as a lean blocking HTTP/1.1 exchange over pooled keep-alive sockets,
 * reading the body straight into the piece's array (docs/benchmarks.md, "The agent's data path":
 * the JDK {@code HttpClient} allocated a 16 KiB buffer per socket read and copied every byte three
 * more times on its way to the array).
 *
 * <p>It speaks only what a piece server sends, and refuses anything else with a reason: a status
 * line {@code HTTP/1.x NNN}, a header block of at most {@value #MAX_HEAD_BYTES} bytes and {@value
 * #MAX_HEADER_FIELDS} fields (no folded lines), and a body framed by one {@code Content-Length} (no
 * {@code Transfer-Encoding}). A piece's length must be the one the layout expects (or at most
 * {@value #MAX_PIECE_BYTES} when the caller does not know it) before a byte of it is allocated. The
 * whole fetch, from the request to the last byte, takes at most its transfer limit (each read waits
 * at most what is left of it), so a parent that trickles cannot hold a worker longer than a silent
 * one.
 *
 * <p>A connection goes back to the pool only after a complete response that did not ask to close
 * it; a pooled connection the parent closed meanwhile is noticed on the next request (no byte of an
 * answer) and that request is retried once on a new connection.
 */
final class PieceFetcher implements Closeable {
  static final int MAX_HEAD_BYTES = 16 * 1024;
  static final int MAX_HEADER_FIELDS = 64;

  /** The largest piece a layout may have (AgentConfig's piece length bound). */
  static final int MAX_PIECE_BYTES = 64 << 20;

  /** Largest body of a non-200 answer read to keep its connection; a longer one closes it. */
  static final int MAX_ERROR_BODY = 64 * 1024;

  private static final int MAX_IDLE_PER_PARENT = 32;
  private static final long MAX_IDLE_NANOS = Duration.ofSeconds(20).toNanos();
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.([01]) ([0-9]{3})(?: .*)?");
  private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9._~:@!$&'()*+,;=-]+");

  private final Duration timeout;
  private final Duration transferLimit;
  private final Map<String, Deque<Connection>> idle = new ConcurrentHashMap<>();
  private final AtomicLong opened = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param timeout connect timeout
   * @param transferLimit longest time for a whole fetch, answer and body (as the JDK client's
   *     request timeout was: 4x the request timeout)
   */
  PieceFetcher(Duration timeout, Duration transferLimit) {
    this.timeout = timeout;
    this.transferLimit = transferLimit;
  }

  /** Connections opened so far (a reused one is not counted again). */
  long connectionsOpened() {
    return opened.get();
  }

  /**
   * @param expectedLength the piece's length from the layout, or -1 when unknown
   */
  PieceAnswer fetch(
      String address,
      String taskId,
      int piece,
      int expectedLength,
      ParentClient.Transfer transfer) {
    if (!TASK_ID.matcher(taskId).matches()) {
      return new PieceAnswer.Failed(
          "task id is not a plain path segment: " + Echo.truncate(taskId));
    }
    String authority = authority(address);
    byte[] request =
        ("GET /tasks/"
                + taskId
                + "/pieces/"
                + piece
                + " HTTP/1.1\r\nHost: "
                + authority
                + "\r\nAccept: application/octet-stream\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    long deadline = System.nanoTime() + transferLimit.toNanos();
    Connection reused = take(authority);
    if (reused != null) {
      Exchange first = new Exchange(reused, transfer, deadline);
      PieceAnswer answer = first.run(address, request, expectedLength, true);
      if (answer != null) {
        return answer;
      }
      // The parent had closed the pooled connection: once more on a new one.
    }
    Connection fresh;
    try {
      fresh = connect(authority);
    } catch (IOException e) {
      return new PieceAnswer.Failed("parent " + address + " unreachable: " + e.getMessage());
    }
    return new Exchange(fresh, transfer, deadline).run(address, request, expectedLength, false);
  }

  /** One request and its answer on one connection. */
  private final class Exchange {
    private final Connection c;
    private final ParentClient.Transfer transfer;
    private final long deadline;
    private boolean answered; // a byte of the answer arrived

    Exchange(Connection c, ParentClient.Transfer transfer, long deadline) {
      this.c = c;
      this.transfer = transfer;
      this.deadline = deadline;
    }

    /**
     * @return the answer, or null when {@code mayRetry} and the connection turned out dead before a
     *     byte of the answer
     */
    PieceAnswer run(String address, byte[] request, int expectedLength, boolean mayRetry) {
      if (!transfer.attach(c)) {
        c.close();
        return transfer.cancelledAnswer(address);
      }
      boolean keep = false;
      try {
        c.out.write(request);
        c.out.flush();
        Head head = readHead();
        if (head == null) {
          if (mayRetry) {
            return null;
          }
          return new PieceAnswer.Failed(
              "parent " + address + " closed the connection without answering");
        }
        PieceAnswer answer;
        if (head.status == 200) {
          answer = body(address, head, expectedLength);
          keep = answer instanceof PieceAnswer.Bytes && head.keepAlive;
        } else {
          keep = head.keepAlive && skipSmallBody(head);
          answer =
              switch (head.status) {
                case 503 -> new PieceAnswer.Busy();
                case 404 -> new PieceAnswer.NotHeld();
                default -> new PieceAnswer.Failed("parent " + address + " answered " + head.status);
              };
        }
        return answer;
      } catch (Malformed e) {
        return new PieceAnswer.Failed(
            "parent " + address + " sent a malformed answer: " + e.getMessage());
      } catch (SocketTimeoutException e) {
        if (transfer.cancelled()) {
          return transfer.cancelledAnswer(address);
        }
        return new PieceAnswer.Failed(
            "parent "
                + address
                + " did not send the piece within "
                + transferLimit.toMillis()
                + " ms");
      } catch (IOException e) {
        if (transfer.cancelled()) {
          return transfer.cancelledAnswer(address);
        }
        if (mayRetry && !answered) {
          return null;
        }
        return new PieceAnswer.Failed("parent " + address + " unreachable: " + e.getMessage());
      } finally {
        transfer.detach();
        if (keep && !closed) {
          give(c);
        } else {
          c.close();
        }
      }
    }

    private PieceAnswer body(String address, Head head, int expectedLength)
        throws IOException, Malformed {
      if (head.chunked) {
        throw new Malformed("a piece comes with a Content-Length, not Transfer-Encoding");
      }
      if (head.contentLength < 0) {
        throw new Malformed("a piece answer without Content-Length");
      }
      long limit = expectedLength >= 0 ? expectedLength : MAX_PIECE_BYTES;
      if (expectedLength >= 0 ? head.contentLength != expectedLength : head.contentLength > limit) {
        throw new Malformed(
            "Content-Length "
                + head.contentLength
                + (expectedLength >= 0
                    ? " for a piece of " + expectedLength + " bytes"
                    : " over the largest piece, " + MAX_PIECE_BYTES + " bytes"));
      }
      byte[] data = new byte[(int) head.contentLength];
      int off = 0;
      while (off < data.length) {
        // A cancel closes the socket, which ends a read in progress; each read takes what has
        // arrived, up to the rest of the piece, straight into the piece's array.
        if (transfer.cancelled()) {
          return transfer.cancelledAnswer(address);
        }
        setReadTimeout();
        int n = c.in.read(data, off, data.length - off);
        if (n < 0) {
          return new PieceAnswer.Failed(
              "parent "
                  + address
                  + " closed the connection after "
                  + off
                  + " of "
                  + data.length
                  + " bytes");
        }
        off += n;
      }
      return new PieceAnswer.Bytes(data, head.digest);
    }

    /** Reads and discards a short error body; false when the connection cannot be reused. */
    private boolean skipSmallBody(Head head) throws IOException {
      if (head.chunked || head.contentLength < 0 || head.contentLength > MAX_ERROR_BODY) {
        return false;
      }
      long left = head.contentLength;
      while (left > 0) {
        setReadTimeout();
        long n = c.in.skip(left);
        if (n <= 0) {
          if (c.in.read() < 0) {
            return false;
          }
          n = 1;
        }
        left -= n;
      }
      return true;
    }

    /**
     * The status line and header fields, or null when the connection ended before a byte of them.
     */
    private Head readHead() throws IOException, Malformed {
      byte[] line = new byte[MAX_HEAD_BYTES];
      int used = 0;
      Head head = null;
      int fields = 0;
      while (true) {
        int start = used;
        int b;
        while (true) {
          setReadTimeout();
          b = c.in.read();
          if (b < 0) {
            if (!answered) {
              return null;
            }
            throw new Malformed("the answer ended inside its header block");
          }
          answered = true;
          if (b == '\n') {
            break;
          }
          if (used == line.length) {
            throw new Malformed("header block over " + MAX_HEAD_BYTES + " bytes");
          }
          line[used++] = (byte) b;
        }
        int end = used > start && line[used - 1] == '\r' ? used - 1 : used;
        String text = new String(line, start, end - start, StandardCharsets.ISO_8859_1);
        if (head == null) {
          Matcher m = STATUS_LINE.matcher(text);
          if (!m.matches()) {
            throw new Malformed("status line " + quote(text));
          }
          head = new Head(Integer.parseInt(m.group(2)), m.group(1).equals("1"));
          if (head.status < 200) {
            throw new Malformed("interim answer " + head.status + " to a request that asked none");
          }
          continue;
        }
        if (text.isEmpty()) {
          return head;
        }
        if (++fields > MAX_HEADER_FIELDS) {
          throw new Malformed("more than " + MAX_HEADER_FIELDS + " header fields");
        }
        head.field(text);
      }
    }

    /** Every read waits at most what is left of the fetch's transfer limit. */
    private void setReadTimeout() throws IOException {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("transfer limit");
      }
      c.socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000)));
    }
  }

  private static String quote(String s) {
    return "'" + Echo.truncate(s) + "'";
  }

  /** What the client needs of an answer's head. */
  private static final class Head {
    final int status;
    boolean keepAlive;
    long contentLength = -1;
    boolean chunked;
    String digest = "";

    Head(int status, boolean http11) {
      this.status = status;
      this.keepAlive = http11;
    }

    void field(String line) throws Malformed {
      int colon = line.indexOf(':');
      if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        throw new Malformed("header line " + quote(line));
      }
      String name = line.substring(0, colon);
      if (name.endsWith(" ") || name.endsWith("\t")) {
        throw new Malformed("whitespace before the colon in " + quote(name));
      }
      String value = line.substring(colon + 1).trim();
      switch (name.toLowerCase(Locale.ROOT)) {
        case "content-length" -> {
          if (value.isEmpty()
              || value.length() > 18
              || !value.chars().allMatch(Character::isDigit)) {
            throw new Malformed("Content-Length " + quote(value));
          }
          long n = Long.parseLong(value);
          if (contentLength >= 0 && contentLength != n) {
            throw new Malformed("two different Content-Length fields");
          }
          contentLength = n;
        }
        case "transfer-encoding" -> chunked = true;
        case "connection" -> {
          String v = value.toLowerCase(Locale.ROOT);
          if (v.contains("close")) {
            keepAlive = false;
          } else if (v.contains("keep-alive")) {
            keepAlive = true;
          }
        }
        case "x-piece-digest" -> digest = value.length() <= 128 ? value : "";
        default -> {
          // not needed
        }
      }
    }
  }

  /** An answer this client does not accept; the message says what was wrong. */
  private static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /** One keep-alive connection to a parent. */
  static final class Connection implements Closeable {
    final String authority;
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    long idleSince;

    Connection(String authority, Socket socket) throws IOException {
      this.authority = authority;
      this.socket = socket;
      // Bodies are read in chunks far larger than this buffer, which BufferedInputStream hands
      // straight to the socket: only the head passes through it.
      this.in = new BufferedInputStream(socket.getInputStream(), 8 * 1024);
      this.out = socket.getOutputStream();
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // going away either way
      }
    }
  }

  private Connection connect(String authority) throws IOException {
    int colon = authority.lastIndexOf(':');
    if (colon <= 0) {
      throw new IOException("address " + Echo.truncate(authority) + " has no port");
    }
    String host = authority.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(authority.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IOException("address " + Echo.truncate(authority) + " has no port");
    }
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
      opened.incrementAndGet();
      return new Connection(authority, s);
    } catch (IOException | IllegalArgumentException e) {
      s.close();
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  private Connection take(String authority) {
    Deque<Connection> q = idle.get(authority);
    if (q == null) {
      return null;
    }
    long now = System.nanoTime();
    Connection c;
    while ((c = q.pollFirst()) != null) {
      if (now - c.idleSince < MAX_IDLE_NANOS && !c.socket.isClosed()) {
        return c;
      }
      c.close();
    }
    return null;
  }

  private void give(Connection c) {
    Deque<Connection> q = idle.computeIfAbsent(c.authority, a -> new ConcurrentLinkedDeque<>());
    c.idleSince = System.nanoTime();
    if (q.size() >= MAX_IDLE_PER_PARENT) {
      c.close();
      return;
    }
    q.offerFirst(c);
    if (closed) {
      close();
    }
  }

  private static String authority(String address) {
    String a = address;
    if (a.startsWith("http://")) {
      a = a.substring("http://".length());
    }
    int slash = a.indexOf('/');
    return slash >= 0 ? a.substring(0, slash) : a;
  }

  /** Closes every idle connection; a fetch still running closes its own when it ends. */
  @Override
  public void close() {
    closed = true;
    for (Deque<Connection> q : idle.values()) {
      Connection c;
      while ((c = q.pollFirst()) != null) {
        c.close();
      }
    }
  }
}
