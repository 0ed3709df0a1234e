package io.swarmsched.dispatcher.jobs;

import java.time.Duration;

/**
 * The job pool's settings ({@code swarm.dispatcher.jobs.*}, see dispatcher/README.md).
 *
 * @param queueMax most jobs waiting for capacity; beyond, the lowest-ranked is FAILED QUEUE_FULL
 * @param timeout run time allowed per attempt when the job names none
 * @param timeoutGrace how long past a job's timeout the pool waits for the worker's own report (the
 *     worker kills it at the timeout and says so) before it takes the slot back itself
 * @param maxAttempts attempts when the job names none
 * @param backoffBase delay before the second attempt; doubles per attempt
 * @param backoffMax longest delay between attempts
 * @param retention how long a finished job stays queryable
 * @param tick how often timers (timeouts, offline workers, backoffs, deadlines) are checked
 */
public record JobParams(
    int queueMax,
    Duration timeout,
    Duration timeoutGrace,
    int maxAttempts,
    Duration backoffBase,
    Duration backoffMax,
    Duration retention,
    Duration tick) {

  public static final JobParams DEFAULTS =
      new JobParams(
          10_000,
          Duration.ofMinutes(10),
          Duration.ofSeconds(10),
          3,
          Duration.ofSeconds(2),
          Duration.ofSeconds(60),
          Duration.ofHours(1),
          Duration.ofMillis(100));
}
