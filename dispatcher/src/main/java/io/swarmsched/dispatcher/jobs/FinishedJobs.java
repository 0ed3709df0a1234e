package io.swarmsched.dispatcher.jobs;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Finished jobs by finishing time, ids only: their records stay in the store (answering the jobs
 * API) for the retention time, then {@link #expire} deletes them.
 */
final class FinishedJobs {
  private record Finished(long at, String jobId) {}

  private final ArrayDeque<Finished> byTime = new ArrayDeque<>();

  /** {@code jobId} finished at {@code at}; calls come in finishing order. */
  void add(long at, String jobId) {
    byTime.add(new Finished(at, jobId));
  }

  int size() {
    return byTime.size();
  }

  /** Hands every job that finished before {@code cutoff} to {@code delete}, oldest first. */
  void expire(long cutoff, Consumer<String> delete) {
    while (!byTime.isEmpty() && byTime.peekFirst().at() < cutoff) {
      delete.accept(byTime.pollFirst().jobId());
    }
  }
}
