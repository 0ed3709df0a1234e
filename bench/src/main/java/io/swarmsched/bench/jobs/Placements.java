package io.swarmsched.bench.jobs;

import io.swarmsched.bench.Latencies;
import io.swarmsched.schemas.DecisionOutcome;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * The tally of one phase of job submissions: when each job was submitted, when its first ASSIGNED
 * decision was read, and on which worker. From it: placements/s, submit-to-ASSIGNED latency, jobs
 * without a placement, and the capacity check (no worker over its {@code max_tasks}).
 *
 * <p>Times are {@link System#nanoTime()} of the harness JVM (submit and read happen there). Only
 * this phase's jobs count: a decision for another job id (an earlier phase's, a warm-up's) is
 * ignored. A second ASSIGNED for the same job (a reassignment, which this workload should never
 * cause) is counted as a duplicate and does not count as a placement again.
 */
public final class Placements {
  private final Map<String, Long> submittedAt = new HashMap<>();
  private final Map<String, String> assignedTo = new HashMap<>();
  private final Map<String, Integer> perWorker = new HashMap<>();
  private final Map<DecisionOutcome, Integer> outcomes = new EnumMap<>(DecisionOutcome.class);
  private final Latencies latencies = new Latencies();
  private long firstSubmit = Long.MAX_VALUE;
  private long lastPlacement = Long.MIN_VALUE;
  private long duplicates;

  /** Job {@code jobId} is about to be sent at {@code nanos}. */
  public synchronized void submitted(String jobId, long nanos) {
    if (submittedAt.putIfAbsent(jobId, nanos) != null) {
      throw new IllegalArgumentException("job " + jobId + " submitted twice in one phase");
    }
    firstSubmit = Math.min(firstSubmit, nanos);
  }

  /**
   * A decision about {@code jobId} was read at {@code nanos}. Returns whether it is about one of
   * this phase's jobs.
   */
  public synchronized boolean decided(
      String jobId, DecisionOutcome outcome, String worker, long nanos) {
    Long sent = submittedAt.get(jobId);
    if (sent == null) {
      return false;
    }
    outcomes.merge(outcome, 1, Integer::sum);
    if (outcome != DecisionOutcome.ASSIGNED) {
      return true;
    }
    if (assignedTo.putIfAbsent(jobId, worker) != null) {
      duplicates++;
      return true;
    }
    perWorker.merge(worker, 1, Integer::sum);
    latencies.recordNanos(nanos - sent);
    lastPlacement = Math.max(lastPlacement, nanos);
    return true;
  }

  public synchronized int submitted() {
    return submittedAt.size();
  }

  public synchronized int placed() {
    return assignedTo.size();
  }

  /** Jobs submitted in this phase that have no ASSIGNED decision (yet). */
  public synchronized int missing() {
    return submittedAt.size() - assignedTo.size();
  }

  /** Second ASSIGNED decisions for a job already placed in this phase. */
  public synchronized long duplicates() {
    return duplicates;
  }

  /**
   * Placements per second from the first submission to the last placement read: the rate the whole
   * path (produce, the pool's exactly-once loop, read_committed) delivered. 0 with no placement.
   */
  public synchronized double perSec() {
    if (assignedTo.isEmpty() || lastPlacement <= firstSubmit) {
      return 0;
    }
    return assignedTo.size() / ((lastPlacement - firstSubmit) / 1e9);
  }

  /** Seconds from the first submission to the last placement read (0 with no placement). */
  public synchronized double seconds() {
    return assignedTo.isEmpty() ? 0 : Math.max(0, (lastPlacement - firstSubmit) / 1e9);
  }

  /** Submit-to-ASSIGNED latency of every placed job. */
  public Latencies latencies() {
    return latencies;
  }

  /** Decisions about this phase's jobs by outcome (QUEUED and FAILED show a pool out of room). */
  public synchronized Map<DecisionOutcome, Integer> outcomes() {
    return new EnumMap<>(outcomes);
  }

  /** Distinct workers that got at least one of this phase's jobs. */
  public synchronized int workersUsed() {
    return perWorker.size();
  }

  /** The most jobs of this phase any one worker got. */
  public synchronized int mostOnOneWorker() {
    return perWorker.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /** This phase's placements per worker (a copy), for the capacity check across phases. */
  public synchronized Map<String, Integer> perWorker() {
    return new HashMap<>(perWorker);
  }
}
