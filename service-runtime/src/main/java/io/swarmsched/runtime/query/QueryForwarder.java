package io.swarmsched.runtime.query;

import io.swarmsched.runtime.http.Request;
import io.swarmsched.runtime.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Sends a request on to another instance's HTTP API, marked with {@link #FORWARDED_BY} so the
 * receiver answers from its own state and never forwards again (no loops).
 */
public final class QueryForwarder {
  /** Set on a forwarded request: host:port of the instance that forwarded it. */
  public static final String FORWARDED_BY = "X-Swarm-Forwarded-By";

  /** Set on every routed answer: host:port of the instance whose state answered. */
  public static final String ANSWERED_BY = "X-Swarm-Answered-By";

  private final HttpClient client;
  private final HostInfo self;
  private final Duration requestTimeout;

  public QueryForwarder(HostInfo self, Duration connectTimeout, Duration requestTimeout) {
    this.self = self;
    this.requestTimeout = requestTimeout;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  public static boolean isForwarded(Request request) {
    return request.header(FORWARDED_BY).isPresent();
  }

  public static String address(HostInfo host) {
    return host.host() + ":" + host.port();
  }

  /** Forwards {@code request} (method, path, query, body, content type) to {@code target}. */
  public Response forward(HostInfo target, Request request)
      throws IOException, InterruptedException {
    return send(
        target,
        request.method(),
        request.pathAndQuery(),
        request.body(),
        request.header("Content-Type").orElse(null));
  }

  public Response send(
      HostInfo target, String method, String pathAndQuery, byte[] body, String contentType)
      throws IOException, InterruptedException {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create("http://" + address(target) + pathAndQuery))
            .timeout(requestTimeout)
            .header(FORWARDED_BY, address(self))
            .method(
                method,
                body == null || body.length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    HttpResponse<byte[]> response =
        client.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    String responseType = response.headers().firstValue("Content-Type").orElse(Response.JSON);
    String answeredBy = response.headers().firstValue(ANSWERED_BY).orElse(address(target));
    return new Response(
        response.statusCode(),
        responseType,
        response.body(),
        Map.of(ANSWERED_BY, List.of(answeredBy)));
  }

  public HostInfo self() {
    return self;
  }
}
