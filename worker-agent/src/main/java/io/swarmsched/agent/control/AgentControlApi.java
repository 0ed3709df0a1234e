package io.swarmsched.agent.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.agent.Agent;
import io.swarmsched.agent.download.DownloadException;
import io.swarmsched.agent.download.DownloadProgress;
import io.swarmsched.agent.download.DownloadRequest;
import io.swarmsched.agent.download.DownloadResult;
import io.swarmsched.agent.origin.OriginClient;
import io.swarmsched.agent.server.UploadLoad;
import io.swarmsched.agent.storage.Digests;
import io.swarmsched.runtime.http.ApiException;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Response;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent daemon's control API, which {@code swarmsched get} uses when a daemon runs: {@code POST
 * /api/v1/downloads} starts a download, {@code GET /api/v1/downloads/{id}} follows it; {@code GET
 * /api/v1/load} and {@code GET /api/v1/tasks} show what the agent serves.
 */
public final class AgentControlApi implements AutoCloseable {
  private final Agent agent;
  private final HttpApi api;
  private final Map<String, Tracked> downloads = new ConcurrentHashMap<>();

  private record Tracked(
      String id, DownloadProgress progress, CompletableFuture<DownloadResult> result) {}

  private AgentControlApi(Agent agent, HttpApi api) {
    this.agent = agent;
    this.api = api;
  }

  public static AgentControlApi start(Agent agent, String host, int port) throws IOException {
    HttpApi api = HttpApi.create(host, port, 64 * 1024);
    AgentControlApi control = new AgentControlApi(agent, api);
    api.post("/api/v1/downloads", r -> control.startDownload(r.bodyJson()));
    api.get("/api/v1/downloads/{id}", r -> control.status(r.pathParam("id")));
    api.get(
        "/api/v1/load",
        r -> {
          UploadLoad l = agent.uploadLoad();
          return Response.ok(
              Map.of(
                  "max_tx",
                  l.maxTx(),
                  "tx",
                  l.tx(),
                  "concurrent_uploads",
                  l.concurrentUploads(),
                  "upload_slot_limit",
                  l.uploadSlotLimit(),
                  "served_bytes",
                  l.servedBytes()));
        });
    api.get("/api/v1/tasks", r -> Response.ok(Map.of("tasks", agent.heldTasks())));
    api.start();
    return control;
  }

  public int port() {
    return api.port();
  }

  private Response startDownload(JsonNode body) {
    String url = text(body, "url").orElseThrow(() -> ApiException.badRequest("url: required"));
    try {
      OriginClient.checkUrl(url);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("url: " + e.getMessage());
    }
    String output =
        text(body, "output")
            .orElseThrow(() -> ApiException.badRequest("output: required (an absolute path)"));
    Path path = Path.of(output);
    if (!path.isAbsolute()) {
      throw ApiException.badRequest("output: must be an absolute path, got " + output);
    }
    Optional<String> digest = text(body, "digest");
    if (digest.isPresent()) {
      try {
        Digests.parseSha256(digest.get());
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("digest: " + e.getMessage());
      }
    }
    String tag = text(body, "tag").orElse("");
    DownloadProgress progress = new DownloadProgress();
    String id = UUID.randomUUID().toString();
    CompletableFuture<DownloadResult> result =
        agent.download(new DownloadRequest(url, path, digest, tag, false, false), progress);
    downloads.put(id, new Tracked(id, progress, result));
    return Response.json(202, Map.of("id", id));
  }

  private Response status(String id) {
    Tracked t = downloads.get(id);
    if (t == null) {
      throw ApiException.notFound("no download " + id);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", id);
    DownloadProgress p = t.progress();
    out.put("phase", p.phase());
    out.put("total_bytes", p.totalBytes());
    out.put("done_bytes", p.doneBytes());
    out.put("peer_bytes", p.peerBytes());
    out.put("origin_bytes", p.originBytes());
    out.put("resumed_bytes", p.resumedBytes());
    out.put("elapsed_seconds", p.elapsedSeconds());
    if (!t.result().isDone()) {
      out.put("state", "running");
    } else if (t.result().isCompletedExceptionally()) {
      out.put("state", "failed");
      Throwable e = t.result().handle((r, err) -> err).join();
      Throwable cause =
          e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause()
              : e;
      out.put(
          "error", cause instanceof DownloadException ? cause.getMessage() : String.valueOf(cause));
    } else {
      DownloadResult r = t.result().join();
      out.put("state", "succeeded");
      out.put("digest", r.digest());
      out.put("task_id", r.taskId());
      out.put("path", r.path().toString());
    }
    return Response.ok(out);
  }

  private static Optional<String> text(JsonNode body, String field) {
    JsonNode n = body == null ? null : body.get(field);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isTextual()) {
      throw ApiException.badRequest(field + ": must be a string");
    }
    return n.asText().isBlank() ? Optional.empty() : Optional.of(n.asText());
  }

  @Override
  public void close() {
    api.close();
  }
}
