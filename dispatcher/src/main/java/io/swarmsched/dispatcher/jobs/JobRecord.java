package io.swarmsched.dispatcher.jobs;

import io.swarmsched.scheduling.worker.JobState;
import java.util.ArrayList;
import java.util.List;

/**
 * A job as the pool keeps it in {@code dispatcher-jobs} (JSON): what was asked, where it stands,
 * and its history. Mutable, owned by the pool's stream thread.
 */
public final class JobRecord {
  /** Most history steps kept per job (a job retried many times keeps its latest steps). */
  static final int MAX_HISTORY = 50;

  public String jobId;
  public String requestId;
  public String requesterHostId;
  public JobState state;
  public int priority;

  /** Arrival order in the pool: FIFO within a priority, kept across retries and restarts. */
  public long seq;

  /** Latest time to be placed (epoch ms), or null. */
  public Long deadline;

  public List<String> requiredTags = new ArrayList<>();
  public long minMemoryBytes;
  public int minCpuCores;
  public int gpus;
  public byte[] payload = new byte[0];
  public long timeoutMs;
  public boolean noQueue;
  public int maxAttempts;

  /** Attempts given to a worker so far (the current one when ASSIGNED or RUNNING). */
  public int attempt;

  public String workerHostId;
  public String reason;
  public String resultRef;
  public long submittedAt;

  /** When it last became ready to place (submission, or the end of a retry's backoff). */
  public long readyAt;

  public long assignedAt;
  public long finishedAt;
  public long nextAttemptAt;
  public List<Step> history = new ArrayList<>();

  public JobRecord() {}

  /** One step of the job's life, as GET /api/v1/jobs/{id} shows it. */
  public static final class Step {
    public long at;
    public JobState state;
    public int attempt;
    public String workerHostId;
    public String reason;

    public Step() {}

    Step(long at, JobState state, int attempt, String workerHostId, String reason) {
      this.at = at;
      this.state = state;
      this.attempt = attempt;
      this.workerHostId = workerHostId;
      this.reason = reason;
    }
  }

  /** Moves to {@code next} at {@code at} and records the step. */
  void step(JobState next, long at, String why) {
    state = next;
    reason = why;
    history.add(new Step(at, next, attempt, workerHostId, why));
    if (history.size() > MAX_HISTORY) {
      history.remove(1); // keep the first step (submission) and the latest ones
    }
  }
}
