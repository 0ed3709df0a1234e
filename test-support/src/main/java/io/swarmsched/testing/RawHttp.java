package io.swarmsched.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A client on a raw socket that writes its whole request before reading anything, the way a simple
 * client (or a hostile one) does; no HTTP library smooths over resets or framing.
 */
public final class RawHttp {
  private RawHttp() {}

  /** A response as read off the wire: status, head and body text. */
  public record Reply(int status, String head, String body) {}

  /** Writes {@code request}, then reads one response (Content-Length or until EOF). */
  public static Reply exchange(int port, byte[] request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return read(socket.getInputStream());
    }
  }

  public static Reply exchange(int port, String request) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** One response: its head, then Content-Length bytes of body (or everything up to EOF). */
  public static Reply read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a full response head: " + head);
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String headText = head.toString(StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(headText.substring(9, 12));
    byte[] body;
    String length = header(headText, "Content-Length");
    if (length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    } else if ("chunked".equalsIgnoreCase(header(headText, "Transfer-Encoding"))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      while (true) {
        String size = line(in);
        int n = Integer.parseInt(size.strip(), 16);
        if (n == 0) {
          line(in);
          break;
        }
        out.write(in.readNBytes(n));
        line(in);
      }
      body = out.toByteArray();
    } else {
      body = in.readAllBytes();
    }
    return new Reply(status, headText, new String(body, StandardCharsets.UTF_8));
  }

  /** A header's value in a response head, or null. */
  public static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
        return line.substring(colon + 1).strip();
      }
    }
    return null;
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }
}
