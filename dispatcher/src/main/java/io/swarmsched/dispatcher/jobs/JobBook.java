package io.swarmsched.dispatcher.jobs;

import io.swarmsched.scheduling.worker.JobState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The job pool's record of its jobs: the live ones (not yet finished) in memory, every change
 * written through to the jobs store, finished ones kept for the retention time, and the next
 * submission's sequence number. {@link JobPool} decides what happens to a job; this class only
 * remembers it, so that {@link #restore} can rebuild the same picture after a restart or a move.
 */
final class JobBook {
  private final JobPool.Store store;
  private final Map<String, JobRecord> live = new HashMap<>();
  private final FinishedJobs finished = new FinishedJobs();
  private long nextSeq;

  JobBook(JobPool.Store store) {
    this.store = store;
  }

  /**
   * Reads every stored job in finishing order: finished ones go on the retention list, each live
   * one to {@code eachLive} (which takes its slot and queue place back).
   */
  void restore(Consumer<JobRecord> eachLive) {
    List<JobRecord> all = new ArrayList<>(store.all());
    all.sort((a, b) -> Long.compare(a.finishedAt, b.finishedAt));
    for (JobRecord j : all) {
      nextSeq = Math.max(nextSeq, j.seq + 1);
      if (j.state.terminal()) {
        finished.add(j.finishedAt, j.jobId);
        continue;
      }
      live.put(j.jobId, j);
      eachLive.accept(j);
    }
  }

  /** The live job with this id, or null. */
  JobRecord live(String jobId) {
    return live.get(jobId);
  }

  /** A copy of the live jobs, for a pass that may finish some of them. */
  List<JobRecord> liveJobs() {
    return new ArrayList<>(live.values());
  }

  /** True when a job of this id is live or still stored (finished within the retention time). */
  boolean known(String jobId) {
    return live.containsKey(jobId) || store.get(jobId) != null;
  }

  long nextSeq() {
    return nextSeq;
  }

  /** A new job, live from now (written once it takes its first step). */
  void admit(JobRecord j) {
    nextSeq = j.seq + 1;
    live.put(j.jobId, j);
  }

  /** The job steps to {@code state}; the step is stored. */
  void move(JobRecord j, JobState state, long now, String why) {
    j.step(state, now, why);
    store.put(j);
  }

  /** The job ends in {@code state}: stored, no longer live, deleted after the retention time. */
  void end(JobRecord j, JobState state, String why, long now) {
    j.finishedAt = now;
    if (j.state != state) j.step(state, now, why);
    store.put(j);
    live.remove(j.jobId);
    finished.add(now, j.jobId);
  }

  /** Deletes from the store the jobs that finished before {@code cutoff}. */
  void expire(long cutoff) {
    finished.expire(cutoff, store::delete);
  }

  int liveCount() {
    return live.size();
  }

  int finishedCount() {
    return finished.size();
  }
}
