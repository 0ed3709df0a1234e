package io.swarmsched.swarm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's headless Chromium driven over the DevTools protocol (a WebSocket from {@code
 * java.net.http}), so a test can load a page, evaluate JavaScript in it and take screenshots
 * without Selenium or a driver download. Each instance has its own fresh profile.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CANDIDATES =
      List.of(
          "/usr/bin/chromium",
          "/usr/bin/chromium-browser",
          "/usr/bin/google-chrome",
          "/usr/bin/google-chrome-stable");

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private HeadlessChromium(Process process, WebSocket socket) {
    this.process = process;
    this.socket = socket;
  }

  /** The browser's executable: $CHROMIUM, else the first of the usual paths that exists. */
  static Optional<Path> executable() {
    String env = System.getenv("CHROMIUM");
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
      return Optional.of(Path.of(env));
    }
    return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
  }

  static HeadlessChromium start(Path executable, Path profile, Path log) throws Exception {
    Files.createDirectories(profile);
    Process process =
        new ProcessBuilder(
                executable.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                "--window-size=1280,1000",
                "--user-data-dir=" + profile,
                "about:blank")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      // Chromium writes the port it chose to DevToolsActivePort in the profile.
      Path portFile = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty()) {
        if (!process.isAlive()) {
          throw new IOException("chromium exited with " + process.exitValue() + "; see " + log);
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("chromium did not open its DevTools port within 60 s; see " + log);
        }
        Thread.sleep(100);
      }
      int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
      HttpClient http = HttpClient.newHttpClient();
      String ws = null;
      while (ws == null) {
        JsonNode targets =
            JSON.readTree(
                http.send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/json/list"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
        for (JsonNode t : targets) {
          if ("page".equals(t.path("type").asText())) {
            ws = t.path("webSocketDebuggerUrl").asText();
            break;
          }
        }
        if (ws == null) {
          if (System.nanoTime() > deadline) {
            throw new IOException("chromium has no page target: " + targets);
          }
          Thread.sleep(100);
        }
      }
      HeadlessChromium[] self = new HeadlessChromium[1];
      StringBuilder buffer = new StringBuilder();
      WebSocket socket =
          http.newWebSocketBuilder()
              .buildAsync(
                  URI.create(ws),
                  new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(
                        WebSocket webSocket, CharSequence data, boolean last) {
                      buffer.append(data);
                      if (last) {
                        String message = buffer.toString();
                        buffer.setLength(0);
                        self[0].received(message);
                      }
                      webSocket.request(1);
                      return null;
                    }
                  })
              .get(30, TimeUnit.SECONDS);
      self[0] = new HeadlessChromium(process, socket);
      self[0].call(
          "Emulation.setDeviceMetricsOverride",
          Map.of("width", 1280, "height", 1000, "deviceScaleFactor", 1, "mobile", false));
      return self[0];
    } catch (Exception | Error e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private void received(String message) {
    try {
      JsonNode node = JSON.readTree(message);
      if (node.has("id")) {
        CompletableFuture<JsonNode> f = pending.remove(node.get("id").asInt());
        if (f != null) {
          if (node.has("error")) {
            f.completeExceptionally(new IOException("DevTools error: " + node.get("error")));
          } else {
            f.complete(node.path("result"));
          }
        }
      }
    } catch (IOException e) {
      // events we do not read; a malformed message would fail the call that waits for it by timeout
    }
  }

  JsonNode call(String method, Map<String, Object> params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", JSON.valueToTree(params));
    socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
    return f.get(30, TimeUnit.SECONDS);
  }

  void navigate(String url) throws Exception {
    call("Page.navigate", Map.of("url", url));
  }

  /** The value of a JavaScript expression in the page (JSON-serializable values only). */
  JsonNode eval(String expression) throws Exception {
    JsonNode r =
        call(
            "Runtime.evaluate",
            Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new IOException("JavaScript failed: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /**
   * Polls {@code expression} until it is true; fails with {@code what} and the last page text after
   * {@code timeout}.
   */
  void await(String what, String expression, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode v = eval(expression);
      if (v.asBoolean(false)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the dashboard did not show "
                + what
                + " within "
                + timeout
                + "; page text:\n"
                + eval("document.body.innerText").asText());
      }
      Thread.sleep(250);
    }
  }

  void screenshot(Path file) throws Exception {
    JsonNode r = call("Page.captureScreenshot", Map.of("format", "png"));
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(r.path("data").asText()));
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the process goes anyway
    }
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
