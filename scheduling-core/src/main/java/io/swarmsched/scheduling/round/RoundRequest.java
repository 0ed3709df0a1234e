package io.swarmsched.scheduling.round;

import io.swarmsched.scheduling.worker.JobRequirements;
import java.util.Objects;
import java.util.Set;

/**
 * One schedule request as a round sees it (the dispatcher has validated it already).
 *
 * @param peerId the requesting peer; empty for a job
 * @param hostId the requester's host
 * @param blocklist parent peer ids not to choose
 * @param reschedule the peer asks again: its blocklisted parents stop being its parents
 * @param backToSource the peer asks to go to the origin at once
 * @param deadlineMillis the request fails after this stream time; 0 for none
 * @param job the job's requirements for a worker-pool request, else null (a download)
 */
public record RoundRequest(
    String requestId,
    String taskId,
    String peerId,
    String hostId,
    Set<String> blocklist,
    boolean reschedule,
    boolean backToSource,
    long deadlineMillis,
    JobRequirements job) {

  public RoundRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(taskId, "taskId");
    peerId = peerId == null ? "" : peerId;
    Objects.requireNonNull(hostId, "hostId");
    blocklist = blocklist == null ? Set.of() : Set.copyOf(blocklist);
  }

  public boolean isJob() {
    return job != null;
  }
}
