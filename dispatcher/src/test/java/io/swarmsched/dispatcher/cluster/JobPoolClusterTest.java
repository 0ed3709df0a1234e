package io.swarmsched.dispatcher.cluster;

import static io.swarmsched.dispatcher.cluster.JobCluster.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.Await;
import io.swarmsched.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The job pool on the embedded cluster (docs/design.md, "Worker pools"): two instances under bursts
 * of job requests.
 */
class JobPoolClusterTest extends JobClusterTestBase {
  /**
   * Two instances share the six partitions of the requests; bursts of job requests arrive keyed by
   * job id (so both instances get some), and fake agents finish each job after a random short time.
   * No worker ever holds more than its max_tasks, and every job runs exactly once.
   */
  @Test
  void twoInstancesAndBurstsNeverOversubscribeAWorker() throws Exception {
    c = new JobCluster();
    c.start("a", Map.of());
    c.start("b", Map.of());
    Map<String, Integer> max = new HashMap<>();
    int[] limits = {1, 2, 2, 3};
    for (int i = 0; i < limits.length; i++)
      max.put(c.worker("w" + i, limits[i], Liveness.ONLINE), limits[i]);

    Map<String, Integer> running = new HashMap<>();
    Map<String, Integer> assignedTimes = new HashMap<>();
    Set<String> succeeded = new HashSet<>();
    List<String> violations = new ArrayList<>();
    List<Object[]> due = new ArrayList<>(); // {dueAtMs, jobId, attempt, worker}
    Random rnd = new Random(7);
    int jobs = 0;
    try (var consumer = c.decisions();
        var requests =
            new KafkaProducer<>(
                c.kafka.producerProps(),
                new StringSerializer(),
                SpecificAvroSerde.of(ScheduleRequest.class, JobCluster.serdeConfig())
                    .serializer())) {
      long deadline = System.nanoTime() + AWAIT.toNanos();
      for (int burst = 0; burst < 3; burst++) {
        for (int k = 0; k < 40; k++, jobs++) {
          String id = c.run + "-burst-" + jobs;
          requests.send(
              new ProducerRecord<>(
                  Topics.SCHEDULE_REQUESTS.name(),
                  id,
                  ScheduleRequest.newBuilder()
                      .setRequestId("req-" + id)
                      .setTaskId(id)
                      .setPeerId(id)
                      .setHostId("client")
                      .setJob(JobRequirements.newBuilder().setRequiredTags(List.of(c.tag)).build())
                      .setTimestamp(Instant.now())
                      .build()));
        }
        requests.flush();
        // let the burst meet full workers before the next one comes
        long burstEnd = System.currentTimeMillis() + 1_500;
        while (System.currentTimeMillis() < burstEnd || (burst == 2 && succeeded.size() < jobs)) {
          assertThat(System.nanoTime()).as("all jobs done in time").isLessThan(deadline);
          for (ConsumerRecord<String, ScheduleDecision> r : consumer.poll(Duration.ofMillis(50))) {
            ScheduleDecision d = r.value();
            // null: a record of another test class (another registry scope) on the shared topic
            if (d == null || !max.containsKey(d.getTargetHostId())) continue;
            String w = d.getTargetHostId();
            if (d.getOutcome() == DecisionOutcome.ASSIGNED) {
              int n = running.merge(w, 1, Integer::sum);
              if (n > max.get(w)) violations.add(w + " ran " + n + " > " + max.get(w));
              assignedTimes.merge(d.getTaskId(), 1, Integer::sum);
              c.report(d.getTaskId(), d.getJobAttempt(), w, JobEventType.STARTED, null);
              due.add(
                  new Object[] {
                    System.currentTimeMillis() + 20 + rnd.nextInt(150),
                    d.getTaskId(),
                    d.getJobAttempt(),
                    w
                  });
            }
          }
          long now = System.currentTimeMillis();
          for (Object[] job : List.copyOf(due)) {
            if ((long) job[0] > now) continue;
            due.remove(job);
            running.merge((String) job[3], -1, Integer::sum); // before the report, as an agent
            c.report((String) job[1], (int) job[2], (String) job[3], JobEventType.SUCCEEDED, null);
            succeeded.add((String) job[1]);
          }
        }
      }
    }
    assertThat(violations).isEmpty();
    assertThat(succeeded).hasSize(jobs);
    assertThat(assignedTimes.values()).allMatch(n -> n == 1);

    DispatcherApp b = c.apps.get(1);
    JsonNode list =
        Await.value(
            AWAIT,
            "every job SUCCEEDED in the jobs API",
            () -> {
              try {
                var r = c.call(b, "GET", "/api/v1/jobs?state=SUCCEEDED&limit=10000", null);
                if (r.statusCode() != 200) return Optional.empty();
                JsonNode l = c.json(r).get("jobs");
                int ours = 0;
                for (JsonNode j : l) if (j.get("job_id").asText().startsWith(c.run)) ours++;
                return ours == 120 ? Optional.of(l) : Optional.empty();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(list).isNotEmpty();
    String metrics =
        c.call(c.apps.get(0), "GET", "/metrics", null).body()
            + c.call(b, "GET", "/metrics", null).body();
    assertThat(metrics)
        .contains("swarmsched_jobs_completed_total")
        .contains("swarmsched_workers{state=\"available\"}")
        .contains("swarmsched_job_placement_latency_seconds_bucket");
  }
}
