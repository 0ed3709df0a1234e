package io.swarmsched.scheduling.worker;

import io.swarmsched.scheduling.ledger.OptimisticLedger.AllocationCounts;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.retry.ExponentialBackoff;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * The pure rules of the job pool: how many jobs a worker counts as running, when a lost job may try
 * again and after how long, and which worker-reported failures are worth another attempt.
 */
public final class JobRules {
  private JobRules() {}

  /** Hypha's defaults (docs/design.md): base 2 s, doubling, at most 60 s, at most 3 attempts. */
  public static ExponentialBackoff backoff(long baseMillis, long maxMillis, int maxAttempts) {
    // no jitter: the pool is one writer, so there is no herd to spread, and tests can name the time
    return new ExponentialBackoff(baseMillis, 2.0, maxMillis, 0.0, maxAttempts);
  }

  /**
   * The jobs a worker counts as running: those the pool holds on it, or what its heartbeat reports
   * when that is more and the heartbeat is newer than the pool's last release on that worker. An
   * older heartbeat may still count jobs the pool knows have ended, so it is not trusted then (it
   * would keep a freed slot idle until the next heartbeat); a newer one that reports more reveals
   * jobs the pool does not know about (e.g. started before a restart, or by another scheduler), and
   * a claim must never push the worker past its limit.
   */
  public static int running(HostView worker, int held, long lastReleaseMillis) {
    int reported = Math.max(0, worker.load().runningTasks());
    if (worker.lastSeenMillis() <= lastReleaseMillis) {
      return held;
    }
    return Math.max(held, reported);
  }

  /** True when the worker can take one more job without going past {@code max_tasks}. */
  public static boolean hasFreeSlot(HostView worker, int held, long lastReleaseMillis) {
    return worker.isOnline()
        && worker.capacity().maxTasks() > 0
        && running(worker, held, lastReleaseMillis) < worker.capacity().maxTasks();
  }

  /**
   * {@link WorkerPlacement} adds these to a worker's heartbeat count, so that what it compares with
   * {@code max_tasks} is {@link #running}.
   */
  public static AllocationCounts placementCounts(
      Function<String, HostView> hosts,
      ToIntFunction<String> held,
      ToLongFunction<String> lastRelease) {
    return (hostId, since) -> {
      HostView w = hosts.apply(hostId);
      if (w == null) return held.applyAsInt(hostId);
      int reported = Math.max(0, w.load().runningTasks());
      return running(w, held.applyAsInt(hostId), lastRelease.applyAsLong(hostId)) - reported;
    };
  }

  /**
   * Whether {@code worker}'s machine meets {@code req}: the same tests as {@link WorkerPlacement}'s
   * (tags, memory, CPU cores, GPUs against capacity), without building the reasons, for a caller
   * that walks workers in placement order and takes the first that fits.
   */
  public static boolean meets(JobRequirements req, HostView worker) {
    return worker.tags().containsAll(req.requiredTags())
        && worker.capacity().memoryBytes() >= req.minMemoryBytes()
        && worker.capacity().cpuCores() >= req.minCpuCores()
        && worker.capacity().gpus() >= req.gpus();
  }

  /**
   * A worker-reported failure is retried when it was not the job's own doing: the worker killed it
   * at its timeout ({@code TIMEOUT...}), had no free slot when the assignment arrived ({@code
   * WORKER_FULL}: its count was ahead of the pool's), was stopping ({@code AGENT_STOPPED}) or has
   * no executor ({@code NO_EXECUTOR}); these are the agent's reasons (worker-agent's JobRunner).
   * Any other failure (the command's exit code) is the job's own and final.
   */
  public static boolean retryableFailure(String reason) {
    if (reason == null) {
      return false;
    }
    String r = reason.trim().toUpperCase(Locale.ROOT);
    for (String p : RETRYABLE_PREFIXES) {
      if (r.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  private static final java.util.List<String> RETRYABLE_PREFIXES =
      java.util.List.of("TIMEOUT", "WORKER_FULL", "AGENT_STOPPED", "NO_EXECUTOR");

  public static boolean mayRetry(int attemptsSoFar, int maxAttempts) {
    return attemptsSoFar < maxAttempts;
  }
}
