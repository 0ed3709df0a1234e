package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.cluster.LocalCluster;
import io.swarmsched.cluster.LocalClusterConfig;
import io.swarmsched.cluster.Ports;
import io.swarmsched.testing.Await;
import io.swarmsched.topics.TopicProvisioner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swarmsched up} as a process: it shares its data directory with {@code swarmsched cluster}
 * (either may run after the other), and a SIGTERM ends it within a bound even when the broker died
 * first, so its agents' and services' Kafka clients cannot flush.
 */
class UpLifecycleTest {
  /** The bound the issue asks for; UpCommand.SHUTDOWN_LIMIT (25 s) is the net under it. */
  static final Duration EXIT_BOUND = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  @Test
  void upAfterClusterStopsWithinTheBoundOnSigtermAfterTheBrokerIsKilledAndClusterRunsAfterIt()
      throws Exception {
    LocalClusterConfig cluster =
        LocalClusterConfig.defaults()
            .withPorts(Ports.findFree(), Ports.findFree(), Ports.findFree())
            .withDataDir(dataDir)
            .withBrokerJvmOptions(List.of("-Xmx384m"));
    try (LocalCluster first = LocalCluster.start(cluster)) {
      assertThat(first.topics()).isNotEmpty();
    }

    Path output = dataDir.resolve("up.out");
    int dashboardPort = Ports.findFree();
    Process up = startUp(cluster, dashboardPort, output);
    try {
      Await.until(
          Duration.ofMinutes(5),
          "up to say it is running",
          () -> {
            String text = read(output);
            if (!up.isAlive()) {
              throw new AssertionError("up exited with " + up.exitValue() + ":\n" + text);
            }
            return text.contains("Ctrl-C stops everything.");
          });
      assertThat(read(output)).doesNotContain("not in the form of topic-partition");
      // up prints the dashboard's address (issue 19), and the page and its reads answer there
      String dashboard = "http://127.0.0.1:" + dashboardPort + "/";
      assertThat(read(output)).containsPattern("(?m)^  dashboard +" + dashboard + " ");
      assertThat(get(dashboard)).contains("<title>swarmsched</title>");
      assertThat(get(dashboard + "proxy/dispatcher/health")).contains("UP");
      ProcessHandle broker =
          brokerOf(up).orElseThrow(() -> new AssertionError("no broker child of up"));

      broker.destroyForcibly(); // kill -9: nothing of the cluster answers any more
      broker.onExit().get(30, TimeUnit.SECONDS);
      long start = System.nanoTime();
      up.destroy(); // SIGTERM
      boolean exited = up.waitFor(EXIT_BOUND.toSeconds(), TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.println(
          "up exited " + took.toMillis() + " ms after SIGTERM (broker killed first)");

      assertThat(exited)
          .as("up exits within %s of SIGTERM; output:%n%s", EXIT_BOUND, read(output))
          .isTrue();
    } finally {
      up.descendants().forEach(ProcessHandle::destroyForcibly);
      up.destroyForcibly();
    }

    try (LocalCluster after = LocalCluster.start(cluster)) {
      assertThat(after.topics())
          .extracting(TopicProvisioner.Result::status)
          .containsOnly(TopicProvisioner.Status.EXISTED);
    }
  }

  /** {@code up} in a child JVM on this classpath, as the swarmsched script runs it. */
  private Process startUp(LocalClusterConfig cluster, int dashboardPort, Path output)
      throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "up",
                "--agents",
                "2",
                "--data-dir",
                dataDir.toString(),
                "--kafka-port",
                Integer.toString(cluster.kafkaPort()),
                "--controller-port",
                Integer.toString(cluster.controllerPort()),
                "--registry-port",
                Integer.toString(cluster.registryPort()),
                "--ingest-port",
                Integer.toString(Ports.findFree()),
                "--scoring-port",
                Integer.toString(Ports.findFree()),
                "--dispatcher-port",
                Integer.toString(Ports.findFree()),
                "--dtask-port",
                Integer.toString(Ports.findFree()),
                "--dashboard-port",
                Integer.toString(dashboardPort)));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    return builder.start();
  }

  /** The broker's JVM: up's only child process (services and agents run inside up). */
  private static Optional<ProcessHandle> brokerOf(Process up) {
    List<ProcessHandle> children = up.children().toList();
    assertThat(children).as("up's child processes").hasSize(1);
    return children.stream().findFirst();
  }

  /** The body of a GET that must answer 200. */
  private static String get(String url) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
    return r.body();
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
