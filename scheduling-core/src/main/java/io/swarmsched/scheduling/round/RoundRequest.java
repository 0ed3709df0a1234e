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
 * @param unasked a round the dispatcher runs for a peer that did not ask (a fresh decision when a
 *     parent is lost): the agent has no download waiting for its answer, so no rule that only the
 *     asking agent can act on (the copy-lost rule's BACK_TO_SOURCE) applies
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
    boolean unasked) {

  /** A request the peer's agent made. */
  public RoundRequest(
      String requestId,
      String taskId,
      String peerId,
      String hostId,
      Set<String> blocklist,
      boolean reschedule,
      boolean backToSource,
      long deadlineMillis) {
    this(
        requestId,
        taskId,
        peerId,
        hostId,
        blocklist,
        reschedule,
        backToSource,
        deadlineMillis,
        false);
  }

  public RoundRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(peerId, "peerId");
    Objects.requireNonNull(hostId, "hostId");
    blocklist = blocklist == null ? Set.of() : Set.copyOf(blocklist);
  }
}
