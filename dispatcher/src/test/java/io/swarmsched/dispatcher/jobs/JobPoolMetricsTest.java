package io.swarmsched.dispatcher.jobs;

import static io.swarmsched.dispatcher.jobs.PoolHarness.summary;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmsched.dispatcher.metrics.JobMetrics;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.schemas.JobEventType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The job metrics of the README's table, as Prometheus scrapes them, after a known sequence of
 * events: each gauge and counter has exactly the value the sequence implies (the cluster test only
 * sees that they are exported).
 */
class JobPoolMetricsTest {
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final PoolHarness h = new PoolHarness(JobParams.DEFAULTS, new JobMetrics(registry));

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void eachJobMetricHasTheValueAKnownSequenceOfEventsImplies() {
    h.worker("w1", 1, 0, Liveness.ONLINE);
    h.worker("w2", 2, 0, Liveness.ONLINE);
    h.worker("w3", 1, 0, Liveness.OFFLINE);
    for (String id : new String[] {"a", "b", "c", "d"}) h.submit(id, 0);
    h.advance(100);
    assertThat(summary(h.take()))
        .containsExactly(
            "ASSIGNED a@w1#1", "ASSIGNED b@w2#1", "ASSIGNED c@w2#1", "QUEUED d NO_CAPACITY");
    assertThat(registry.scrape())
        .contains("swarmsched_jobs_queued 1.0")
        .contains("swarmsched_jobs_running 3.0")
        .contains("swarmsched_workers{state=\"available\"} 0.0")
        .contains("swarmsched_workers{state=\"busy\"} 2.0")
        .contains("swarmsched_workers{state=\"offline\"} 1.0")
        .contains("swarmsched_job_placement_latency_seconds_count 3");

    h.report("a", 1, "w1", JobEventType.SUCCEEDED, null); // d takes a's slot on w1
    h.report("b", 1, "w2", JobEventType.FAILED, "exit 3"); // final: JOB_FAILED
    h.report("c", 0, null, JobEventType.CANCELLED, "user"); // cancelled while running
    h.advance(100);
    h.worker("w1", 1, 1, Liveness.OFFLINE); // d's worker goes away: its attempt is lost
    h.advance(100);
    h.advance(2_000); // the base backoff: d is placed again, on w2 this time
    assertThat(summary(h.take()))
        .containsExactly(
            "ASSIGNED d@w1#1",
            "FAILED b JOB_FAILED:exit 3",
            "CANCELLED c@w2#1 CANCELLED",
            "CANCELLED d@w1#1 WORKER_OFFLINE",
            "ASSIGNED d@w2#2 RETRY:WORKER_OFFLINE");
    // the worker gauges are counted at most once a second (Workers.COUNT_WORKERS_EVERY_MS)
    h.advance(Workers.COUNT_WORKERS_EVERY_MS);
    assertThat(h.take()).isEmpty();

    String scrape = registry.scrape();
    assertThat(scrape)
        .contains("swarmsched_jobs_completed_total 1.0")
        .contains("swarmsched_jobs_cancelled_total 1.0")
        .contains("swarmsched_jobs_failed_total{reason=\"JOB_FAILED\"} 1.0")
        .contains("swarmsched_jobs_retried_total{reason=\"WORKER_OFFLINE\"} 1.0")
        .contains("swarmsched_jobs_queued 0.0")
        .contains("swarmsched_jobs_running 1.0")
        .contains("swarmsched_workers{state=\"available\"} 1.0")
        .contains("swarmsched_workers{state=\"busy\"} 0.0")
        .contains("swarmsched_workers{state=\"offline\"} 2.0")
        .contains("# TYPE swarmsched_job_placement_latency_seconds histogram")
        .contains("swarmsched_job_placement_latency_seconds_count 5");
    // no failure of another kind, no retry for another reason
    assertThat(scrape.lines().filter(l -> l.startsWith("swarmsched_jobs_failed_total{")))
        .hasSize(1);
    assertThat(scrape.lines().filter(l -> l.startsWith("swarmsched_jobs_retried_total{")))
        .hasSize(1);
  }

  @Test
  void theWorkerGaugesAreCountedOnceASecondNotAtEveryTick() {
    h.worker("w1", 1, 0, Liveness.ONLINE);
    h.worker("w2", 1, 0, Liveness.ONLINE);
    h.advance(100);
    assertThat(registry.scrape())
        .contains("swarmsched_workers{state=\"available\"} 2.0")
        .contains("swarmsched_workers{state=\"offline\"} 0.0");

    h.worker("w2", 1, 0, Liveness.OFFLINE);
    h.submit("a", 0);
    h.advance(100);
    // the job gauges at once; the worker count is the one of the last second (every worker walked
    // at every tick was a third of the dispatcher's stream thread with 100,000 hosts)
    assertThat(summary(h.take())).containsExactly("ASSIGNED a@w1#1");
    assertThat(registry.scrape())
        .contains("swarmsched_jobs_running 1.0")
        .contains("swarmsched_workers{state=\"available\"} 2.0");

    h.advance(Workers.COUNT_WORKERS_EVERY_MS);
    assertThat(registry.scrape())
        .contains("swarmsched_workers{state=\"available\"} 0.0")
        .contains("swarmsched_workers{state=\"busy\"} 1.0")
        .contains("swarmsched_workers{state=\"offline\"} 1.0");
  }
}
