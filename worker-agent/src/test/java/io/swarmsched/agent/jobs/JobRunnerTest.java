package io.swarmsched.agent.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunnerTest {
  @TempDir Path dir;

  /** Records every step, as the agent's job events would. */
  static final class Recorder implements JobRunner.Lifecycle {
    final List<String> started = new CopyOnWriteArrayList<>();
    final Map<String, JobOutcome> finished = new ConcurrentHashMap<>();

    @Override
    public void started(JobSpec spec) {
      started.add(spec.key());
    }

    @Override
    public void finished(JobSpec spec, JobOutcome outcome) {
      finished.put(spec.key(), outcome);
    }
  }

  private static JobSpec spec(String id, int attempt) {
    return new JobSpec(id, attempt, new byte[0], Duration.ofSeconds(30));
  }

  @Test
  void neverRunsMoreThanMaxTasksAndRefusesTheRest() {
    Recorder r = new Recorder();
    // each job waits until the test lets it go, so all of them would overlap
    Path gate = dir.resolve("go");
    try (JobRunner runner =
        new JobRunner(
            new CommandExecutor("sh", "while [ ! -e '" + gate + "' ]; do sleep 0.05; done"),
            2,
            dir.resolve("jobs"),
            r)) {
      List<JobRunner.Admission> admissions =
          List.of(
              runner.submit(spec("a", 1)),
              runner.submit(spec("b", 1)),
              runner.submit(spec("c", 1)),
              runner.submit(spec("d", 1)));

      assertThat(admissions)
          .containsExactly(
              JobRunner.Admission.STARTED,
              JobRunner.Admission.STARTED,
              JobRunner.Admission.FULL,
              JobRunner.Admission.FULL);
      assertThat(runner.running()).isEqualTo(2);
      touch(gate);
      Await.until(Duration.ofSeconds(20), "both jobs to finish", () -> r.finished.size() == 2);
      assertThat(runner.running()).isZero();
      assertThat(runner.peakRunning()).isEqualTo(2);
      assertThat(r.finished.values())
          .allSatisfy(o -> assertThat(o.status()).isEqualTo(JobOutcome.Status.SUCCEEDED));
      // a freed slot takes the next one
      assertThat(runner.submit(spec("c", 2))).isEqualTo(JobRunner.Admission.STARTED);
    }
  }

  @Test
  void aRedeliveredAttemptRunsOnceEvenAcrossARestart() {
    Recorder r = new Recorder();
    Path jobs = dir.resolve("jobs");
    CommandExecutor exec = new CommandExecutor("sh", "echo done");
    try (JobRunner runner = new JobRunner(exec, 4, jobs, r)) {
      assertThat(runner.submit(spec("job/1", 1))).isEqualTo(JobRunner.Admission.STARTED);
      assertThat(runner.submit(spec("job/1", 1))).isEqualTo(JobRunner.Admission.DUPLICATE);
      Await.until(Duration.ofSeconds(20), "the job to finish", () -> r.finished.size() == 1);
      assertThat(runner.submit(spec("job/1", 1))).isEqualTo(JobRunner.Admission.DUPLICATE);
      // a new attempt of the same job is a new run
      assertThat(runner.submit(spec("job/1", 2))).isEqualTo(JobRunner.Admission.STARTED);
      Await.until(Duration.ofSeconds(20), "the retry to finish", () -> r.finished.size() == 2);
    }
    try (JobRunner restarted = new JobRunner(exec, 4, jobs, r)) {
      assertThat(restarted.submit(spec("job/1", 1))).isEqualTo(JobRunner.Admission.DUPLICATE);
      assertThat(restarted.submit(spec("job/1", 2))).isEqualTo(JobRunner.Admission.DUPLICATE);
    }
    assertThat(r.started).containsExactly("job/1#1", "job/1#2");
  }

  @Test
  void cancelStopsTheRunningAttemptAndAnyLaterAssignmentOfTheJob() {
    Recorder r = new Recorder();
    try (JobRunner runner =
        new JobRunner(new CommandExecutor("sh", "sleep 60"), 2, dir.resolve("jobs"), r)) {
      assertThat(runner.submit(spec("x", 1))).isEqualTo(JobRunner.Admission.STARTED);
      Await.until(Duration.ofSeconds(10), "the job to start", () -> r.started.size() == 1);
      assertThat(runner.cancel("x", 2, "not this attempt")).isFalse();
      assertThat(runner.running()).isEqualTo(1);
      assertThat(runner.cancel("x", 1, "cancelled by the client")).isTrue();
      Await.until(Duration.ofSeconds(15), "the job to end", () -> r.finished.containsKey("x#1"));
      assertThat(r.finished.get("x#1").status()).isEqualTo(JobOutcome.Status.CANCELLED);
      assertThat(runner.running()).isZero();

      assertThat(runner.cancel("y", 0, "cancelled by the client")).isFalse();
      assertThat(runner.submit(spec("y", 1))).isEqualTo(JobRunner.Admission.CANCELLED);
      assertThat(runner.submit(spec("y", 2))).isEqualTo(JobRunner.Admission.CANCELLED);
    }
  }

  @Test
  void closingFailsTheRunningAttemptsInsteadOfLeavingThemBehind() {
    Recorder r = new Recorder();
    JobRunner runner =
        new JobRunner(new CommandExecutor("sh", "sleep 60"), 1, dir.resolve("jobs"), r);
    runner.submit(spec("z", 1));
    Await.until(Duration.ofSeconds(10), "the job to start", () -> r.started.size() == 1);
    runner.close();
    Await.until(Duration.ofSeconds(15), "the job to end", () -> r.finished.containsKey("z#1"));
    assertThat(r.finished.get("z#1").status()).isEqualTo(JobOutcome.Status.FAILED);
    assertThat(r.finished.get("z#1").reason()).isEqualTo(JobRunner.AGENT_STOPPED);
  }

  @Test
  void outputsOfAttemptsThatEndedBeforeTheCutoffAreRemovedRunningOnesKept() throws Exception {
    Recorder r = new Recorder();
    Path gate = dir.resolve("go");
    try (JobRunner runner =
        new JobRunner(
            new CommandExecutor(
                "sh",
                "[ \"$SWARM_JOB_ID\" = old ] || while [ ! -e '"
                    + gate
                    + "' ]; do sleep 0.05; done"),
            2,
            dir.resolve("jobs"),
            r)) {
      runner.submit(spec("old", 1));
      Await.until(Duration.ofSeconds(20), "the old job to end", () -> r.finished.size() == 1);
      runner.submit(spec("running", 1));
      Await.until(Duration.ofSeconds(20), "the running job to start", () -> r.started.size() == 2);
      Path old = runner.attemptDir(spec("old", 1));
      java.nio.file.attribute.FileTime longAgo =
          java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(Duration.ofDays(2)));
      try (var files = java.nio.file.Files.list(old)) {
        for (Path f : (Iterable<Path>) files::iterator) {
          java.nio.file.Files.setLastModifiedTime(f, longAgo);
        }
      }
      java.nio.file.Files.setLastModifiedTime(old, longAgo);
      java.nio.file.Files.setLastModifiedTime(
          runner.attemptDir(spec("running", 1)), longAgo); // running: kept whatever its age

      assertThat(runner.purgeEndedBefore(java.time.Instant.now().minus(Duration.ofDays(1))))
          .isEqualTo(1);
      assertThat(old.getParent()).doesNotExist();
      assertThat(runner.attemptDir(spec("running", 1))).exists();
      touch(gate);
    }
  }

  @Test
  void unsafeJobIdsGetDistinctDirectoryNames() {
    assertThat(JobRunner.safeName("plain-id_1.x")).isEqualTo("plain-id_1.x");
    assertThat(JobRunner.safeName("../etc")).doesNotContain("/").doesNotStartWith(".");
    assertThat(JobRunner.safeName("a/b")).isNotEqualTo(JobRunner.safeName("a_b"));
  }

  private static void touch(Path p) {
    try {
      java.nio.file.Files.createFile(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
