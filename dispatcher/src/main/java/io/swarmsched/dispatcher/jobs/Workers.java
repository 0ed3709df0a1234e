package io.swarmsched.dispatcher.jobs;

import io.swarmsched.dispatcher.metrics.JobMetrics;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.worker.JobRequirements;
import io.swarmsched.scheduling.worker.JobRules;
import io.swarmsched.scheduling.worker.PerformanceHistory;
import io.swarmsched.scheduling.worker.WorkerPlacement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The pool's view of the workers: the hosts table (through the dispatcher's host index), the jobs
 * the pool holds on each, when it last gave a slot back, and each worker's job history (ties).
 * Owned by the pool's stream thread.
 */
public final class Workers {
  private final Function<String, HostView> hosts;
  private final Supplier<Collection<HostView>> all;
  private final Map<String, Set<String>> held = new HashMap<>();
  private final Map<String, Long> lastRelease = new HashMap<>();
  private final PerformanceHistory history = new PerformanceHistory();
  private final WorkerPlacement placement = new WorkerPlacement();

  public Workers(Function<String, HostView> hosts, Supplier<Collection<HostView>> all) {
    this.hosts = hosts;
    this.all = all;
  }

  HostView host(String id) {
    return id == null ? null : hosts.apply(id);
  }

  PerformanceHistory history() {
    return history;
  }

  /** Jobs the pool holds on {@code worker}. */
  public int held(String worker) {
    Set<String> jobs = held.get(worker);
    return jobs == null ? 0 : jobs.size();
  }

  void hold(String worker, String jobId) {
    held.computeIfAbsent(worker, w -> new HashSet<>()).add(jobId);
  }

  /** Gives the slot of {@code jobId} back; a second release of the same job changes nothing. */
  void release(String worker, String jobId, long now) {
    Set<String> jobs = worker == null ? null : held.get(worker);
    if (jobs != null && jobs.remove(jobId)) {
      lastRelease.put(worker, now);
      if (jobs.isEmpty()) held.remove(worker);
    }
  }

  boolean hasFreeSlot(HostView w) {
    return JobRules.hasFreeSlot(w, held(w.hostId()), lastRelease.getOrDefault(w.hostId(), 0L));
  }

  /** Online workers with a free slot. */
  List<HostView> free() {
    List<HostView> out = new ArrayList<>();
    for (HostView w : all.get()) {
      if (hasFreeSlot(w)) out.add(w);
    }
    return out;
  }

  /**
   * The worker for {@code j} among {@code free} (core's placement: requirements, lowest load ratio,
   * history, id), or null.
   */
  String place(JobRecord j, List<HostView> free) {
    if (free.isEmpty()) return null;
    JobRequirements req =
        new JobRequirements(new HashSet<>(j.requiredTags), j.minMemoryBytes, j.minCpuCores, j.gpus);
    return placement
        .place(
            req,
            free,
            JobRules.placementCounts(hosts, this::held, w -> lastRelease.getOrDefault(w, 0L)),
            history)
        .hostId()
        .orElse(null);
  }

  void publish(JobMetrics metrics, int queued) {
    int available = 0;
    int busy = 0;
    int offline = 0;
    for (HostView w : all.get()) {
      if (!w.isOnline()) offline++;
      else if (hasFreeSlot(w)) available++;
      else busy++;
    }
    int running = 0;
    for (Set<String> jobs : held.values()) running += jobs.size();
    metrics.gauges(queued, running, available, busy, offline);
  }
}
