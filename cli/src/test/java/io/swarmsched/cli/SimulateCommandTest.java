package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {
  @TempDir Path dir;

  @Test
  void withoutAScenarioItListsTheScenariosAndPolicies() {
    CliRun run = CliRun.of("simulate");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out())
        .contains("uniform", "skewed", "flash-crowd", "seed-loss", "cross-idc", "churn")
        .contains("Policies: load-aware, random");
  }

  @Test
  void aSmallRunPrintsTheTableWithAVerdictAndWritesJson() {
    CliRun run =
        CliRun.of(
            "simulate",
            "--scenario",
            "uniform",
            "--hosts",
            "12",
            "--size",
            "8MiB",
            "--policy",
            "random",
            "--out",
            dir.toString());
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("uniform").contains("random").containsPattern("OK|FAIL");
    assertThat(run.err()).contains("running uniform (12 hosts, 8 MiB) with random");
    assertThat(dir.resolve("results.json")).exists();
    assertThat(Files.exists(dir.resolve("results.txt"))).isTrue();
  }

  @Test
  void badArgumentsAreOneLineAndExitTwo() {
    CliRun scenario = CliRun.of("simulate", "--scenario", "tornado");
    assertThat(scenario.exitCode()).isEqualTo(2);
    assertThat(scenario.err()).contains("unknown scenario 'tornado'");
    CliRun policy = CliRun.of("simulate", "--scenario", "uniform", "--policy", "fastest");
    assertThat(policy.exitCode()).isEqualTo(2);
    assertThat(policy.err()).contains("unknown policy 'fastest'");
    CliRun hosts = CliRun.of("simulate", "--scenario", "uniform", "--hosts", "0");
    assertThat(hosts.exitCode()).isEqualTo(2);
    assertThat(hosts.err()).contains("--hosts must be between 1");
    CliRun slots = CliRun.of("simulate", "--scenario", "uniform", "--upload-slots", "-1");
    assertThat(slots.exitCode()).isEqualTo(2);
    assertThat(slots.err()).contains("--upload-slots must be >= 0");
  }
}
