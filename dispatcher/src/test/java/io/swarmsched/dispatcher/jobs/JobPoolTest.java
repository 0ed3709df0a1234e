package io.swarmsched.dispatcher.jobs;

import static io.swarmsched.dispatcher.jobs.PoolHarness.summary;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.worker.JobState;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.schemas.JobRequirements;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JobPoolTest {

  @Test
  void aBurstNeverTakesAWorkerPastItsMaxTasksAndTheRestQueue() {
    var h = new PoolHarness();
    h.worker("w1", 2, 0, Liveness.ONLINE);
    h.worker("w2", 2, 0, Liveness.ONLINE);
    for (int i = 0; i < 8; i++) h.submit("j" + i, 0);

    assertThat(summary(h.take()))
        .containsExactly(
            "ASSIGNED j0@w1#1",
            "ASSIGNED j1@w2#1",
            "ASSIGNED j2@w1#1",
            "ASSIGNED j3@w2#1",
            "QUEUED j4 NO_CAPACITY",
            "QUEUED j5 NO_CAPACITY",
            "QUEUED j6 NO_CAPACITY",
            "QUEUED j7 NO_CAPACITY");
    assertThat(h.heldByWorker()).containsExactly(Map.entry("w1", 2), Map.entry("w2", 2));

    h.report("j2", 1, "w1", JobEventType.SUCCEEDED, null);
    assertThat(summary(h.take())).containsExactly("ASSIGNED j4@w1#1");
    assertThat(h.stored.get("j2").state).isEqualTo(JobState.SUCCEEDED);
    assertThat(h.stored.get("j2").resultRef).isEqualTo("sha256:j2");
  }

  @Test
  void aHeartbeatThatReportsMoreRunningJobsThanThePoolHoldsIsRespected() {
    var h = new PoolHarness();
    h.worker("w1", 2, 2, Liveness.ONLINE); // two jobs the pool does not know about
    h.submit("j1", 0);
    assertThat(summary(h.take())).containsExactly("QUEUED j1 NO_CAPACITY");
    h.worker("w1", 2, 1, Liveness.ONLINE); // the next heartbeat: one ended
    h.advance(100);
    assertThat(summary(h.take())).containsExactly("ASSIGNED j1@w1#1");
  }

  @Test
  void randomBurstsAndCompletionsNeverOversubscribe() {
    var h = new PoolHarness();
    Random rnd = new Random(42);
    for (int w = 0; w < 5; w++) h.worker("w" + w, 1 + w % 3, 0, Liveness.ONLINE);
    int next = 0;
    for (int round = 0; round < 200; round++) {
      for (int k = rnd.nextInt(6); k > 0; k--) h.submit("j" + next++, rnd.nextInt(3));
      for (JobRecord j : List.copyOf(h.stored.values())) {
        if (j.state.holdsSlot() && rnd.nextInt(3) == 0) {
          h.report(j.jobId, j.attempt, j.workerHostId, JobEventType.SUCCEEDED, null);
        }
      }
      h.advance(100);
      h.heldByWorker()
          .forEach(
              (w, n) ->
                  assertThat(n)
                      .as("jobs on %s", w)
                      .isLessThanOrEqualTo(h.hosts.get(w).capacity().maxTasks()));
    }
    assertThat(h.stored.values()).anyMatch(j -> j.state == JobState.SUCCEEDED);
  }

  @Test
  void higherPriorityFirstThenFifoWithinAPriority() {
    var h = new PoolHarness();
    h.worker("w1", 1, 0, Liveness.ONLINE);
    h.submit("busy", 0);
    for (int i = 0; i < 4; i++) h.submit("low" + i, 0);
    h.submit("high", 1000);
    h.take();

    h.report("busy", 1, "w1", JobEventType.SUCCEEDED, null);
    h.report("high", 1, "w1", JobEventType.SUCCEEDED, null);
    h.report("low0", 1, "w1", JobEventType.SUCCEEDED, null);
    h.report("low1", 1, "w1", JobEventType.SUCCEEDED, null);
    assertThat(summary(h.take()))
        .containsExactly(
            "ASSIGNED high@w1#1", "ASSIGNED low0@w1#1", "ASSIGNED low1@w1#1", "ASSIGNED low2@w1#1");
  }

  @Test
  void aFullQueueRefusesWithQueueFullAndDeadlinesAreHonoured() {
    var h =
        new PoolHarness(
            new JobParams(
                2,
                Duration.ofMinutes(10),
                Duration.ofSeconds(10),
                3,
                Duration.ofSeconds(2),
                Duration.ofSeconds(60),
                Duration.ofHours(1),
                Duration.ofMillis(100)));
    h.submit("a", 0);
    h.submit("b", 0);
    h.submit("c", 0);
    h.submit("urgent", 5); // outranks b, the lowest waiting: b leaves with QUEUE_FULL
    assertThat(summary(h.take()))
        .containsExactly(
            "QUEUED a NO_CAPACITY",
            "QUEUED b NO_CAPACITY",
            "FAILED c QUEUE_FULL",
            "FAILED b QUEUE_FULL",
            "QUEUED urgent NO_CAPACITY");

    h.stored.clear();
    h.restart();
    var job = JobRequirements.newBuilder().build();
    h.event(
        io.swarmsched.schemas.JobEvent.newBuilder()
            .setEventId("e")
            .setJobId("late")
            .setAttempt(0)
            .setType(JobEventType.SUBMITTED)
            .setTimestamp(java.time.Instant.ofEpochMilli(h.now))
            .setDeadline(java.time.Instant.ofEpochMilli(h.now + 500))
            .setJob(job)
            .build());
    h.advance(1_000);
    assertThat(summary(h.take()))
        .containsExactly("QUEUED late NO_CAPACITY", "FAILED late DEADLINE_EXCEEDED");
  }

  @Test
  void noQueueMeansPlaceNowOrFail() {
    var h = new PoolHarness();
    h.worker("w1", 1, 0, Liveness.ONLINE);
    h.submit("a", 0, JobRequirements.newBuilder().setNoQueue(true).build());
    h.submit("b", 0, JobRequirements.newBuilder().setNoQueue(true).build());
    assertThat(summary(h.take())).containsExactly("ASSIGNED a@w1#1", "FAILED b NO_CAPACITY");
  }

  @Test
  void aJobWhoseWorkerGoesOfflineIsReassignedAfterTheBackoff() {
    var h = new PoolHarness();
    h.worker("w1", 1, 0, Liveness.ONLINE);
    h.submit("j", 0);
    h.report("j", 1, "w1", JobEventType.STARTED, null);
    h.worker("w2", 1, 0, Liveness.ONLINE);
    h.worker("w1", 1, 1, Liveness.OFFLINE);
    h.advance(100);
    assertThat(summary(h.take()))
        .containsExactly("ASSIGNED j@w1#1", "CANCELLED j@w1#1 WORKER_OFFLINE");
    assertThat(h.stored.get("j").state).isEqualTo(JobState.RETRY_WAIT);

    h.advance(1_800);
    assertThat(h.take()).isEmpty(); // base backoff is 2 s
    h.advance(200);
    assertThat(summary(h.take())).containsExactly("ASSIGNED j@w2#2 RETRY:WORKER_OFFLINE");

    h.report("j", 1, "w1", JobEventType.SUCCEEDED, null); // the lost attempt: ignored
    assertThat(h.stored.get("j").state).isEqualTo(JobState.ASSIGNED);
    h.report("j", 2, "w2", JobEventType.SUCCEEDED, null);
    assertThat(h.stored.get("j").state).isEqualTo(JobState.SUCCEEDED);
    assertThat(h.stored.get("j").history)
        .extracting(s -> s.state)
        .containsExactly(
            JobState.SUBMITTED,
            JobState.ASSIGNED,
            JobState.RUNNING,
            JobState.RETRY_WAIT,
            JobState.ASSIGNED,
            JobState.SUCCEEDED);
  }

  @Test
  void aJobPastItsTimeoutIsRevokedRetriedWithGrowingBackoffThenFailed() {
    var h = new PoolHarness();
    h.worker("w1", 1, 0, Liveness.ONLINE);
    h.submit("j", 0, JobRequirements.newBuilder().setTimeoutMs(1_000).build());
    h.advance(11_100); // timeout 1 s + grace 10 s
    assertThat(summary(h.take())).containsExactly("ASSIGNED j@w1#1", "CANCELLED j@w1#1 TIMEOUT");
    h.advance(2_000);
    assertThat(summary(h.take())).containsExactly("ASSIGNED j@w1#2 RETRY:TIMEOUT");
    // the worker kills it at the timeout itself and says so: retried, after 4 s this time
    h.report("j", 2, "w1", JobEventType.FAILED, "TIMEOUT after 1000 ms");
    h.advance(3_900);
    assertThat(h.take()).isEmpty();
    h.advance(100);
    assertThat(summary(h.take())).containsExactly("ASSIGNED j@w1#3 RETRY:TIMEOUT");
    h.report("j", 3, "w1", JobEventType.FAILED, "TIMEOUT");
    assertThat(summary(h.take())).containsExactly("FAILED j MAX_ATTEMPTS:TIMEOUT");
    assertThat(h.heldByWorker()).isEmpty();
  }

  @Test
  void tiesOnLoadAndSuccessRateGoToTheWorkerWithTheShorterMeanRunTime() {
    var h = new PoolHarness();
    h.worker("w1", 1, 0, Liveness.ONLINE);
    h.worker("w2", 1, 0, Liveness.ONLINE);
    h.submit("a", 0);
    h.submit("b", 0);
    assertThat(summary(h.take())).containsExactly("ASSIGNED a@w1#1", "ASSIGNED b@w2#1");
    h.advance(500);
    h.report("b", 1, "w2", JobEventType.SUCCEEDED, null); // w2: one success in 500 ms
    h.advance(4_500);
    h.report("a", 1, "w1", JobEventType.SUCCEEDED, null); // w1: one success in 5 s
    h.take();
    // both idle, both one success of one: the faster worker first, although w1 sorts first by id
    h.submit("c", 0);
    assertThat(summary(h.take())).containsExactly("ASSIGNED c@w2#1");
  }

  @Test
  void aFailureReportedByTheWorkerIsFinal() {
    var h = new PoolHarness();
    h.worker("w1", 1, 0, Liveness.ONLINE);
    h.submit("j", 0);
    h.report("j", 1, "w1", JobEventType.FAILED, "exit 3");
    assertThat(summary(h.take())).containsExactly("ASSIGNED j@w1#1", "FAILED j JOB_FAILED:exit 3");
  }

  @Test
  void cancelWorksQueuedAndRunningAndFreesTheSlot() {
    var h = new PoolHarness();
    h.worker("w1", 1, 0, Liveness.ONLINE);
    h.submit("run", 0);
    h.submit("wait", 0);
    h.submit("other", 0);
    h.take();
    h.report("wait", 0, null, JobEventType.CANCELLED, "user");
    assertThat(h.stored.get("wait").state).isEqualTo(JobState.CANCELLED);
    assertThat(h.take()).isEmpty();
    h.report("run", 0, null, JobEventType.CANCELLED, null);
    assertThat(summary(h.take()))
        .containsExactly("CANCELLED run@w1#1 CANCELLED", "ASSIGNED other@w1#1");
    assertThat(h.stored.get("run").state).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aRestartKeepsTheQueueTheSlotsAndTheArrivalOrder() {
    var h = new PoolHarness();
    h.worker("w1", 1, 0, Liveness.ONLINE);
    h.submit("first", 0);
    h.submit("a", 0);
    h.submit("b", 7);
    h.submit("c", 0);
    h.take();
    h.restart();
    h.submit("d", 7);
    h.report("first", 1, "w1", JobEventType.SUCCEEDED, null);
    h.report("b", 1, "w1", JobEventType.SUCCEEDED, null);
    h.report("d", 1, "w1", JobEventType.SUCCEEDED, null);
    h.report("a", 1, "w1", JobEventType.SUCCEEDED, null);
    assertThat(summary(h.take()))
        .containsExactly(
            "QUEUED d NO_CAPACITY",
            "ASSIGNED b@w1#1",
            "ASSIGNED d@w1#1",
            "ASSIGNED a@w1#1",
            "ASSIGNED c@w1#1");
  }
}
