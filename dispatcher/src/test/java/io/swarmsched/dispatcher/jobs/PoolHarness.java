package io.swarmsched.dispatcher.jobs;

import io.swarmsched.dispatcher.metrics.JobMetrics;
import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.ScheduleDecision;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/** A {@link JobPool} on an in-memory store and host table, with a hand-driven clock. */
final class PoolHarness {
  final Map<String, HostView> hosts = new TreeMap<>();
  final Map<String, JobRecord> stored = new TreeMap<>();
  final List<ScheduleDecision> decisions = new ArrayList<>();
  final JobParams params;
  final JobMetrics metrics;
  JobPool pool;
  Workers workers;
  long now = 1_000_000L;

  PoolHarness(JobParams params) {
    this(params, JobMetrics.detached());
  }

  PoolHarness(JobParams params, JobMetrics metrics) {
    this.params = params;
    this.metrics = metrics;
    restart();
  }

  PoolHarness() {
    this(JobParams.DEFAULTS);
  }

  /** A new pool on the same store, as after a restart of the dispatcher. */
  void restart() {
    workers = new Workers(hosts::get, () -> new ArrayList<>(hosts.values()));
    pool =
        new JobPool(
            params,
            workers,
            new JobPool.Store() {
              @Override
              public JobRecord get(String jobId) {
                return stored.get(jobId);
              }

              @Override
              public void put(JobRecord job) {
                stored.put(job.jobId, job);
              }

              @Override
              public void delete(String jobId) {
                stored.remove(jobId);
              }

              @Override
              public List<JobRecord> all() {
                return new ArrayList<>(stored.values());
              }
            },
            decisions::add,
            metrics);
    pool.restore();
  }

  void worker(String id, int maxTasks, int reportedRunning, Liveness liveness, String... tags) {
    hosts.put(
        id,
        new HostView(
            id,
            id + ":65002",
            HostType.NORMAL,
            "",
            "",
            Set.of(tags),
            liveness,
            false,
            new HostCapacity(0, 0, maxTasks, 4, 1L << 30, 0),
            new HostLoad(0, 0, reportedRunning),
            now,
            false));
    workers.changed(id); // as the host index tells the pool
  }

  void submit(String jobId, int priority) {
    submit(jobId, priority, JobRequirements.newBuilder().build());
  }

  void submit(String jobId, int priority, JobRequirements job) {
    job.setPayload(ByteBuffer.wrap(("payload of " + jobId).getBytes(StandardCharsets.UTF_8)));
    event(
        JobEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setJobId(jobId)
            .setAttempt(0)
            .setType(JobEventType.SUBMITTED)
            .setTimestamp(Instant.ofEpochMilli(now))
            .setRequestId("req-" + jobId)
            .setRequesterHostId("client")
            .setPriority(priority)
            .setJob(job)
            .build());
  }

  void report(String jobId, int attempt, String worker, JobEventType type, String reason) {
    event(
        JobEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setJobId(jobId)
            .setAttempt(attempt)
            .setWorkerHostId(worker)
            .setType(type)
            .setReason(reason)
            .setResultRef(type == JobEventType.SUCCEEDED ? "sha256:" + jobId : null)
            .setTimestamp(Instant.ofEpochMilli(now))
            .build());
  }

  void event(JobEvent e) {
    pool.onEvent(e, now);
  }

  /** Moves the clock on by {@code millis} in ticks of the pool's tick. */
  void advance(long millis) {
    long end = now + millis;
    while (now < end) {
      now = Math.min(end, now + params.tick().toMillis());
      pool.tick(now);
    }
  }

  List<ScheduleDecision> take() {
    List<ScheduleDecision> out = new ArrayList<>(decisions);
    decisions.clear();
    return out;
  }

  static List<String> summary(List<ScheduleDecision> ds) {
    return ds.stream()
        .map(
            d ->
                d.getOutcome()
                    + " "
                    + d.getTaskId()
                    + (d.getOutcome() == DecisionOutcome.ASSIGNED
                            || d.getOutcome() == DecisionOutcome.CANCELLED
                        ? "@" + d.getTargetHostId() + "#" + d.getJobAttempt()
                        : "")
                    + (d.getReason() == null ? "" : " " + d.getReason()))
        .toList();
  }

  /** Jobs held per worker, from the store: what the capacity invariant is about. */
  Map<String, Integer> heldByWorker() {
    Map<String, Integer> out = new TreeMap<>();
    for (JobRecord j : stored.values()) {
      if (j.state.holdsSlot()) out.merge(j.workerHostId, 1, Integer::sum);
    }
    return out;
  }
}
