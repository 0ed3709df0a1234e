package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo at a small size, run as a user runs it: through swarmsched's entry point. */
class DemoEndToEndTest {
  @TempDir Path dir;

  @Test
  void theDemoDistributesTheFileToEveryAgentAndSummarises() {
    CliRun run =
        CliRun.of(
            "demo",
            "--size",
            "3MiB",
            "--agents",
            "4",
            "--upload-limit",
            "1MiB",
            "--origin-limit",
            "2MiB",
            "--piece-length",
            "256KiB",
            "--data-dir",
            dir.toString(),
            "--timeout",
            "300");
    System.out.println(run.out());
    System.out.println(run.err());

    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out())
        .contains("swarmsched demo: 3.0 MiB to 4 agents (1 super seed)")
        .containsPattern("elapsed\\s+[0-9.]+ s \\(fluid lower bound [0-9.]+ s")
        .containsPattern("origin egress\\s+[0-9.]+ MiB")
        .containsPattern("decisions\\s+PARENTS [1-9]")
        .contains("SEED_TRIGGER 1")
        .contains("verified copies   4/4")
        .contains("OK: every agent holds a verified copy");
  }
}
