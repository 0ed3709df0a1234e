package io.swarmsched.runtime.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** One HTTP request as a handler sees it: path parameters, query, headers, body. */
public final class Request {
  private final String method;
  private final String path;
  private final String rawQuery;
  private final Map<String, String> pathParams;
  private final Map<String, List<String>> query;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final Optional<String> principal;

  public Request(
      String method,
      String path,
      String rawQuery,
      Map<String, String> pathParams,
      Map<String, List<String>> headers,
      byte[] body) {
    this(method, path, rawQuery, pathParams, headers, body, Optional.empty());
  }

  /**
   * @param principal the name {@link HttpAuth} authenticated from the request's bearer token, or
   *     empty when the request carried no valid token (or the API has no tokens configured)
   */
  public Request(
      String method,
      String path,
      String rawQuery,
      Map<String, String> pathParams,
      Map<String, List<String>> headers,
      byte[] body,
      Optional<String> principal) {
    this.principal = principal == null ? Optional.empty() : principal;
    this.method = method;
    this.path = path;
    this.rawQuery = rawQuery;
    this.pathParams = Map.copyOf(pathParams);
    this.query = parseQuery(rawQuery);
    Map<String, List<String>> lower = new LinkedHashMap<>();
    headers.forEach(
        (name, values) -> lower.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
    this.headers = lower;
    this.body = body == null ? new byte[0] : body;
  }

  public String method() {
    return method;
  }

  /**
   * Who sent this request: the principal whose bearer token ({@code Authorization: Bearer ...})
   * {@link HttpAuth} verified, e.g. {@code agent-1} or {@code cli}. Empty when no valid token came
   * with it; a write route only runs without one when the API's auth is off ({@link
   * HttpAuth#enabled()}), so a handler that binds something to the sender must treat empty as
   * "anonymous".
   */
  public Optional<String> principal() {
    return principal;
  }

  /** The decoded path, e.g. /api/v1/hosts/h 1. */
  public String path() {
    return path;
  }

  /** The raw query string (without '?'), or null. */
  public String rawQuery() {
    return rawQuery;
  }

  /** Path and query as sent, for forwarding: /api/v1/hosts?liveness=ONLINE. */
  public String pathAndQuery() {
    String encodedPath =
        java.util.Arrays.stream(path.split("/", -1))
            .map(
                segment ->
                    java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
            .collect(Collectors.joining("/"));
    return rawQuery == null || rawQuery.isEmpty() ? encodedPath : encodedPath + "?" + rawQuery;
  }

  /** The value of {@code {name}} in the route pattern. */
  public String pathParam(String name) {
    String value = pathParams.get(name);
    if (value == null) {
      throw new IllegalArgumentException("route has no path parameter {" + name + "}");
    }
    return value;
  }

  public Map<String, String> pathParams() {
    return pathParams;
  }

  public Optional<String> query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  public List<String> queryAll(String name) {
    return query.getOrDefault(name, List.of());
  }

  public Map<String, List<String>> queryParams() {
    return query;
  }

  /** A header, case-insensitively. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  public Map<String, List<String>> headers() {
    return headers;
  }

  public byte[] body() {
    return body;
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** The body as a JSON tree; an empty or malformed body is a 400 naming the problem. */
  public JsonNode bodyJson() {
    if (body.length == 0) {
      throw ApiException.badRequest("request body is empty; expected JSON");
    }
    try {
      return HttpApi.JSON.readTree(body);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  /**
   * The body bound to {@code type} with Jackson; malformed JSON or a wrong field is a 400 naming
   * it.
   */
  public <T> T bodyAs(Class<T> type) {
    if (body.length == 0) {
      throw ApiException.badRequest("request body is empty; expected JSON");
    }
    try {
      return HttpApi.JSON.readValue(body, type);
    } catch (IOException e) {
      throw malformed(e);
    }
  }

  static ApiException malformed(IOException e) {
    if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      String field =
          mapping.getPath().stream()
              .map(
                  ref ->
                      ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
              .collect(Collectors.joining("."))
              .replace(".[", "[");
      return ApiException.badRequest(
          "invalid JSON at field '" + field + "': " + firstLine(mapping.getOriginalMessage()));
    }
    if (e instanceof JsonProcessingException processing) {
      JsonLocation at = processing.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      return ApiException.badRequest(
          "malformed JSON" + where + ": " + firstLine(processing.getOriginalMessage()));
    }
    return ApiException.badRequest("malformed JSON: " + firstLine(e.getMessage()));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static Map<String, List<String>> parseQuery(String rawQuery) {
    Map<String, List<String>> result = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return result;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      result.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return result;
  }
}
