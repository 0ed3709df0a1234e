package io.swarmsched.scheduling.worker;

import io.swarmsched.scheduling.ledger.AllocationLog;
import io.swarmsched.scheduling.ledger.OptimisticLedger.AllocationCounts;
import io.swarmsched.scheduling.resource.HostView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Worker-pool placement (docs/design.md, after dtask-scheduler): among online, non-quarantined
 * workers that have the required tags, memory, CPU cores and GPUs and a free task slot, the one
 * with the lowest {@code running / maxTasks}, ties broken by better performance history, then by
 * host id. "Running" is the heartbeat's count plus jobs placed since that heartbeat (optimistic
 * allocation, held in an {@link AllocationLog}, or read from wherever the caller keeps them through
 * {@link AllocationCounts}, consulted only for workers that meet the requirements). Deterministic;
 * stateless itself.
 */
public final class WorkerPlacement {

  /** Places one job; does not record it (call {@link #commit}). */
  public Placement place(
      JobRequirements req,
      Collection<HostView> workers,
      AllocationCounts assigned,
      PerformanceHistory history) {
    List<WorkerRejection> rejections = new ArrayList<>();
    HostView best = null;
    double bestRatio = 0;
    double bestPerf = 0;
    List<HostView> sorted = new ArrayList<>(workers);
    sorted.sort(Comparator.comparing(HostView::hostId));
    for (HostView w : sorted) {
      Optional<WorkerRejection> r = check(req, w, assigned);
      if (r.isPresent()) {
        rejections.add(r.get());
        continue;
      }
      double ratio = (double) running(w, assigned) / w.capacity().maxTasks();
      double perf = history.score(w.hostId());
      // Visiting in host-id order, a strictly better candidate is needed to replace the current
      // best.
      if (best == null || ratio < bestRatio || (ratio == bestRatio && perf > bestPerf)) {
        best = w;
        bestRatio = ratio;
        bestPerf = perf;
      }
    }
    return new Placement(
        Optional.ofNullable(best).map(HostView::hostId),
        best == null ? 0.0 : bestRatio,
        rejections);
  }

  /** Records the placement (one more running job on the worker until its next heartbeat). */
  public static void commit(Placement placement, AllocationLog assigned, long nowMillis) {
    placement.hostId().ifPresent(h -> assigned.record(h, nowMillis));
  }

  /** The heartbeat's running tasks plus jobs placed at or after it. */
  public static int running(HostView w, AllocationCounts assigned) {
    return Math.max(0, w.load().runningTasks()) + assigned.since(w.hostId(), w.lastSeenMillis());
  }

  private static Optional<WorkerRejection> check(
      JobRequirements req, HostView w, AllocationCounts assigned) {
    String id = w.hostId();
    if (!w.isOnline()) {
      return reject(id, WorkerRejection.Reason.NOT_ONLINE, "liveness " + w.liveness());
    }
    if (w.quarantined()) {
      return reject(id, WorkerRejection.Reason.QUARANTINED, "quarantined");
    }
    if (w.capacity().maxTasks() <= 0) {
      return reject(id, WorkerRejection.Reason.NOT_A_WORKER, "max_tasks 0");
    }
    if (!w.tags().containsAll(req.requiredTags())) {
      TreeSet<String> missing = new TreeSet<>(req.requiredTags());
      missing.removeAll(w.tags());
      return reject(id, WorkerRejection.Reason.MISSING_TAGS, "missing tags " + missing);
    }
    if (w.capacity().memoryBytes() < req.minMemoryBytes()) {
      return reject(
          id,
          WorkerRejection.Reason.NOT_ENOUGH_MEMORY,
          w.capacity().memoryBytes() + " < " + req.minMemoryBytes() + " bytes");
    }
    if (w.capacity().cpuCores() < req.minCpuCores()) {
      return reject(
          id,
          WorkerRejection.Reason.NOT_ENOUGH_CPU,
          w.capacity().cpuCores() + " < " + req.minCpuCores() + " cores");
    }
    if (w.capacity().gpus() < req.gpus()) {
      return reject(
          id,
          WorkerRejection.Reason.NOT_ENOUGH_GPUS,
          w.capacity().gpus() + " < " + req.gpus() + " GPUs");
    }
    int running = running(w, assigned);
    if (running >= w.capacity().maxTasks()) {
      return reject(
          id, WorkerRejection.Reason.FULL, running + " running >= max " + w.capacity().maxTasks());
    }
    return Optional.empty();
  }

  private static Optional<WorkerRejection> reject(
      String id, WorkerRejection.Reason r, String detail) {
    return Optional.of(new WorkerRejection(id, r, detail));
  }
}
