package io.swarmsched.scheduling.round;

import java.util.Objects;
import java.util.Set;

/**
 * One download's schedule request as a round sees it (the dispatcher has validated it already; a
 * job request goes to the job pool, never to a round).
 *
 * @param peerId the requesting peer
 * @param hostId the requester's host
 * @param blocklist parent peer ids not to choose
 * @param reschedule the peer asks again: its blocklisted parents stop being its parents
 * @param backToSource the peer asks to go to the origin at once
 * @param deadlineMillis the request fails after this stream time; 0 for none
 */
public record RoundRequest(
    String requestId,
    String taskId,
    String peerId,
    String hostId,
    Set<String> blocklist,
    boolean reschedule,
    boolean backToSource,
    long deadlineMillis) {

  public RoundRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(peerId, "peerId");
    Objects.requireNonNull(hostId, "hostId");
    blocklist = blocklist == null ? Set.of() : Set.copyOf(blocklist);
  }
}
