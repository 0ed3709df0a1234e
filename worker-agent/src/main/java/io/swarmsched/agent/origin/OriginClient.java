package io.swarmsched.agent.origin;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * Fetches content from the origin (any plain HTTP server): its length, and byte ranges with {@code
 * Range} requests. An origin that ignores {@code Range} answers 200 with the whole body: {@link
 * #requestRange} hands that body to the caller to stream once, and {@link #fetchRange} still
 * returns the right bytes (reading past those before the range) for an origin that honours ranges
 * only sometimes.
 */
public final class OriginClient {
  private final HttpClient http;
  private final Duration timeout;

  public OriginClient(Duration timeout) {
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /** What the origin says about the content before any byte is fetched. */
  public record Probe(long contentLength, boolean acceptsRanges) {}

  /**
   * @throws IllegalArgumentException for a URL that is not http or https
   */
  public static URI checkUrl(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a URL: " + url);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "unsupported URL scheme '"
              + (uri.getScheme() == null ? "" : uri.getScheme())
              + "' in "
              + url
              + " (http and https are supported)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("URL has no host: " + url);
    }
    return uri;
  }

  /**
   * Asks the origin for the content length (a HEAD, or a one-byte range where HEAD says nothing).
   */
  public Probe probe(String url) throws OriginException {
    URI uri = checkUrl(url);
    HttpResponse<Void> head =
        send(
            HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.discarding(),
            url);
    if (head.statusCode() == 200) {
      OptionalLong length = head.headers().firstValueAsLong("Content-Length");
      boolean ranges =
          head.headers()
              .firstValue("Accept-Ranges")
              .map(v -> v.toLowerCase(Locale.ROOT).contains("bytes"))
              .orElse(false);
      if (length.isPresent()) {
        return new Probe(length.getAsLong(), ranges);
      }
    } else if (head.statusCode() != 405 && head.statusCode() != 501) {
      throw new OriginException(
          "origin answered " + head.statusCode() + " for " + url, head.statusCode());
    }
    // HEAD unsupported or without length: ask for the first byte and read Content-Range.
    HttpResponse<InputStream> get =
        send(
            HttpRequest.newBuilder(uri).timeout(timeout).header("Range", "bytes=0-0").GET().build(),
            HttpResponse.BodyHandlers.ofInputStream(),
            url);
    try (InputStream body = get.body()) {
      if (get.statusCode() == 206) {
        String range = get.headers().firstValue("Content-Range").orElse("");
        int slash = range.lastIndexOf('/');
        if (slash >= 0 && !range.endsWith("*")) {
          return new Probe(Long.parseLong(range.substring(slash + 1).trim()), true);
        }
      } else if (get.statusCode() == 200) {
        OptionalLong length = get.headers().firstValueAsLong("Content-Length");
        if (length.isPresent()) {
          return new Probe(length.getAsLong(), false);
        }
        return new Probe(body.transferTo(OutputStreamNull.INSTANCE), false);
      }
      throw new OriginException(
          "origin answered " + get.statusCode() + " for " + url, get.statusCode());
    } catch (IOException | NumberFormatException e) {
      if (e instanceof OriginException oe) {
        throw oe;
      }
      throw new OriginException(
          "could not read the content length of " + url + ": " + e.getMessage(), e);
    }
  }

  /**
   * The answer to a range request: the range alone, or the whole body from an origin that ignores
   * {@code Range}.
   */
  public sealed interface RangeAnswer {
    record Partial(byte[] bytes) implements RangeAnswer {}

    /** The whole content from its first byte; the caller reads it once and closes it. */
    record Whole(InputStream body) implements RangeAnswer {}
  }

  /**
   * Asks for the bytes [offset, offset + length); an origin without range support answers with the
   * whole body.
   */
  public RangeAnswer requestRange(String url, long offset, int length) throws OriginException {
    URI uri = checkUrl(url);
    HttpResponse<InputStream> response =
        send(
            HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Range", "bytes=" + offset + "-" + (offset + length - 1))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofInputStream(),
            url);
    if (response.statusCode() == 200) {
      return new RangeAnswer.Whole(response.body());
    }
    try (InputStream body = response.body()) {
      if (response.statusCode() == 206) {
        return new RangeAnswer.Partial(readFully(body, length, url));
      }
      throw new OriginException(
          "origin answered " + response.statusCode() + " for " + url, response.statusCode());
    } catch (OriginException e) {
      throw e;
    } catch (IOException e) {
      throw new OriginException("reading " + url + " failed: " + e.getMessage(), e);
    }
  }

  /** The whole content as a stream, from its first byte (no {@code Range}). */
  public InputStream openWhole(String url) throws OriginException {
    URI uri = checkUrl(url);
    HttpResponse<InputStream> response =
        send(
            HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
            HttpResponse.BodyHandlers.ofInputStream(),
            url);
    if (response.statusCode() != 200) {
      try {
        response.body().close();
      } catch (IOException e) {
        // the status is the error to report
      }
      throw new OriginException(
          "origin answered " + response.statusCode() + " for " + url, response.statusCode());
    }
    return response.body();
  }

  /** The bytes [offset, offset + length) of the content. */
  public byte[] fetchRange(String url, long offset, int length) throws OriginException {
    URI uri = checkUrl(url);
    HttpResponse<InputStream> response =
        send(
            HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Range", "bytes=" + offset + "-" + (offset + length - 1))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofInputStream(),
            url);
    try (InputStream body = response.body()) {
      if (response.statusCode() == 206) {
        return readFully(body, length, url);
      }
      if (response.statusCode() == 200) {
        // No Range support: skip to the offset in the whole body.
        long skipped = body.skip(offset);
        while (skipped < offset) {
          long n = body.skip(offset - skipped);
          if (n <= 0) {
            if (body.read() < 0) {
              throw new OriginException(
                  "origin body ended at "
                      + skipped
                      + " bytes, before offset "
                      + offset
                      + " of "
                      + url,
                  200);
            }
            n = 1;
          }
          skipped += n;
        }
        return readFully(body, length, url);
      }
      throw new OriginException(
          "origin answered " + response.statusCode() + " for " + url, response.statusCode());
    } catch (OriginException e) {
      throw e;
    } catch (IOException e) {
      throw new OriginException("reading " + url + " failed: " + e.getMessage(), e);
    }
  }

  private static byte[] readFully(InputStream in, int length, String url) throws IOException {
    byte[] out = in.readNBytes(length);
    if (out.length < length) {
      throw new OriginException(
          "origin sent " + out.length + " of " + length + " bytes for a range of " + url, 206);
    }
    return Arrays.copyOf(out, length);
  }

  private <T> HttpResponse<T> send(
      HttpRequest request, HttpResponse.BodyHandler<T> handler, String url) throws OriginException {
    try {
      return http.send(request, handler);
    } catch (ConnectException e) {
      throw new OriginException("origin unreachable: " + url + " (" + e.getMessage() + ")", e);
    } catch (HttpTimeoutException e) {
      throw new OriginException("origin timed out: " + url, e);
    } catch (IOException e) {
      throw new OriginException("origin request failed: " + url + " (" + e + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OriginException("interrupted while fetching " + url, e);
    }
  }

  private static final class OutputStreamNull extends java.io.OutputStream {
    static final OutputStreamNull INSTANCE = new OutputStreamNull();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
