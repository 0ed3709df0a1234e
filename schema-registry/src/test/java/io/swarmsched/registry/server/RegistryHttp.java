package io.swarmsched.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny test client: sends a request to a registry and answers status + parsed JSON body. */
final class RegistryHttp {

  static final ObjectMapper JSON = new ObjectMapper();

  record Answer(int status, JsonNode body, String contentType) {
    int errorCode() {
      return body.path("error_code").asInt();
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String baseUrl;

  RegistryHttp(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  Answer get(String path) {
    return send("GET", path, null, "application/vnd.schemaregistry.v1+json");
  }

  Answer delete(String path) {
    return send("DELETE", path, null, "application/vnd.schemaregistry.v1+json");
  }

  Answer post(String path, String body) {
    return send("POST", path, body, "application/vnd.schemaregistry.v1+json");
  }

  Answer put(String path, String body) {
    return send("PUT", path, body, "application/vnd.schemaregistry.v1+json");
  }

  Answer send(String method, String path, String body, String contentType) {
    return send(method, path, body, contentType, null);
  }

  /** With {@code Authorization: <authorization>} when not null. */
  Answer send(String method, String path, String body, String contentType, String authorization) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(
          response.statusCode(),
          JSON.readTree(response.body()),
          response.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {"schema": "<schema text>"} with the text JSON-escaped. */
  static String schemaBody(String schemaText) {
    return JSON.createObjectNode().put("schema", schemaText).toString();
  }

  static String record(String name, String fields) {
    return "{\"type\":\"record\",\"name\":\""
        + name
        + "\",\"namespace\":\"t\",\"fields\":["
        + fields
        + "]}";
  }
}
