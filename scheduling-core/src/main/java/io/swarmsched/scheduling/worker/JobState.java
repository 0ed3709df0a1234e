package io.swarmsched.scheduling.worker;

/**
 * Where a compute job stands in the dispatcher's pool (docs/design.md, "Worker pools"). Only {@link
 * #ASSIGNED} and {@link #RUNNING} hold a slot of a worker.
 */
public enum JobState {
  /** Written to the job-events topic, not yet seen by the pool. */
  SUBMITTED,
  /** Waiting for capacity, in priority order. */
  QUEUED,
  /** Given to a worker (decision sent), not yet reported started. */
  ASSIGNED,
  /** The worker reported STARTED. */
  RUNNING,
  /** Lost (worker offline, timeout) and waiting out its backoff before it queues again. */
  RETRY_WAIT,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean terminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  public boolean holdsSlot() {
    return this == ASSIGNED || this == RUNNING;
  }
}
