package io.swarmsched.dispatcher.jobs;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import java.nio.ByteBuffer;
import java.time.Instant;

/** The decisions the job pool sends (see JOBS contract in dispatcher/README.md). */
final class JobDecisions {
  static final String POLICY_ID = "jobs/least-loaded";

  private JobDecisions() {}

  /** ASSIGNED to the worker: what its executor needs to run this attempt. */
  static ScheduleDecision assigned(JobRecord j, String why, long now) {
    return base(j, DecisionOutcome.ASSIGNED, j.workerHostId, why, now)
        .setWorkerHostId(j.workerHostId)
        .setJobPayload(ByteBuffer.wrap(j.payload))
        .setJobTimeoutMs(j.timeoutMs)
        .build();
  }

  /** CANCELLED to {@code worker}: kill this attempt (client cancel, timeout, worker lost). */
  static ScheduleDecision cancelled(JobRecord j, String worker, String why, long now) {
    return base(j, DecisionOutcome.CANCELLED, worker, why, now).setWorkerHostId(worker).build();
  }

  /** QUEUED or FAILED, to the requester. */
  static ScheduleDecision toRequester(JobRecord j, DecisionOutcome outcome, String why, long now) {
    return base(j, outcome, j.requesterHostId, why, now).build();
  }

  private static ScheduleDecision.Builder base(
      JobRecord j, DecisionOutcome outcome, String target, String why, long now) {
    return ScheduleDecision.newBuilder()
        // one decision per step of the job, so the id is stable across a replay of the same steps
        .setDecisionId("job/" + j.jobId + "/" + j.history.size())
        .setRequestId(j.requestId)
        .setTaskId(j.jobId)
        .setPeerId(j.jobId)
        .setTargetHostId(target)
        .setRequesterHostId(j.requesterHostId)
        .setOutcome(outcome)
        .setReason(why)
        .setAttempt(j.attempt)
        .setJobAttempt(j.attempt)
        .setPolicyId(POLICY_ID)
        .setDecidedAt(Instant.ofEpochMilli(now));
  }
}
