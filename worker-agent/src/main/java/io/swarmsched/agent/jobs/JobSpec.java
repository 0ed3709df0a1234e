package io.swarmsched.agent.jobs;

import java.time.Duration;
import java.util.Objects;

/**
 * One attempt of a job as the agent runs it: what the dispatcher's ASSIGNED decision carries.
 *
 * @param jobId the job's id (SWARM_JOB_ID in the command's environment)
 * @param attempt which attempt this is, from 1 (SWARM_JOB_ATTEMPT); a reassigned job comes back
 *     with the next attempt, a redelivered decision with the same one
 * @param payload given to the command on stdin
 * @param timeout the command is killed (with its process tree) when it runs longer
 */
public record JobSpec(String jobId, int attempt, byte[] payload, Duration timeout) {
  public JobSpec {
    Objects.requireNonNull(jobId, "jobId");
    payload = payload == null ? new byte[0] : payload;
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
  }

  /** Identifies the attempt: a decision seen again with this key is a redelivery. */
  public String key() {
    return jobId + "#" + attempt;
  }
}
