package io.swarmsched.agent.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.testing.Await;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes through {@code sh -c}: stdin, environment, exit codes, timeout, cancel. */
class CommandExecutorTest {
  @TempDir Path dir;

  private static JobSpec spec(String id, String payload, Duration timeout) {
    return new JobSpec(id, 1, payload.getBytes(StandardCharsets.UTF_8), timeout);
  }

  @Test
  void payloadGoesToStdinAndTheResultIsTheSha256OfStdout() throws Exception {
    CommandExecutor exec = new CommandExecutor("sh", "sha256sum");
    JobOutcome o =
        exec.run(
            spec("j1", "hello swarm", Duration.ofSeconds(30)),
            dir.resolve("a"),
            new CommandExecutor.Handle());

    assertThat(o.status()).isEqualTo(JobOutcome.Status.SUCCEEDED);
    String out = Files.readString(o.output());
    assertThat(out).startsWith(hex("hello swarm".getBytes(StandardCharsets.UTF_8)) + "  -");
    assertThat(o.resultRef()).isEqualTo("sha256:" + hex(Files.readAllBytes(o.output())));
    assertThat(o.outputBytes()).isEqualTo(Files.size(o.output()));
  }

  @Test
  void jobIdAttemptAndDirAreInTheEnvironment() throws Exception {
    CommandExecutor exec =
        new CommandExecutor(
            "sh", "printf '%s|%s|%s' \"$SWARM_JOB_ID\" \"$SWARM_JOB_ATTEMPT\" \"$SWARM_JOB_DIR\"");
    Path d = dir.resolve("env");
    JobOutcome o =
        exec.run(
            new JobSpec("job-7", 3, new byte[0], Duration.ofSeconds(30)),
            d,
            new CommandExecutor.Handle());

    assertThat(o.status()).isEqualTo(JobOutcome.Status.SUCCEEDED);
    assertThat(Files.readString(o.output())).isEqualTo("job-7|3|" + d.toAbsolutePath());
  }

  @Test
  void aNonZeroExitFailsWithTheCodeAndTheLastLineOfStderr() {
    CommandExecutor exec =
        new CommandExecutor("sh", "echo working; echo first >&2; echo 'disk full' >&2; exit 3");
    JobOutcome o =
        exec.run(spec("j", "", Duration.ofSeconds(30)), dir, new CommandExecutor.Handle());

    assertThat(o.status()).isEqualTo(JobOutcome.Status.FAILED);
    assertThat(o.exitCode()).isEqualTo(3);
    assertThat(o.reason()).isEqualTo("exit code 3: disk full");
    assertThat(o.resultRef()).isNull();
  }

  @Test
  void aCommandPastItsTimeoutIsKilledWithEveryProcessItStarted() throws Exception {
    // the shell starts a child and waits for it: both must die at the timeout
    CommandExecutor exec =
        new CommandExecutor("sh", "sleep 60 & echo $! > \"$SWARM_JOB_DIR/child\"; wait");
    long start = System.nanoTime();
    JobOutcome o =
        exec.run(spec("slow", "", Duration.ofMillis(700)), dir, new CommandExecutor.Handle());
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(o.status()).isEqualTo(JobOutcome.Status.FAILED);
    assertThat(o.timedOut()).isTrue();
    assertThat(o.reason()).isEqualTo("timeout after 700ms: killed");
    assertThat(took).isLessThan(Duration.ofSeconds(15));
    long child = Long.parseLong(Files.readString(dir.resolve("child")).strip());
    Await.until(
        Duration.ofSeconds(10),
        "the job's child process " + child + " to be killed",
        () -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void cancelKillsTheRunningTreeAndEndsCancelled() throws Exception {
    CommandExecutor exec =
        new CommandExecutor("sh", "sleep 60 & echo $! > \"$SWARM_JOB_DIR/child\"; wait");
    CommandExecutor.Handle handle = new CommandExecutor.Handle();
    CompletableFuture<JobOutcome> f =
        CompletableFuture.supplyAsync(
            () -> exec.run(spec("c", "", Duration.ofSeconds(60)), dir, handle));
    Path childFile = dir.resolve("child");
    Await.until(
        Duration.ofSeconds(10),
        "the job to start its child",
        () -> Files.exists(childFile) && !readQuietly(childFile).isBlank());
    handle.cancel("cancelled by the client");

    JobOutcome o = f.get(15, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(o.status()).isEqualTo(JobOutcome.Status.CANCELLED);
    assertThat(o.reason()).isEqualTo("cancelled by the client");
    long child = Long.parseLong(readQuietly(childFile).strip());
    Await.until(
        Duration.ofSeconds(10),
        "the cancelled job's child to be killed",
        () -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void aCancelBeforeTheStartMeansTheCommandNeverRuns() throws Exception {
    CommandExecutor exec = new CommandExecutor("sh", "touch \"$SWARM_JOB_DIR/ran\"");
    CommandExecutor.Handle handle = new CommandExecutor.Handle();
    handle.cancel("cancelled early");
    JobOutcome o = exec.run(spec("early", "", Duration.ofSeconds(10)), dir, handle);

    assertThat(o.status()).isEqualTo(JobOutcome.Status.CANCELLED);
    assertThat(dir.resolve("ran")).doesNotExist();
  }

  @Test
  void aCommandThatNeverReadsALargePayloadStillFinishes() {
    CommandExecutor exec = new CommandExecutor("sh", "echo ignored the input");
    byte[] big = new byte[8 << 20];
    JobOutcome o =
        exec.run(
            new JobSpec("big", 1, big, Duration.ofSeconds(30)), dir, new CommandExecutor.Handle());
    assertThat(o.status()).isEqualTo(JobOutcome.Status.SUCCEEDED);
  }

  @Test
  void aShellThatCannotStartFailsWithTheReason() {
    CommandExecutor exec = new CommandExecutor("/nonexistent/shell", "true");
    JobOutcome o =
        exec.run(spec("nosh", "", Duration.ofSeconds(5)), dir, new CommandExecutor.Handle());
    assertThat(o.status()).isEqualTo(JobOutcome.Status.FAILED);
    assertThat(o.reason()).startsWith("cannot start '/nonexistent/shell -c true'");
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return "";
    }
  }

  static String hex(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
