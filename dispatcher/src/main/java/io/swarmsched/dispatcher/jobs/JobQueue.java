package io.swarmsched.dispatcher.jobs;

import io.swarmsched.scheduling.worker.WaitingQueue;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The pool's waiting jobs in rank order (higher priority first, FIFO within a priority, bounded)
 * and their placement on free workers (docs/design.md, "Worker pools"). Holds job ids only: the
 * records live in the pool.
 */
final class JobQueue {
  /** Jobs no free worker can take that one drain looks at before it gives up until the next. */
  static final int MAX_MISSES_PER_DRAIN = 256;

  private final WaitingQueue<String> waiting;
  private final Workers workers;

  JobQueue(int capacity, Workers workers) {
    this.waiting = new WaitingQueue<>(capacity);
    this.workers = workers;
  }

  /** Queues {@code j} at its rank; a full queue refuses it or evicts its lowest-ranked job. */
  WaitingQueue.Offer<String> offer(JobRecord j) {
    return waiting.offer(j.jobId, j.priority, j.seq, j.jobId);
  }

  void remove(String jobId) {
    waiting.remove(jobId);
  }

  int size() {
    return waiting.size();
  }

  /**
   * Places waiting jobs in rank order while some worker has a free slot: each placed job leaves the
   * queue and goes to {@code assign} with its worker.
   */
  void drain(Function<String, JobRecord> jobs, BiConsumer<JobRecord, String> assign) {
    if (waiting.size() == 0 || !workers.anyFree()) return;
    // the common case: the head fits somewhere (O(log n) per placement, no copy of the queue)
    while (waiting.size() > 0 && workers.anyFree()) {
      JobRecord head = jobs.apply(waiting.peek().orElseThrow().id());
      String w = workers.place(head);
      if (w == null) break;
      waiting.poll();
      assign.accept(head, w);
    }
    if (waiting.size() == 0 || !workers.anyFree()) return;
    // the head fits nowhere free: later jobs with other requirements may (bounded look-ahead)
    int misses = 0;
    for (WaitingQueue.Entry<String> e : waiting.snapshot()) {
      if (!workers.anyFree()) return;
      JobRecord j = jobs.apply(e.id());
      String w = workers.place(j);
      if (w != null) {
        waiting.remove(j.jobId);
        assign.accept(j, w);
      } else if (++misses >= MAX_MISSES_PER_DRAIN) {
        return;
      }
    }
  }
}
