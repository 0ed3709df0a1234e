package io.swarmsched.runtime.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.swarmsched.runtime.http.BoundedHttpServer.Refusal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One request and its response on a {@link BoundedHttpServer} connection. */
final class Exchange extends HttpExchange {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final BoundedHttpServer server;
  private final BoundedHttpServer.Connection connection;
  private final Http11.Head head;
  private final OutputStream out;
  private final Headers responseHeaders = new Headers();
  private final InputStream body;
  private final BoundedHttpServer.Context context;
  private final RequestBody requestBody = new RequestBody();
  private final ResponseBody responseBody = new ResponseBody();
  private final boolean expectContinue;
  private Map<String, Object> attributes;
  private InputStream requestStream = requestBody;
  private OutputStream responseStream = responseBody;
  private OutputStream encoder;
  private int responseCode = -1;
  private boolean closeAfter;
  private boolean broken;
  private boolean closed;
  private boolean continueSent;

  Exchange(
      BoundedHttpServer server,
      BoundedHttpServer.Connection connection,
      Http11.Head head,
      InputStream in,
      OutputStream out)
      throws Refusal {
    this.server = server;
    this.connection = connection;
    this.head = head;
    this.out = out;
    this.context =
        server.contextFor(head.uri().getRawPath() == null ? "/" : head.uri().getRawPath());
    Headers h = head.headers();
    List<String> te = h.get("Transfer-Encoding");
    List<String> cl = h.get("Content-Length");
    if (te != null) {
      if (cl != null) {
        throw new Refusal(400, "both Transfer-Encoding and Content-Length are set");
      }
      String last = te.get(te.size() - 1);
      String[] codings = last.split(",");
      if (head.http10() || !codings[codings.length - 1].strip().equalsIgnoreCase("chunked")) {
        throw new Refusal(
            501,
            "Transfer-Encoding '" + Echo.truncate(String.join(", ", te)) + "' is not supported");
      }
      body = new Http11.ChunkedBody(in, server.limits());
    } else if (cl != null) {
      long length = -1;
      for (String value : cl) {
        for (String part : value.split(",")) {
          long parsed;
          try {
            parsed =
                part.strip().chars().allMatch(Character::isDigit)
                    ? Long.parseLong(part.strip())
                    : -1;
          } catch (NumberFormatException e) {
            parsed = -1;
          }
          if (parsed < 0 || (length >= 0 && parsed != length)) {
            throw new Refusal(
                400,
                "Content-Length '" + Echo.truncate(String.join(", ", cl)) + "' is not a number");
          }
          length = parsed;
        }
      }
      body = new Http11.LengthBody(in, length);
    } else {
      body = new Http11.LengthBody(in, 0);
    }
    expectContinue = !head.http10() && Http11.hasToken(h, "Expect", "100-continue");
  }

  /** Runs the handler; true when the connection can carry another request. */
  boolean run() {
    try {
      if (context == null || context.getHandler() == null) {
        error(404, "no such resource: " + Echo.truncate(head.uri().getRawPath()));
      } else {
        BoundedHttpServer.chain(context).doFilter(this);
      }
    } catch (IOException e) {
      log.debug(
          "HTTP exchange {} {} ended: {}",
          head.method(),
          Echo.truncate(String.valueOf(head.uri())),
          e.toString());
      broken = true;
    } catch (RuntimeException e) {
      log.warn(
          "HTTP handler for {} {} failed",
          head.method(),
          Echo.truncate(String.valueOf(head.uri())),
          e);
      if (responseCode < 0) {
        try {
          error(500, "internal error: " + e.getClass().getSimpleName());
        } catch (IOException io) {
          broken = true;
        }
      } else {
        broken = true; // the response is cut off; only closing tells the client
      }
    }
    if (!closed) {
      close();
    }
    return !broken && !closeAfter && !server.stopping();
  }

  /** True when the client may still be sending body bytes nobody read. */
  boolean requestBytesMayRemain() {
    if (body instanceof Http11.LengthBody fixed) {
      return fixed.remaining() > 0;
    }
    return !((Http11.ChunkedBody) body).finished();
  }

  private void error(int status, String message) throws IOException {
    byte[] bytes =
        ("{\"error_code\":" + status + ",\"message\":\"" + Echo.jsonEscape(message) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    responseHeaders.set("Content-Type", "application/json");
    sendResponseHeaders(status, bytes.length);
    responseBody.write(bytes);
  }

  @Override
  public Headers getRequestHeaders() {
    return head.headers();
  }

  @Override
  public Headers getResponseHeaders() {
    return responseHeaders;
  }

  @Override
  public URI getRequestURI() {
    return head.uri();
  }

  @Override
  public String getRequestMethod() {
    return head.method();
  }

  @Override
  public HttpContext getHttpContext() {
    return context;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (responseCode < 0) {
        // The handler answered nothing; say so rather than leave the client waiting.
        error(500, "the handler sent no response");
      }
      responseBody.finish();
      out.flush();
    } catch (IOException e) {
      broken = true;
      return;
    }
    if (!closeAfter && requestBytesMayRemain()) {
      // Small leftovers (promised at most KEEP_ALIVE_DRAIN_BYTES when the response was sent) are
      // read so the next request starts at a request line.
      try {
        byte[] skip = new byte[8192];
        long drained = 0;
        int n;
        while ((n = body.read(skip)) >= 0) {
          drained += n;
          if (drained > BoundedHttpServer.KEEP_ALIVE_DRAIN_BYTES) {
            broken = true;
            return;
          }
        }
      } catch (IOException e) {
        broken = true;
      }
    }
  }

  @Override
  public InputStream getRequestBody() {
    return requestStream;
  }

  @Override
  public OutputStream getResponseBody() {
    return responseStream;
  }

  @Override
  public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
    if (responseCode >= 0) {
      throw new IOException("response headers already sent (status " + responseCode + ")");
    }
    if (rCode < 100 || rCode > 999) {
      throw new IllegalArgumentException("status " + rCode + " is not a 3-digit HTTP status");
    }
    boolean head = this.head.method().equals("HEAD");
    boolean noBodyStatus = rCode < 200 || rCode == 204 || rCode == 304;
    closeAfter =
        server.stopping()
            || Http11.hasToken(this.head.headers(), "Connection", "close")
            || (this.head.http10()
                && !Http11.hasToken(this.head.headers(), "Connection", "keep-alive"))
            || Http11.hasToken(responseHeaders, "Connection", "close")
            || unreadBodyTooLargeToDrain();
    StringBuilder sb = new StringBuilder(256);
    sb.append("HTTP/1.1 ").append(rCode).append(' ').append(Http11.reason(rCode)).append("\r\n");
    sb.append("Date: ")
        .append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)))
        .append("\r\n");
    for (Map.Entry<String, List<String>> e : responseHeaders.entrySet()) {
      String name = e.getKey();
      boolean headLength = head && responseLength < 0 && name.equalsIgnoreCase("Content-Length");
      if (!headLength
          && (name.equalsIgnoreCase("Content-Length")
              || name.equalsIgnoreCase("Transfer-Encoding")
              || name.equalsIgnoreCase("Connection")
              || name.equalsIgnoreCase("Date"))) {
        continue; // framing is this server's business (a HEAD may state the length a GET would
        // have)
      }
      for (String value : e.getValue()) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
          throw new IllegalArgumentException("response header " + name + " contains CR or LF");
        }
        sb.append(name).append(": ").append(value).append("\r\n");
      }
    }
    if (head || noBodyStatus) {
      if (head && responseLength > 0) {
        sb.append("Content-Length: ").append(responseLength).append("\r\n");
      }
      encoder = null;
    } else if (responseLength < 0) {
      sb.append("Content-Length: 0\r\n");
      encoder = null;
    } else if (responseLength > 0) {
      sb.append("Content-Length: ").append(responseLength).append("\r\n");
      encoder = new FixedOut(responseLength);
    } else if (this.head.http10()) {
      closeAfter = true; // HTTP/1.0 has no chunking: the body ends where the connection does
      encoder = new RawOut();
    } else {
      sb.append("Transfer-Encoding: chunked\r\n");
      encoder = new ChunkedOut();
    }
    if (closeAfter) {
      sb.append("Connection: close\r\n");
    } else if (this.head.http10()) {
      sb.append("Connection: keep-alive\r\n");
    }
    sb.append("\r\n");
    responseCode = rCode;
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (encoder == null) {
      out.flush();
    }
  }

  private boolean unreadBodyTooLargeToDrain() {
    if (body instanceof Http11.LengthBody fixed) {
      return fixed.remaining() > BoundedHttpServer.KEEP_ALIVE_DRAIN_BYTES;
    }
    return !((Http11.ChunkedBody) body).finished();
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return (InetSocketAddress) connection.socket.getRemoteSocketAddress();
  }

  @Override
  public int getResponseCode() {
    return responseCode;
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return (InetSocketAddress) connection.socket.getLocalSocketAddress();
  }

  @Override
  public String getProtocol() {
    return head.protocol();
  }

  @Override
  public Object getAttribute(String name) {
    return attributes == null ? null : attributes.get(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    if (attributes == null) {
      attributes = BoundedHttpServer.newAttributes();
    }
    attributes.put(name, value);
  }

  @Override
  public void setStreams(InputStream i, OutputStream o) {
    if (i != null) {
      requestStream = i;
    }
    if (o != null) {
      responseStream = o;
    }
  }

  @Override
  public HttpPrincipal getPrincipal() {
    return null;
  }

  /**
   * The request body; sends {@code 100 Continue} on the first read when the client asked for it.
   */
  private final class RequestBody extends InputStream {
    private void maybeContinue() throws IOException {
      if (expectContinue && !continueSent && responseCode < 0 && requestBytesMayRemain()) {
        continueSent = true;
        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
    }

    @Override
    public int read() throws IOException {
      maybeContinue();
      return body.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      maybeContinue();
      return body.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return body.available();
    }

    /** Closing does not read the rest: the exchange decides whether to drain or close. */
    @Override
    public void close() {}
  }

  /** The response body: writes go to the encoder chosen when the headers were sent. */
  private final class ResponseBody extends OutputStream {
    private boolean finished;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (responseCode < 0) {
        throw new IOException("response body written before sendResponseHeaders");
      }
      if (finished) {
        throw new IOException("response body already closed");
      }
      if (len == 0) {
        return;
      }
      if (encoder == null) {
        throw new IOException("this response has no body (status " + responseCode + ")");
      }
      encoder.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      finish();
    }

    void finish() throws IOException {
      if (finished || responseCode < 0) {
        return;
      }
      finished = true;
      if (encoder != null) {
        encoder.close();
      }
      out.flush();
    }
  }

  /** Exactly the promised number of bytes; fewer means the connection must close. */
  private final class FixedOut extends OutputStream {
    private long left;

    FixedOut(long length) {
      this.left = length;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len > left) {
        throw new IOException(
            "response body longer than its Content-Length ("
                + left
                + " bytes left, writing "
                + len
                + ")");
      }
      out.write(b, off, len);
      left -= len;
    }

    @Override
    public void close() {
      if (left > 0) {
        broken = true;
      }
    }
  }

  private final class ChunkedOut extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(b, off, len);
      out.write('\r');
      out.write('\n');
    }

    @Override
    public void close() throws IOException {
      out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  private final class RawOut extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }
  }
}
