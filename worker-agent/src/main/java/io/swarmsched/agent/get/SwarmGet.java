package io.swarmsched.agent.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.agent.Agent;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.agent.download.DownloadException;
import io.swarmsched.agent.download.DownloadProgress;
import io.swarmsched.agent.download.DownloadRequest;
import io.swarmsched.agent.download.DownloadResult;
import io.swarmsched.agent.origin.OriginClient;
import io.swarmsched.agent.storage.Digests;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code swarmsched get URL -O FILE}: downloads through the swarm, through the local agent daemon
 * when one answers on its control port, else with an agent started in this process, and shows
 * progress (bytes, rate, ETA, peers versus origin). Exit codes: 0 done, 1 the download failed (the
 * reason on one line), 2 bad arguments.
 */
public final class SwarmGet {
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final int DEFAULT_DAEMON_PORT = 65001;

  public record Options(
      String url,
      Path output,
      Optional<String> digest,
      String tag,
      Settings settings,
      int daemonPort,
      boolean allowDaemon,
      boolean showProgress) {}

  private SwarmGet() {}

  public static int run(Options o, PrintStream out, PrintStream err) {
    Path output = o.output().toAbsolutePath();
    try {
      OriginClient.checkUrl(o.url());
      if (o.digest().isPresent()) {
        Digests.parseSha256(o.digest().get());
      }
    } catch (IllegalArgumentException e) {
      err.println("swarmsched get: " + e.getMessage());
      return 2;
    }
    Path parent = output.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      err.println("swarmsched get: the directory of " + output + " does not exist");
      return 2;
    }
    try {
      if (o.allowDaemon() && daemonAnswers(o.daemonPort())) {
        return viaDaemon(o, output, out, err);
      }
      return inProcess(o, output, out, err);
    } catch (ConfigException e) {
      err.println("swarmsched get: " + e.getMessage());
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("swarmsched get: interrupted");
      return 1;
    } catch (IOException e) {
      err.println("swarmsched get: " + e.getMessage());
      return 1;
    }
  }

  private static int inProcess(Options o, Path output, PrintStream out, PrintStream err)
      throws IOException, InterruptedException {
    Settings s = o.settings();
    if (s.optional(AgentConfig.HOST_ID).isEmpty()) {
      s = s.with(AgentConfig.HOST_ID, "get-" + hostName() + "-" + ProcessHandle.current().pid());
    }
    if (s.optional(AgentConfig.DATA_DIR).isEmpty()) {
      s = s.with(AgentConfig.DATA_DIR, Files.createTempDirectory("swarmsched-get").toString());
    }
    AgentConfig config = AgentConfig.from(s);
    try (Agent agent = Agent.start(config)) {
      DownloadProgress progress = new DownloadProgress();
      CompletableFuture<DownloadResult> result =
          agent.download(
              new DownloadRequest(o.url(), output, o.digest(), o.tag(), false, false), progress);
      while (true) {
        try {
          DownloadResult r = result.get(250, TimeUnit.MILLISECONDS);
          show(o, err, DownloadSnapshot.of(progress), true);
          out.println(
              summary(
                  r.path(),
                  r.contentLength(),
                  r.elapsedSeconds(),
                  r.peerBytes(),
                  r.originBytes(),
                  r.resumedBytes(),
                  r.digest()));
          return 0;
        } catch (TimeoutException e) {
          show(o, err, DownloadSnapshot.of(progress), false);
        } catch (ExecutionException e) {
          show(o, err, DownloadSnapshot.of(progress), true);
          Throwable c = e.getCause();
          err.println(
              "swarmsched get: "
                  + (c instanceof DownloadException ? c.getMessage() : String.valueOf(c)));
          return 1;
        }
      }
    }
  }

  private static int viaDaemon(Options o, Path output, PrintStream out, PrintStream err)
      throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("url", o.url());
    body.put("output", output.toString());
    o.digest().ifPresent(d -> body.put("digest", d));
    body.put("tag", o.tag());
    HttpResponse<String> started =
        http.send(
            HttpRequest.newBuilder(daemon(o.daemonPort(), "/api/v1/downloads"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (started.statusCode() != 202) {
      err.println(
          "swarmsched get: the agent daemon refused the download: "
              + JSON.readTree(started.body()).path("message").asText(started.body()));
      return started.statusCode() == 400 ? 2 : 1;
    }
    String id = JSON.readTree(started.body()).path("id").asText();
    while (true) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(daemon(o.daemonPort(), "/api/v1/downloads/" + id))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode n = JSON.readTree(r.body());
      DownloadSnapshot snap =
          new DownloadSnapshot(
              n.path("phase").asText(),
              n.path("total_bytes").asLong(-1),
              n.path("done_bytes").asLong(),
              n.path("peer_bytes").asLong(),
              n.path("origin_bytes").asLong(),
              n.path("resumed_bytes").asLong(),
              n.path("elapsed_seconds").asDouble());
      String state = n.path("state").asText();
      if (state.equals("running")) {
        show(o, err, snap, false);
        Thread.sleep(250);
        continue;
      }
      show(o, err, snap, true);
      if (state.equals("succeeded")) {
        out.println(
            summary(
                output,
                snap.totalBytes(),
                snap.elapsedSeconds(),
                snap.peerBytes(),
                snap.originBytes(),
                snap.resumedBytes(),
                n.path("digest").asText()));
        return 0;
      }
      err.println("swarmsched get: " + n.path("error").asText("failed"));
      return 1;
    }
  }

  private static long lastShown;

  private static void show(Options o, PrintStream err, DownloadSnapshot s, boolean last) {
    if (!o.showProgress()) {
      return;
    }
    boolean tty = System.console() != null;
    long now = System.nanoTime();
    if (tty) {
      err.print("\r" + ProgressBar.render(s, 30) + (last ? "\n" : ""));
      err.flush();
    } else if (last || now - lastShown > TimeUnit.SECONDS.toNanos(5)) {
      err.println(ProgressBar.render(s, 30));
      lastShown = now;
    }
  }

  static String summary(
      Path path, long length, double seconds, long peer, long origin, long resumed, String digest) {
    long fresh = peer + origin;
    return String.format(
        Locale.ROOT,
        "saved %s: %s in %.1f s (%s/s); %.0f%% from peers, %.0f%% from the origin%s; %s",
        path,
        ProgressBar.bytes(length),
        seconds,
        ProgressBar.bytes((long) (fresh / Math.max(seconds, 1e-3))),
        fresh == 0 ? 0.0 : 100.0 * peer / fresh,
        fresh == 0 ? 0.0 : 100.0 * origin / fresh,
        resumed > 0 ? ", " + ProgressBar.bytes(resumed) + " resumed" : "",
        digest);
  }

  static boolean daemonAnswers(int port) {
    try {
      HttpResponse<Void> r =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofMillis(500))
              .build()
              .send(
                  HttpRequest.newBuilder(daemon(port, "/health"))
                      .timeout(Duration.ofSeconds(1))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static URI daemon(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
