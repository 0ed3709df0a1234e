package io.swarmsched.dispatcher.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The job pool's metrics (docs/design.md, "Observability"), fed by the pool's stream thread:
 *
 * <ul>
 *   <li>{@code swarmsched_jobs_queued}, {@code swarmsched_jobs_running} (gauges; ASSIGNED and
 *       RUNNING jobs hold a slot and count as running);
 *   <li>{@code swarmsched_jobs_completed_total}, {@code swarmsched_jobs_failed_total{reason}},
 *       {@code swarmsched_jobs_cancelled_total}, {@code swarmsched_jobs_retried_total{reason}};
 *   <li>{@code swarmsched_workers{state="available|busy|offline"}}: workers ({@code max_tasks > 0})
 *       with a free slot, without one, and not online;
 *   <li>{@code swarmsched_job_placement_latency_seconds} (histogram): from the moment a job is
 *       ready to place (submitted, or back from a retry's backoff) to its ASSIGNED decision.
 * </ul>
 *
 * Only the instance that runs the pool (one partition) has non-zero values; sum over instances.
 */
public final class JobMetrics {
  /** The key under which the dispatcher passes an instance to the pool (Streams config). */
  public static final String CONFIG_KEY = "swarmsched.job.metrics";

  private final MeterRegistry registry;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger running = new AtomicInteger();
  private final Map<String, AtomicInteger> workers = new ConcurrentHashMap<>();
  private final Counter completed;
  private final Counter cancelled;
  private final Map<String, Counter> failed = new ConcurrentHashMap<>();
  private final Map<String, Counter> retried = new ConcurrentHashMap<>();
  private final Timer placement;

  public JobMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("swarmsched.jobs.queued", queued, AtomicInteger::get)
        .description("Jobs waiting for capacity")
        .register(registry);
    Gauge.builder("swarmsched.jobs.running", running, AtomicInteger::get)
        .description("Jobs holding a worker slot (ASSIGNED or RUNNING)")
        .register(registry);
    for (String state : new String[] {"available", "busy", "offline"}) {
      AtomicInteger n = new AtomicInteger();
      workers.put(state, n);
      Gauge.builder("swarmsched.workers", n, AtomicInteger::get)
          .description("Workers by state: with a free slot, full, not online")
          .tag("state", state)
          .register(registry);
    }
    completed =
        Counter.builder("swarmsched.jobs.completed")
            .description("Jobs that succeeded")
            .register(registry);
    cancelled =
        Counter.builder("swarmsched.jobs.cancelled")
            .description("Jobs cancelled by a client")
            .register(registry);
    placement =
        Timer.builder("swarmsched.job.placement.latency")
            .description("Job ready to place until its ASSIGNED decision")
            .serviceLevelObjectives(DecisionMetrics.BUCKETS)
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
  }

  /** Metrics that go nowhere (tests, or a topology built without the service). */
  public static JobMetrics detached() {
    return new JobMetrics(new SimpleMeterRegistry());
  }

  public void gauges(int queuedJobs, int runningJobs, int available, int busy, int offline) {
    queued.set(queuedJobs);
    running.set(runningJobs);
    workers.get("available").set(available);
    workers.get("busy").set(busy);
    workers.get("offline").set(offline);
  }

  public void completed() {
    completed.increment();
  }

  public void cancelled() {
    cancelled.increment();
  }

  /** A job failed for good; {@code reason} is labelled by its code (the part before a colon). */
  public void failed(String reason) {
    count(failed, "swarmsched.jobs.failed", "Jobs failed for good, by reason code", reason);
  }

  /** A job lost its attempt and will try again. */
  public void retried(String reason) {
    count(retried, "swarmsched.jobs.retried", "Job attempts lost and retried, by reason", reason);
  }

  public void placed(long latencyMillis) {
    placement.record(Duration.ofMillis(Math.max(0, latencyMillis)));
  }

  private void count(Map<String, Counter> counters, String name, String help, String reason) {
    String label = DecisionMetrics.reasonLabel(reason, "FAILED");
    counters
        .computeIfAbsent(
            label, l -> Counter.builder(name).description(help).tag("reason", l).register(registry))
        .increment();
  }
}
