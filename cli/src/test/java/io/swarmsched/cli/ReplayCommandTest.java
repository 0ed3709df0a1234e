package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code swarmsched record} and {@code replay}: a synthetic recording replayed, and bad input. */
class ReplayCommandTest {
  @TempDir Path dir;

  @Test
  void aSyntheticRecordingReplaysToADirectoryWithAReport() {
    Path file = dir.resolve("synthetic.avro");
    CliRun rec = CliRun.of("record", "--synthetic", "300", "-O", file.toString());
    assertThat(rec.exitCode()).as(rec.err()).isZero();
    assertThat(rec.out()).contains("300 schedule requests");

    Path out = dir.resolve("out");
    CliRun run =
        CliRun.of(
            "replay",
            "--input",
            file.toString(),
            "--policy",
            "random",
            "--set",
            "swarm.dispatcher.parents.max=2",
            "--no-simulate",
            "--out",
            out.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("replayed")
        .contains("300 schedule requests")
        .contains("0 of 0 decisions identical")
        .contains("report: " + out.resolve("report.md"));
    assertThat(run.err()).contains("replay [").contains("100%");
    assertThat(out.resolve("decisions.jsonl")).isNotEmptyFile();
    assertThat(out.resolve("report.json")).content().contains("\"policy\" : \"random\"");
  }

  @Test
  void badInputGetsOneLineAndANonZeroExit() throws Exception {
    Path junk = dir.resolve("junk.avro");
    Files.writeString(junk, "not a recording");
    assertOneLineFailure(
        CliRun.of("replay", "--input", junk.toString(), "--out", dir.resolve("o1").toString()),
        "swarmsched: replay: cannot read " + junk + ": not a swarmsched recording");
    assertOneLineFailure(
        CliRun.of(
            "replay",
            "--input",
            dir.resolve("missing.avro").toString(),
            "--out",
            dir.resolve("o2").toString()),
        "no such file");
    assertOneLineFailure(
        CliRun.of(
            "replay", "--input", junk.toString(), "--policy", "fastest", "--out", dir.toString()),
        "swarmsched: replay: unknown policy 'fastest', expected one of [load-aware");
    assertOneLineFailure(
        CliRun.of(
            "replay",
            "--input",
            junk.toString(),
            "--set",
            "swarm.dispatcher.nope=1",
            "--out",
            dir.toString()),
        "swarmsched: replay: unknown setting 'swarm.dispatcher.nope'");
    assertOneLineFailure(
        CliRun.of("record", "--from", "10m", "--to", "20m", "-O", dir.resolve("x.avro").toString()),
        "swarmsched: record: empty time range");
    assertOneLineFailure(
        CliRun.of("record", "--from", "yesterday", "-O", dir.resolve("x.avro").toString()),
        "swarmsched: --from 'yesterday': expected an ISO-8601 instant");
    assertOneLineFailure(
        CliRun.of("record", "-O", dir.resolve("x.avro").toString()),
        "swarmsched: record: --from TIME is required");
    assertOneLineFailure(
        CliRun.of("replay", "--input", junk.toString()),
        "swarmsched: replay: --out DIR or --to-topics PREFIX is required");
    // replayed outputs never go to the live topics
    assertOneLineFailure(
        CliRun.of("replay", "--input", junk.toString(), "--to-topics", ""),
        "swarmsched: replay: --to-topics: an empty prefix would write to the live topics");
    assertOneLineFailure(
        CliRun.of("replay", "--input", junk.toString(), "--to-topics", "what/if"),
        "swarmsched: replay: --to-topics 'what/if': a topic prefix has only letters");
    CliRun neither = CliRun.of("replay", "--out", dir.toString());
    assertThat(neither.exitCode()).isEqualTo(2);
    assertThat(neither.err()).contains("--input").contains("--from");
  }

  @Test
  void timesAreInstantsOrDurationsBackFromNow() {
    Clock clock = Clock.fixed(Instant.parse("2026-12-04T20:00:00Z"), ZoneOffset.UTC);
    assertThat(TimeArg.parse("--from", "15m", clock)).isEqualTo("2026-12-04T19:45:00Z");
    assertThat(TimeArg.parse("--from", "1h30m", clock)).isEqualTo("2026-12-04T18:30:00Z");
    assertThat(TimeArg.parse("--from", "PT2H", clock)).isEqualTo("2026-12-04T18:00:00Z");
    assertThat(TimeArg.parse("--to", "now", clock)).isEqualTo(clock.instant());
    assertThat(TimeArg.parse("--from", "2026-12-04T19:00:00Z", clock))
        .isEqualTo("2026-12-04T19:00:00Z");
    assertThat(TimeArg.duration("--from", "500ms")).isEqualTo(Duration.ofMillis(500));
  }

  private static void assertOneLineFailure(CliRun run, String message) {
    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(Main.EXIT_FAILURE);
    assertThat(run.err().strip()).contains(message).doesNotContain("\n");
  }
}
