package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.cluster.LocalClusterConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class MainTest {

  static Stream<String> commands() {
    return Stream.of(
        "",
        "cluster",
        "credentials",
        "topics",
        "topics create",
        "demo",
        "up",
        "ingest",
        "score",
        "dispatch",
        "agent",
        "get",
        "bench",
        "chaos",
        "record",
        "replay");
  }

  @ParameterizedTest(name = "swarmsched {0} --help")
  @MethodSource("commands")
  void everyCommandPrintsUsageForHelp(String command) {
    CliRun run = CliRun.of(args(command, "--help"));

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith(("Usage: swarmsched " + command).strip());
    assertThat(run.err()).isEmpty();
  }

  @ParameterizedTest(name = "swarmsched {0} --version")
  @MethodSource("commands")
  void everyCommandPrintsTheVersion(String command) {
    CliRun run = CliRun.of(args(command, "--version"));

    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .startsWith("swarmsched " + VersionProvider.version())
        .contains("Apache Kafka 4.3.1");
  }

  @Test
  void versionComesFromTheBuild() {
    assertThat(VersionProvider.version()).isEqualTo("0.1.0-SNAPSHOT");
  }

  @Test
  void unknownCommandFailsNamingIt() {
    CliRun run = CliRun.of("frobnicate");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("Unmatched argument at index 0: 'frobnicate'");
  }

  @Test
  void noCommandFailsWithUsage() {
    CliRun run = CliRun.of();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("Missing command").contains("Usage: swarmsched");
  }

  @Test
  void topicsWithoutSubcommandFails() {
    CliRun run = CliRun.of("topics");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("Missing command: topics create");
  }

  @Test
  void clusterOptionsBecomeTheClusterConfig(@TempDir Path dir) {
    ClusterCommand command = new ClusterCommand();
    new CommandLine(command)
        .parseArgs(
            "--kafka-port",
            "19092",
            "--controller-port",
            "19093",
            "--registry-port",
            "18081",
            "--data-dir",
            dir.toString());

    LocalClusterConfig config = command.config();
    assertThat(config.kafkaPort()).isEqualTo(19092);
    assertThat(config.controllerPort()).isEqualTo(19093);
    assertThat(config.registryPort()).isEqualTo(18081);
    assertThat(config.dataDir()).isEqualTo(dir.toAbsolutePath());
    assertThat(config.bootstrapServers()).isEqualTo("localhost:19092");
  }

  @Test
  void clusterDefaultsAreTheConventionalPorts() {
    ClusterCommand command = new ClusterCommand();
    new CommandLine(command).parseArgs();

    LocalClusterConfig config = command.config();
    assertThat(config.kafkaPort()).isEqualTo(9092);
    assertThat(config.controllerPort()).isEqualTo(9093);
    assertThat(config.registryPort()).isEqualTo(8081);
    assertThat(config.dataDir().endsWith(Path.of(".swarmsched", "data")))
        .as(config.dataDir().toString())
        .isTrue();
  }

  @Test
  void nonNumericPortIsAUsageError() {
    CliRun run = CliRun.of("cluster", "--kafka-port", "ninety");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .startsWith("Invalid value for option '--kafka-port': 'ninety' is not an int");
  }

  @Test
  void clusterOnATakenPortFailsWithOneLineNamingThePort(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(0));
      int port = taken.getLocalPort();

      CliRun run =
          CliRun.of(
              "cluster", "--kafka-port", Integer.toString(port), "--data-dir", dir.toString());

      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.errLines())
          .containsExactly(
              "swarmsched: Port "
                  + port
                  + " (Kafka) is already in use. "
                  + "Stop whatever is listening on it, or choose another port with --kafka-port.");
    }
  }

  @Test
  void clusterWithEqualKafkaAndControllerPortsFailsWithOneLine(@TempDir Path dir) {
    CliRun run =
        CliRun.of(
            "cluster",
            "--kafka-port",
            "19092",
            "--controller-port",
            "19092",
            "--data-dir",
            dir.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).contains("must differ");
  }

  private static String[] args(String command, String option) {
    return (command + " " + option).strip().split(" ");
  }
}
