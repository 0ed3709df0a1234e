package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code swarmsched dashboard}: bad arguments fail at once with a message naming the option. */
class DashboardCommandTest {

  @Test
  void aServiceUrlThatIsNotHttpNamesItsOption() {
    CliRun run = CliRun.of("dashboard", "--ingest", "localhost:8082");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .contains("--ingest: must be an http(s)://host:port URL, was 'localhost:8082'");
  }

  @Test
  void aPortOutOfRangeIsRefused() {
    CliRun run = CliRun.of("dashboard", "--port", "70000");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("--port must be in [0, 65535], was 70000");
  }

  @Test
  void helpListsTheServicesItReads() {
    CliRun run = CliRun.of("dashboard", "--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--ingest", "--scoring", "--dispatcher", "--registry", "--port");
  }
}
