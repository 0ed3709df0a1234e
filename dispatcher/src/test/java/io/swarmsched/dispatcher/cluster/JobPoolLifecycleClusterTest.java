package io.swarmsched.dispatcher.cluster;

import static io.swarmsched.dispatcher.cluster.JobCluster.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.testing.Await;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;

/**
 * The job pool on the embedded cluster (docs/design.md, "Worker pools"): priority order, a queue
 * kept across a restart, cancel, and lost or timed-out jobs run again.
 */
class JobPoolLifecycleClusterTest extends JobClusterTestBase {
  private final List<ScheduleDecision> seen = new ArrayList<>();

  /** Priority order, a queue that survives a restart, and cancel while queued and while running. */
  @Test
  void priorityOrderRestartKeepsTheQueueAndCancelAtAnyStage() throws Exception {
    c = new JobCluster();
    DispatcherApp a = c.start("p1", Map.of());
    String w = c.worker("w", 1, Liveness.ONLINE);
    var busy = c.call(a, "POST", "/api/v1/jobs?wait=60s", c.job(c.run + "-busy", 0, ""));
    assertThat(busy.statusCode()).as(busy.body()).isEqualTo(200);
    assertThat(c.json(busy).get("state").asText()).isEqualTo("ASSIGNED");
    assertThat(c.json(busy).get("worker_address").asText()).isEqualTo(w + ":65002");
    for (String id : List.of("low0", "low1", "low2")) {
      assertThat(c.call(a, "POST", "/api/v1/jobs", c.job(c.run + "-" + id, 0, "")).statusCode())
          .isEqualTo(202);
    }
    assertThat(c.call(a, "POST", "/api/v1/jobs", c.job(c.run + "-high", 9, "")).statusCode())
        .isEqualTo(202);
    awaitQueued(a, 4);

    // restart on a fresh state directory: the queue comes back from the changelog
    a.close();
    c.apps.remove(a);
    DispatcherApp a2 = c.start("p2", Files.createTempDirectory("fresh"), Map.of());
    awaitQueued(a2, 4);
    var cancelled = c.call(a2, "DELETE", "/api/v1/jobs/" + c.run + "-low1?wait=60s", null);
    assertThat(c.json(cancelled).get("state").asText()).as(cancelled.body()).isEqualTo("CANCELLED");

    try (var consumer = c.decisions()) {
      List<String> order = new ArrayList<>();
      String current = c.run + "-busy";
      for (int i = 0; i < 3; i++) {
        c.report(current, 1, w, JobEventType.SUCCEEDED, null);
        String prior = current;
        ScheduleDecision next =
            awaitDecision(
                consumer,
                d ->
                    d.getOutcome() == DecisionOutcome.ASSIGNED
                        && w.equals(d.getTargetHostId())
                        && !d.getTaskId().equals(prior)
                        && !d.getTaskId().endsWith("-busy") // read from the start: seen before
                        && !order.contains(d.getTaskId()));
        current = next.getTaskId();
        order.add(current);
      }
      assertThat(order).containsExactly(c.run + "-high", c.run + "-low0", c.run + "-low2");
      String last = current;
      var kill = c.call(a2, "DELETE", "/api/v1/jobs/" + last + "?wait=60s", null);
      assertThat(c.json(kill).get("state").asText()).isEqualTo("CANCELLED");
      ScheduleDecision revoke =
          awaitDecision(
              consumer,
              d -> d.getOutcome() == DecisionOutcome.CANCELLED && d.getTaskId().equals(last));
      assertThat(revoke.getTargetHostId()).isEqualTo(w);
      assertThat(revoke.getJobAttempt()).isEqualTo(1);
    }
    assertThat(c.call(a2, "GET", "/api/v1/jobs/" + c.run + "-nope", null).statusCode())
        .isEqualTo(404);
    var bad = c.call(a2, "POST", "/api/v1/jobs", "{\"required_tags\":\"gpu\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("required_tags");
  }

  /** A worker that goes OFFLINE mid-job, and a job past its timeout: both run again elsewhere. */
  @Test
  void lostAndTimedOutJobsAreReassignedAfterTheBackoff() throws Exception {
    c = new JobCluster();
    DispatcherApp a = c.start("r", Map.of(DispatcherConfig.JOBS_TIMEOUT_GRACE, "200ms"));
    String w1 = c.worker("w1", 1, Liveness.ONLINE);
    String w2 = c.worker("w2", 1, Liveness.ONLINE);
    String lost = c.run + "-lost";
    var placed = c.call(a, "POST", "/api/v1/jobs?wait=60s", c.job(lost, 0, ""));
    assertThat(c.json(placed).get("worker_host_id").asText()).isEqualTo(w1);
    c.report(lost, 1, w1, JobEventType.STARTED, null);
    try (var consumer = c.decisions()) {
      c.worker("w1", 1, Liveness.OFFLINE);
      ScheduleDecision revoked =
          awaitDecision(
              consumer,
              d -> d.getTaskId().equals(lost) && d.getOutcome() == DecisionOutcome.CANCELLED);
      assertThat(revoked.getReason()).isEqualTo("WORKER_OFFLINE");
      ScheduleDecision again =
          awaitDecision(
              consumer,
              d ->
                  d.getTaskId().equals(lost)
                      && d.getOutcome() == DecisionOutcome.ASSIGNED
                      && d.getJobAttempt() == 2);
      assertThat(again.getTargetHostId()).isEqualTo(w2);
      assertThat(again.getReason()).isEqualTo("RETRY:WORKER_OFFLINE");
      assertThat(again.getDecidedAt().toEpochMilli() - revoked.getDecidedAt().toEpochMilli())
          .isGreaterThanOrEqualTo(2_000);
      c.report(lost, 2, w2, JobEventType.SUCCEEDED, null);
      awaitState(a, lost, "SUCCEEDED");

      String slow = c.run + "-slow";
      c.call(a, "POST", "/api/v1/jobs", c.job(slow, 0, "\"timeout_ms\":300"));
      ScheduleDecision timedOut =
          awaitDecision(
              consumer,
              d -> d.getTaskId().equals(slow) && d.getOutcome() == DecisionOutcome.CANCELLED);
      assertThat(timedOut.getReason()).isEqualTo("TIMEOUT");
      assertThat(timedOut.getTargetHostId()).isEqualTo(w2);
      ScheduleDecision retried =
          awaitDecision(
              consumer,
              d ->
                  d.getTaskId().equals(slow)
                      && d.getOutcome() == DecisionOutcome.ASSIGNED
                      && d.getJobAttempt() == 2);
      assertThat(retried.getJobTimeoutMs()).isEqualTo(300);
      c.report(slow, 2, w2, JobEventType.SUCCEEDED, null);
      JsonNode done = awaitState(a, slow, "SUCCEEDED");
      assertThat(done.get("attempt").asInt()).isEqualTo(2);
      List<String> steps = new ArrayList<>();
      done.get("history").forEach(s -> steps.add(s.get("state").asText()));
      assertThat(steps)
          .containsExactly("SUBMITTED", "ASSIGNED", "RETRY_WAIT", "ASSIGNED", "SUCCEEDED");
    }
  }

  private void awaitQueued(DispatcherApp app, int n) {
    Await.until(
        AWAIT,
        n + " jobs QUEUED",
        () -> {
          try {
            var r = c.call(app, "GET", "/api/v1/jobs?state=QUEUED", null);
            if (r.statusCode() != 200) return false;
            int ours = 0;
            for (JsonNode j : c.json(r).get("jobs"))
              if (j.get("job_id").asText().startsWith(c.run)) ours++;
            return ours == n;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private JsonNode awaitState(DispatcherApp app, String jobId, String state) {
    return Await.value(
        AWAIT,
        jobId + " " + state,
        () -> {
          try {
            var r = c.call(app, "GET", "/api/v1/jobs/" + jobId, null);
            if (r.statusCode() != 200) return Optional.empty();
            JsonNode j = c.json(r);
            return j.get("state").asText().equals(state) ? Optional.of(j) : Optional.empty();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private ScheduleDecision awaitDecision(
      KafkaConsumer<String, ScheduleDecision> consumer, Predicate<ScheduleDecision> match) {
    return Await.value(
        AWAIT,
        "a matching decision",
        () -> {
          for (ScheduleDecision d : seen) if (match.test(d)) return consume(d);
          consumer
              .poll(Duration.ofMillis(100))
              .forEach(
                  r -> {
                    if (r.value() != null) seen.add(r.value());
                  });
          for (ScheduleDecision d : seen) if (match.test(d)) return consume(d);
          return Optional.empty();
        });
  }

  private Optional<ScheduleDecision> consume(ScheduleDecision d) {
    seen.remove(d);
    return Optional.of(d);
  }
}
