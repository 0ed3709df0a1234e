package io.swarmsched.scheduling;

import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Peer;

/**
 * A peer considered as a parent, with its host resolved once.
 *
 * @param hostKnown false when the host lookup had no record (then {@code host} is {@link
 *     HostView#unknown})
 */
public record Candidate(Peer peer, HostView host, boolean hostKnown) {

  public String peerId() {
    return peer.peerId();
  }

  public String hostId() {
    return peer.hostId();
  }
}
