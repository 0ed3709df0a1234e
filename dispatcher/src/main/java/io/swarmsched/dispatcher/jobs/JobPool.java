package io.swarmsched.dispatcher.jobs;

import static io.swarmsched.scheduling.worker.JobState.ASSIGNED;
import static io.swarmsched.scheduling.worker.JobState.CANCELLED;
import static io.swarmsched.scheduling.worker.JobState.FAILED;
import static io.swarmsched.scheduling.worker.JobState.QUEUED;
import static io.swarmsched.scheduling.worker.JobState.RETRY_WAIT;
import static io.swarmsched.scheduling.worker.JobState.RUNNING;
import static io.swarmsched.scheduling.worker.JobState.SUCCEEDED;

import io.swarmsched.dispatcher.metrics.JobMetrics;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.retry.ExponentialBackoff;
import io.swarmsched.scheduling.worker.JobRules;
import io.swarmsched.scheduling.worker.JobState;
import io.swarmsched.scheduling.worker.WaitingQueue;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job pool: the single writer of every worker's running-job count (docs/design.md, "Worker
 * pools"). It runs on the one partition of swarm.job-events.v1, so whatever the number of
 * dispatcher instances, one thread decides every claim on a worker's slots and no claim takes a
 * worker past {@code max_tasks}. It keeps the bounded priority queue, follows each job's lifecycle
 * from its events, takes slots back on a terminal event, an OFFLINE worker or a timeout, and
 * retries lost jobs after an exponential backoff. Every change is written to the jobs store
 * (changelogged), from which {@link #restore} rebuilds the in-memory queue and counts after a
 * restart or a move.
 */
public final class JobPool {
  private static final Logger log = LoggerFactory.getLogger(JobPool.class);

  /** Where the pool keeps its jobs (a changelogged store in the service). */
  public interface Store {
    JobRecord get(String jobId);

    void put(JobRecord job);

    void delete(String jobId);

    List<JobRecord> all();
  }

  private final JobParams params;
  private final Consumer<ScheduleDecision> out;
  private final JobMetrics metrics;
  private final Workers workers;
  private final ExponentialBackoff backoff;
  private final JobQueue queue;
  private final JobBook book;
  private long lastRefresh = Long.MIN_VALUE;

  /**
   * How often {@link #tick} has the order of free workers rebuilt from the whole hosts table (when
   * it is next used).
   */
  static final long REFRESH_EVERY_MS = 1_000;

  public JobPool(
      JobParams params,
      Workers workers,
      Store store,
      Consumer<ScheduleDecision> out,
      JobMetrics metrics) {
    this.params = params;
    this.workers = workers;
    this.book = new JobBook(store);
    this.out = out;
    this.metrics = metrics;
    this.backoff =
        JobRules.backoff(
            params.backoffBase().toMillis(), params.backoffMax().toMillis(), Integer.MAX_VALUE);
    this.queue = new JobQueue(params.queueMax(), workers);
  }

  /** Rebuilds the queue, the live jobs and the slot counts from the store. */
  public void restore() {
    book.restore(
        j -> {
          if (j.state.holdsSlot()) workers.hold(j.workerHostId, j.jobId);
          if (j.state == QUEUED) queue.offer(j);
        });
    workers.refresh();
    log.info(
        "Job pool restored: {} live ({} queued), {} finished",
        book.liveCount(),
        queue.size(),
        book.finishedCount());
  }

  public void onEvent(JobEvent e, long now) {
    String id = e.getJobId();
    switch (e.getType()) {
      case SUBMITTED -> submit(JobSubmission.toRecord(e, params, book.nextSeq()), now);
      case STARTED -> {
        JobRecord j = current(e);
        if (j != null && j.state == ASSIGNED) move(j, RUNNING, now, null);
      }
      case SUCCEEDED -> {
        JobRecord j = current(e);
        if (j != null) {
          j.resultRef = e.getResultRef();
          workers.succeeded(j.workerHostId, j.assignedAt > 0 ? now - j.assignedAt : -1);
          finish(j, SUCCEEDED, null, now);
        }
      }
      case FAILED -> {
        JobRecord j = current(e);
        if (j == null) break;
        workers.failed(j.workerHostId);
        if (JobRules.retryableFailure(e.getReason())) {
          lose(j, "TIMEOUT", now, false);
        } else {
          fail(j, "JOB_FAILED:" + Objects.requireNonNullElse(e.getReason(), "unknown"), now);
        }
      }
      case CANCELLED -> {
        if (e.getWorkerHostId() == null) {
          cancel(id, e.getReason(), now);
        } else {
          JobRecord j = current(e);
          if (j != null) lose(j, "WORKER_CANCELLED", now, false); // the worker gave it up
        }
      }
    }
    drain(now);
  }

  /** Timers (offline workers, timeouts, backoffs, deadlines, retention), then placement. */
  public void tick(long now) {
    if (now - lastRefresh >= REFRESH_EVERY_MS) {
      // host changes come through Workers.changed; a full rebuild now and then costs little
      workers.refresh();
      lastRefresh = now;
    }
    for (JobRecord j : book.liveJobs()) {
      switch (j.state) {
        case ASSIGNED, RUNNING -> {
          HostView w = workers.host(j.workerHostId);
          if (w == null || w.liveness() == Liveness.OFFLINE) {
            lose(j, "WORKER_OFFLINE", now, true);
          } else if (now > j.assignedAt + j.timeoutMs + params.timeoutGrace().toMillis()) {
            lose(j, "TIMEOUT", now, true);
          }
        }
        case RETRY_WAIT -> {
          if (now >= j.nextAttemptAt) enqueue(j, now, "RETRY:" + j.reason);
        }
        case QUEUED -> {
          if (j.deadline != null && now > j.deadline) fail(j, "DEADLINE_EXCEEDED", now);
        }
        default -> {}
      }
    }
    book.expire(now - params.retention().toMillis());
    drain(now);
    workers.publish(metrics, queue.size(), now);
  }

  /** The live job an event of a worker is about: the current attempt on that worker, or null. */
  private JobRecord current(JobEvent e) {
    JobRecord j = book.live(e.getJobId());
    if (j == null
        || !j.state.holdsSlot()
        || j.attempt != e.getAttempt()
        || (e.getWorkerHostId() != null && !e.getWorkerHostId().equals(j.workerHostId))) {
      log.debug(
          "Ignoring {} of job {} attempt {}: stale", e.getType(), e.getJobId(), e.getAttempt());
      return null;
    }
    return j;
  }

  private void submit(JobRecord j, long now) {
    if (book.known(j.jobId)) {
      log.debug("Job {} is known; submission ignored", j.jobId);
      return;
    }
    j.submittedAt = now;
    j.step(JobState.SUBMITTED, now, null);
    book.admit(j);
    if (j.deadline != null && now > j.deadline) {
      fail(j, "DEADLINE_EXCEEDED", now);
    } else if (j.noQueue) {
      // dtask's /schedule: a placement now or nothing; it never waits behind the queue
      j.readyAt = now;
      String w = workers.place(j);
      if (w == null) fail(j, "NO_CAPACITY", now);
      else assign(j, w, now);
    } else {
      enqueue(j, now, "NO_CAPACITY");
    }
  }

  private void enqueue(JobRecord j, long now, String why) {
    j.readyAt = now;
    WaitingQueue.Offer<String> offer = queue.offer(j);
    if (!offer.accepted()) {
      fail(j, "QUEUE_FULL", now);
      return;
    }
    // a full queue keeps the higher-ranked job: the lowest-ranked one leaves with QUEUE_FULL
    offer.evicted().ifPresent(ev -> fail(book.live(ev.id()), "QUEUE_FULL", now));
    j.state = QUEUED; // recorded as a step only if it has to wait: drain may place it at once
    drain(now);
    if (j.state == QUEUED) {
      move(j, QUEUED, now, why);
      out.accept(JobDecisions.toRequester(j, DecisionOutcome.QUEUED, why, now));
    }
  }

  /** Places waiting jobs in rank order while some worker has a free slot. */
  private void drain(long now) {
    queue.drain(book::live, (j, worker) -> assign(j, worker, now));
  }

  private void assign(JobRecord j, String worker, long now) {
    String why = j.attempt > 0 ? "RETRY:" + lastLoss(j) : null;
    j.attempt++;
    j.workerHostId = worker;
    j.assignedAt = now;
    workers.hold(worker, j.jobId);
    metrics.placed(now - j.readyAt);
    move(j, ASSIGNED, now, why);
    out.accept(JobDecisions.assigned(j, why, now));
  }

  /** The attempt is lost: its slot comes back, and the job tries again or fails for good. */
  private void lose(JobRecord j, String why, long now, boolean revoke) {
    String worker = j.workerHostId;
    workers.release(worker, j.jobId, now);
    if (revoke) {
      // tells the worker (should it still run it, or come back) to kill this attempt
      out.accept(JobDecisions.cancelled(j, worker, why, now));
    }
    if (JobRules.mayRetry(j.attempt, j.maxAttempts)) {
      j.nextAttemptAt = now + backoff.delayMillis(j.jobId, j.attempt);
      metrics.retried(why);
      move(j, RETRY_WAIT, now, why);
    } else {
      fail(j, "MAX_ATTEMPTS:" + why, now);
    }
  }

  private void cancel(String jobId, String why, long now) {
    JobRecord j = book.live(jobId);
    if (j == null) return; // unknown or already finished: nothing to cancel
    if (j.state.holdsSlot()) {
      workers.release(j.workerHostId, j.jobId, now);
      j.step(CANCELLED, now, why == null ? "CANCELLED" : why); // before the decision: its id
      out.accept(JobDecisions.cancelled(j, j.workerHostId, "CANCELLED", now));
    }
    metrics.cancelled();
    end(j, CANCELLED, why == null ? "CANCELLED" : why, now);
  }

  private void fail(JobRecord j, String why, long now) {
    if (j.state.holdsSlot()) workers.release(j.workerHostId, j.jobId, now);
    metrics.failed(why);
    end(j, FAILED, why, now);
    out.accept(JobDecisions.toRequester(j, DecisionOutcome.FAILED, why, now));
  }

  private void finish(JobRecord j, JobState state, String why, long now) {
    workers.release(j.workerHostId, j.jobId, now);
    metrics.completed();
    end(j, state, why, now);
  }

  private void end(JobRecord j, JobState state, String why, long now) {
    if (j.state == QUEUED) queue.remove(j.jobId);
    book.end(j, state, why, now);
  }

  private void move(JobRecord j, JobState state, long now, String why) {
    book.move(j, state, now, why);
  }

  private static String lastLoss(JobRecord j) {
    for (int i = j.history.size() - 1; i >= 0; i--) {
      if (j.history.get(i).state == RETRY_WAIT) return j.history.get(i).reason;
    }
    return "RETRY";
  }
}
