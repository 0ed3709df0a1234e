package io.swarmsched.runtime.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a handler answers: status, content type, body bytes and extra headers. */
public record Response(
    int status, String contentType, byte[] body, Map<String, List<String>> headers) {
  public static final String JSON = "application/json";

  public Response {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    body = body == null ? new byte[0] : body;
  }

  /** {@code value} as JSON (Jackson) with {@code status}. */
  public static Response json(int status, Object value) {
    try {
      return new Response(status, JSON, HttpApi.JSON.writeValueAsBytes(value), Map.of());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "cannot write response as JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static Response ok(Object value) {
    return json(200, value);
  }

  public static Response text(int status, String text, String contentType) {
    return new Response(status, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  public static Response raw(int status, String contentType, byte[] body) {
    return new Response(status, contentType, body, Map.of());
  }

  /**
   * The standard error body: {@code {"error_code": errorCode, "message": message}}. Handlers quote
   * client input (ids) in messages; every word longer than {@link Echo#MAX_CHARS} is cut here
   * ({@link Echo#truncateLongWords}), so no error echoes a huge input back in full.
   */
  public static Response error(int status, int errorCode, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error_code", errorCode);
    body.put("message", Echo.truncateLongWords(message));
    return json(status, body);
  }

  public static Response error(int status, String message) {
    return error(status, status, message);
  }

  public Response withHeader(String name, String value) {
    Map<String, List<String>> copy = new LinkedHashMap<>(headers);
    copy.put(name, List.of(value));
    return new Response(status, contentType, body, copy);
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
