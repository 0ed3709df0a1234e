package io.swarmsched.runtime.http;

import com.sun.net.httpserver.Headers;
import io.swarmsched.runtime.http.BoundedHttpServer.Limits;
import io.swarmsched.runtime.http.BoundedHttpServer.Refusal;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** HTTP/1.1 message framing with every length bounded: the request head and chunked bodies. */
final class Http11 {
  private Http11() {}

  /** A parsed request line and header block. */
  record Head(String method, URI uri, String protocol, boolean http10, Headers headers) {}

  /** How many empty lines may precede a request line (RFC 9112 section 2.2 allows at least one). */
  private static final int MAX_LEADING_EMPTY_LINES = 4;

  /** Reads a request head, or returns null when the client closed before sending a byte of it. */
  static Head readHead(InputStream in, Limits limits) throws IOException, Refusal {
    String line;
    int empty = 0;
    do {
      line =
          readLine(
              in,
              limits.maxRequestLineBytes(),
              true,
              414,
              "request line is longer than " + limits.maxRequestLineBytes() + " bytes");
      if (line == null) {
        return null;
      }
    } while (line.isEmpty() && ++empty <= MAX_LEADING_EMPTY_LINES);
    if (line.isEmpty()) {
      throw new Refusal(400, "no request line");
    }
    String[] parts = line.split(" ", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new Refusal(400, "malformed request line: " + Echo.truncate(line));
    }
    String method = parts[0];
    if (!isToken(method)) {
      throw new Refusal(400, "malformed method: " + Echo.truncate(method));
    }
    String protocol = parts[2];
    boolean http10;
    if (protocol.equals("HTTP/1.1")) {
      http10 = false;
    } else if (protocol.equals("HTTP/1.0")) {
      http10 = true;
    } else if (protocol.startsWith("HTTP/")) {
      throw new Refusal(
          505, "HTTP version " + Echo.truncate(protocol) + " is not supported; use HTTP/1.1");
    } else {
      throw new Refusal(400, "malformed protocol: " + Echo.truncate(protocol));
    }
    URI uri;
    try {
      uri = new URI(parts[1]);
    } catch (URISyntaxException e) {
      throw new Refusal(400, "malformed request target: " + Echo.truncate(parts[1]));
    }
    if (uri.getRawPath() == null || !(uri.getRawPath().startsWith("/") || parts[1].equals("*"))) {
      throw new Refusal(400, "request target must be a path: " + Echo.truncate(parts[1]));
    }
    Headers headers = new Headers();
    int total = 0;
    int count = 0;
    while (true) {
      String field =
          readLine(
              in,
              limits.maxHeaderBytes() - total,
              false,
              431,
              "request header block is larger than " + limits.maxHeaderBytes() + " bytes");
      if (field.isEmpty()) {
        break;
      }
      total += field.length() + 2;
      if (++count > limits.maxHeaderCount()) {
        throw new Refusal(
            431, "request has more than " + limits.maxHeaderCount() + " header fields");
      }
      if (field.charAt(0) == ' ' || field.charAt(0) == '\t') {
        throw new Refusal(400, "obsolete header line folding is not accepted");
      }
      int colon = field.indexOf(':');
      if (colon <= 0 || !isToken(field.substring(0, colon))) {
        throw new Refusal(400, "malformed header field: " + Echo.truncate(field));
      }
      headers.add(field.substring(0, colon), field.substring(colon + 1).strip());
    }
    return new Head(method, uri, protocol, http10, headers);
  }

  /**
   * One line without its CRLF (a bare LF is accepted), decoded as ISO-8859-1. Null at a clean end
   * of stream when {@code eofBeforeFirstByteOk}.
   *
   * @throws Refusal with {@code status} once the line exceeds {@code max} bytes (the rest is not
   *     read)
   */
  static String readLine(
      InputStream in, int max, boolean eofBeforeFirstByteOk, int status, String tooLong)
      throws IOException, Refusal {
    byte[] buf = new byte[Math.min(256, Math.max(max, 1))];
    int len = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (len == 0 && eofBeforeFirstByteOk) {
          return null;
        }
        throw new EOFException("connection closed in the middle of a request head");
      }
      if (b == '\n') {
        if (len > 0 && buf[len - 1] == '\r') {
          len--;
        }
        return new String(buf, 0, len, StandardCharsets.ISO_8859_1);
      }
      // The CR of CRLF may be the byte at the limit; anything more is over it.
      if (len >= max + 1 || (len == max && b != '\r')) {
        throw new Refusal(status, tooLong);
      }
      if (len == buf.length) {
        buf = Arrays.copyOf(buf, Math.min(buf.length * 2, max + 1));
      }
      buf[len++] = (byte) b;
    }
  }

  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** True when a comma-separated header value (any of its values) contains {@code token}. */
  static boolean hasToken(Headers headers, String name, String token) {
    var values = headers.get(name);
    if (values == null) {
      return false;
    }
    for (String value : values) {
      for (String part : value.split(",")) {
        if (part.strip().equalsIgnoreCase(token)) {
          return true;
        }
      }
    }
    return false;
  }

  static String reason(int status) {
    return switch (status) {
      case 100 -> "Continue";
      case 200 -> "OK";
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 204 -> "No Content";
      case 206 -> "Partial Content";
      case 301 -> "Moved Permanently";
      case 302 -> "Found";
      case 304 -> "Not Modified";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 408 -> "Request Timeout";
      case 409 -> "Conflict";
      case 411 -> "Length Required";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 416 -> "Range Not Satisfiable";
      case 422 -> "Unprocessable Content";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      case 505 -> "HTTP Version Not Supported";
      default -> "Status " + status;
    };
  }

  /** A request body of a known length; reports whether it was read to its end. */
  static final class LengthBody extends InputStream {
    private final InputStream in;
    private long left;

    LengthBody(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left == 0) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("connection closed with " + left + " body bytes still to come");
      }
      left -= n;
      return n;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(left, in.available());
    }

    long remaining() {
      return left;
    }
  }

  /** A chunked request body; chunk-size lines and trailers are bounded like a head. */
  static final class ChunkedBody extends InputStream {
    private static final int MAX_CHUNK_LINE = 1024;
    private final InputStream in;
    private final Limits limits;
    private long chunkLeft;
    private boolean done;

    ChunkedBody(InputStream in, Limits limits) {
      this.in = in;
      this.limits = limits;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      if (chunkLeft == 0 && !nextChunk()) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, chunkLeft));
      if (n < 0) {
        throw new EOFException("connection closed inside a chunk");
      }
      chunkLeft -= n;
      if (chunkLeft == 0) {
        expectCrlf();
      }
      return n;
    }

    private boolean nextChunk() throws IOException {
      String line = line(MAX_CHUNK_LINE);
      int semicolon = line.indexOf(';');
      String size = (semicolon >= 0 ? line.substring(0, semicolon) : line).strip();
      try {
        chunkLeft = Long.parseLong(size, 16);
      } catch (NumberFormatException e) {
        throw new IOException("malformed chunk size: " + Echo.truncate(line));
      }
      if (chunkLeft < 0) {
        throw new IOException("negative chunk size: " + Echo.truncate(line));
      }
      if (chunkLeft == 0) {
        int total = 0;
        while (true) {
          String trailer = line(limits.maxHeaderBytes() - total);
          if (trailer.isEmpty()) {
            break;
          }
          total += trailer.length() + 2;
        }
        done = true;
        return false;
      }
      return true;
    }

    private void expectCrlf() throws IOException {
      if (!line(0).isEmpty()) {
        throw new IOException("chunk not followed by CRLF");
      }
    }

    private String line(int max) throws IOException {
      try {
        return readLine(in, Math.max(0, max), false, 400, "chunk framing line too long");
      } catch (Refusal e) {
        throw new IOException(e.getMessage());
      }
    }

    boolean finished() {
      return done;
    }
  }
}
