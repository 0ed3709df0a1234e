package io.swarmsched.dispatcher.jobs;

import io.swarmsched.dispatcher.metrics.JobMetrics;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.worker.JobRequirements;
import io.swarmsched.scheduling.worker.JobRules;
import io.swarmsched.scheduling.worker.PerformanceHistory;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The pool's view of the workers: the hosts table (through the dispatcher's host index), the jobs
 * the pool holds on each, when it last gave a slot back, each worker's job history, and the workers
 * with a free slot in placement order (docs/design.md: lowest running/max_tasks, then better
 * history, then id). That order is kept as jobs are held and released and as host records arrive
 * ({@link #changed}, fed by the host index), and rebuilt from the hosts table by {@link #refresh}
 * (at start and every second, a safety net), so a placement walks it from the best worker and takes
 * the first that meets the job's requirements instead of scoring every worker. The chosen worker's
 * slot is checked against its current host view at that moment, so a stale entry can cost a skip,
 * never a slot over {@code max_tasks}. Owned by the pool's stream thread, except {@link #changed},
 * which any thread may call.
 */
public final class Workers {
  private record Key(double ratio, double perf, double meanRun, String id) {}

  private static final Comparator<Key> ORDER =
      Comparator.comparingDouble(Key::ratio)
          .thenComparing(Comparator.comparingDouble(Key::perf).reversed())
          .thenComparingDouble(Key::meanRun)
          .thenComparing(Key::id);

  private final Function<String, HostView> hosts;
  private final Supplier<Collection<HostView>> all;
  private final Map<String, Set<String>> held = new HashMap<>();
  private final Map<String, Long> lastRelease = new HashMap<>();
  private final PerformanceHistory history = new PerformanceHistory();
  private final TreeSet<Key> free = new TreeSet<>(ORDER);
  private final Map<String, Key> keys = new HashMap<>();
  private final ConcurrentLinkedQueue<String> changed = new ConcurrentLinkedQueue<>();

  /** The order must be rebuilt from the whole hosts table before it is used again. */
  private boolean stale = true;

  public Workers(Function<String, HostView> hosts, Supplier<Collection<HostView>> all) {
    this.hosts = hosts;
    this.all = all;
  }

  HostView host(String id) {
    return id == null ? null : hosts.apply(id);
  }

  /** Jobs the pool holds on {@code worker}. */
  public int held(String worker) {
    Set<String> jobs = held.get(worker);
    return jobs == null ? 0 : jobs.size();
  }

  void hold(String worker, String jobId) {
    held.computeIfAbsent(worker, w -> new HashSet<>()).add(jobId);
    update(worker);
  }

  /** Gives the slot of {@code jobId} back; a second release of the same job changes nothing. */
  void release(String worker, String jobId, long now) {
    Set<String> jobs = worker == null ? null : held.get(worker);
    if (jobs != null && jobs.remove(jobId)) {
      lastRelease.put(worker, now);
      if (jobs.isEmpty()) held.remove(worker);
      update(worker);
    }
  }

  /** A job of {@code worker} succeeded after {@code runMillis} (negative: unknown). */
  void succeeded(String worker, long runMillis) {
    history.recordSuccess(worker, runMillis);
    update(worker);
  }

  void failed(String worker) {
    history.recordFailure(worker);
    update(worker);
  }

  boolean hasFreeSlot(HostView w) {
    return JobRules.hasFreeSlot(w, held(w.hostId()), lastRelease.getOrDefault(w.hostId(), 0L));
  }

  /** A host record of {@code hostId} arrived (any thread): its place is redone before next use. */
  public void changed(String hostId) {
    changed.add(hostId);
  }

  /** Applies the host records that arrived since the last call (all of them when stale). */
  void sync() {
    if (stale) {
      rebuild();
      return;
    }
    Set<String> ids = new HashSet<>();
    for (String id; (id = changed.poll()) != null; ) ids.add(id);
    ids.forEach(this::update);
  }

  /** Whether some worker may have a free slot (entries are checked when used). */
  boolean anyFree() {
    sync();
    return !free.isEmpty();
  }

  /**
   * The best worker with a free slot that meets {@code j}'s requirements (core's rule, see {@link
   * JobRules#meets}), or null. Entries found full or gone are dropped on the way.
   */
  String place(JobRecord j) {
    JobRequirements req =
        new JobRequirements(new HashSet<>(j.requiredTags), j.minMemoryBytes, j.minCpuCores, j.gpus);
    sync();
    for (Iterator<Key> it = free.iterator(); it.hasNext(); ) {
      Key k = it.next();
      HostView w = hosts.apply(k.id());
      if (w == null || !hasFreeSlot(w)) {
        it.remove();
        keys.remove(k.id());
        continue;
      }
      if (JobRules.meets(req, w)) return w.hostId();
    }
    return null;
  }

  /**
   * The placement order is to be rebuilt from the hosts table (liveness, capacity, heartbeats)
   * before its next use. Rebuilding it is a pass over every host, so it happens only when a job
   * waits for a worker: with 100,000 hosts and no job waiting, a rebuild every second took 9% of
   * the dispatcher's stream thread (docs/benchmarks.md, issue 17).
   */
  void refresh() {
    changed.clear();
    stale = true;
  }

  private void rebuild() {
    stale = false;
    changed.clear();
    free.clear();
    keys.clear();
    for (HostView w : all.get()) add(w);
  }

  private void update(String worker) {
    Key old = keys.remove(worker);
    if (old != null) free.remove(old);
    HostView w = host(worker);
    if (w != null) add(w);
  }

  private void add(HostView w) {
    if (!hasFreeSlot(w)) return;
    String id = w.hostId();
    int running = JobRules.running(w, held(id), lastRelease.getOrDefault(id, 0L));
    Key k =
        new Key(
            (double) running / w.capacity().maxTasks(),
            history.score(id),
            history.meanRunMillis(id),
            id);
    keys.put(id, k);
    free.add(k);
  }

  /**
   * How often {@link #publish} counts the workers by state: the count walks every worker (100,000
   * hosts in the benchmark), and at every tick (100 ms) it was a third of the dispatcher's stream
   * thread under load. The job gauges are exact at every tick; the worker gauges at most this old.
   */
  static final long COUNT_WORKERS_EVERY_MS = 1_000;

  private boolean counted;
  private long countedAt;
  private int available;
  private int busy;
  private int offline;

  void publish(JobMetrics metrics, int queued, long now) {
    if (!counted || now - countedAt >= COUNT_WORKERS_EVERY_MS || now < countedAt) {
      counted = true;
      countedAt = now;
      available = 0;
      busy = 0;
      offline = 0;
      for (HostView w : all.get()) {
        if (!w.isOnline()) offline++;
        else if (hasFreeSlot(w)) available++;
        else busy++;
      }
    }
    int running = 0;
    for (Set<String> jobs : held.values()) running += jobs.size();
    metrics.gauges(queued, running, available, busy, offline);
  }
}
