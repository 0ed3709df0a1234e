package io.swarmsched.agent.swarm;

import static io.swarmsched.agent.swarm.ScriptedDispatcher.answer;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.agent.AgentApp;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.agent.download.TaskIds;
import io.swarmsched.agent.get.SwarmGet;
import io.swarmsched.agent.origin.OriginServer;
import io.swarmsched.agent.storage.Digests;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code swarmsched get} as a user runs it: in-process, through a daemon, and its failures. */
class SwarmGetTest {
  private static final String REGISTRY = "mock://swarm-get-test";
  private static EmbeddedKafka kafka;
  private static ScriptedDispatcher dispatcher;
  private static OriginServer origin;
  private static Path originRoot;

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeAll
  static void start() throws IOException {
    kafka = EmbeddedKafka.get();
    kafka.createTopics(Topics.ALL);
    dispatcher = new ScriptedDispatcher(kafka.bootstrapServers(), REGISTRY);
    originRoot = Files.createTempDirectory("origin");
    origin = OriginServer.start(originRoot, "127.0.0.1", 0, true);
  }

  @AfterAll
  static void stop() throws Exception {
    dispatcher.close();
    origin.close();
  }

  private Settings settings(String hostId) {
    Map<String, String> m = new HashMap<>();
    m.put("swarm.bootstrap.servers", kafka.bootstrapServers());
    m.put("swarm.schema.registry.url", REGISTRY);
    m.put(AgentConfig.HOST_ID, hostId);
    m.put(AgentConfig.DATA_DIR, dir.resolve(hostId).toString());
    m.put(AgentConfig.PIECE_LENGTH, "65536");
    m.put(AgentConfig.DECISION_TIMEOUT, "30s");
    m.put(AgentConfig.CONTROL_PORT, "0");
    return Settings.of(m);
  }

  private String file(String name, int size) throws IOException {
    byte[] b = new byte[size];
    new Random(name.hashCode()).nextBytes(b);
    Files.write(originRoot.resolve(name), b);
    String url = origin.url(name);
    dispatcher.script(
        TaskIds.of(url, null, ""), r -> answer(r, DecisionOutcome.BACK_TO_SOURCE).build());
    return url;
  }

  private int get(
      String url,
      Path output,
      Optional<String> digest,
      Settings s,
      int daemonPort,
      boolean daemon) {
    return SwarmGet.run(
        new SwarmGet.Options(url, output, digest, "", s, daemonPort, daemon, true),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void downloadsWithAnAgentInThisProcessAndPrintsASummary() throws IOException {
    String url = file("inproc.bin", 200_000);
    int code =
        get(
            url,
            dir.resolve("inproc.bin"),
            Optional.empty(),
            settings("get-" + UUID.randomUUID()),
            0,
            false);
    assertThat(code).as(err.toString()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("inproc.bin")))
        .isEqualTo(Files.readAllBytes(originRoot.resolve("inproc.bin")));
    assertThat(out.toString())
        .contains("saved")
        .contains("100% from the origin")
        .contains("sha256:");
    assertThat(err.toString()).contains("100.0%");
  }

  @Test
  void downloadsThroughARunningDaemon() throws IOException {
    String url = file("daemon.bin", 150_000);
    try (AgentApp daemon =
        AgentApp.start(AgentConfig.from(settings("daemon-" + UUID.randomUUID())))) {
      int code =
          get(
              url,
              dir.resolve("daemon.bin"),
              Optional.empty(),
              Settings.of(Map.of()),
              daemon.controlPort(),
              true);
      assertThat(code).as(err.toString()).isZero();
      assertThat(daemon.agent().heldTasks()).contains(TaskIds.of(url, null, ""));
    }
    assertThat(Files.readAllBytes(dir.resolve("daemon.bin")))
        .isEqualTo(Files.readAllBytes(originRoot.resolve("daemon.bin")));
  }

  @Test
  void aWrongDigestFailsWithOneLineAndExitCode1() throws IOException {
    String wrong = "sha256:" + "0".repeat(64);
    byte[] b = new byte[10_000];
    Files.write(originRoot.resolve("digest.bin"), b);
    String url = origin.url("digest.bin");
    dispatcher.script(
        TaskIds.of(url, wrong, ""), r -> answer(r, DecisionOutcome.BACK_TO_SOURCE).build());
    int code =
        get(
            url,
            dir.resolve("digest.bin"),
            Optional.of(wrong),
            settings("get-" + UUID.randomUUID()),
            0,
            false);
    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .contains(
            "swarmsched get: digest mismatch: expected "
                + wrong
                + ", got sha256:"
                + Digests.sha256Hex(b));
  }

  @Test
  void anUnreachableOriginFailsWithItsReason() {
    String url = "http://127.0.0.1:1/nothing.bin";
    dispatcher.script(
        TaskIds.of(url, null, ""), r -> answer(r, DecisionOutcome.BACK_TO_SOURCE).build());
    int code =
        get(
            url,
            dir.resolve("x.bin"),
            Optional.empty(),
            settings("get-" + UUID.randomUUID()),
            0,
            false);
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("swarmsched get: origin unreachable");
  }

  @Test
  void badArgumentsExitWith2BeforeStartingAnything() {
    assertThat(
            get("ftp://x/y", dir.resolve("a"), Optional.empty(), Settings.of(Map.of()), 0, false))
        .isEqualTo(2);
    assertThat(err.toString()).contains("unsupported URL scheme 'ftp'");
    assertThat(
            get(
                "http://x/y",
                dir.resolve("a"),
                Optional.of("md5:00"),
                Settings.of(Map.of()),
                0,
                false))
        .isEqualTo(2);
    assertThat(err.toString()).contains("unsupported digest algorithm 'md5'");
    assertThat(
            get(
                "http://x/y",
                dir.resolve("no/such/dir/a"),
                Optional.empty(),
                Settings.of(Map.of()),
                0,
                false))
        .isEqualTo(2);
    assertThat(err.toString()).contains("does not exist");
  }

  @Test
  void theDaemonsControlApiNamesTheBadField() throws Exception {
    try (AgentApp daemon =
        AgentApp.start(AgentConfig.from(settings("daemon-" + UUID.randomUUID())))) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + daemon.controlPort();
      HttpResponse<String> noUrl =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/downloads"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"output\":\"/tmp/x\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(noUrl.statusCode()).isEqualTo(400);
      assertThat(noUrl.body()).contains("url: required");
      HttpResponse<String> relative =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/downloads"))
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"url\":\"http://x/y\",\"output\":\"rel/x\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(relative.statusCode()).isEqualTo(400);
      assertThat(relative.body()).contains("output: must be an absolute path");
      HttpResponse<String> unknown =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/downloads/nope")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(unknown.statusCode()).isEqualTo(404);
    }
  }
}
