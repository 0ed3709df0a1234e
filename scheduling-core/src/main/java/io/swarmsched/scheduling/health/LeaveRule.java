package io.swarmsched.scheduling.health;

import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import java.util.function.Predicate;

/**
 * When the patrol makes a peer leave its task (docs/design.md, "Liveness and abnormal peers"): its
 * host went OFFLINE, or it has not finished and shows no progress for longer than the idle timeout
 * while no request of its own is waiting for a retry (a peer waiting for parents is not idle). Pure
 * and thread-safe.
 */
public final class LeaveRule {
  public static final String HOST_OFFLINE = "HOST_OFFLINE";
  public static final String NO_PROGRESS = "NO_PROGRESS";

  private final long idleTimeoutMillis;

  public LeaveRule(long idleTimeoutMillis) {
    if (idleTimeoutMillis < 0) {
      throw new IllegalArgumentException(
          "idleTimeoutMillis must be >= 0, was " + idleTimeoutMillis);
    }
    this.idleTimeoutMillis = idleTimeoutMillis;
  }

  /**
   * Why {@code peer} leaves at {@code nowMillis} ({@link #HOST_OFFLINE}, {@link #NO_PROGRESS}), or
   * null when it stays. {@code host} is the peer's host, null when unknown; {@code awaitingRetry}
   * is asked only about a peer that would otherwise leave for want of progress, so a caller may
   * compute it lazily.
   */
  public String reason(Peer peer, HostView host, long nowMillis, Predicate<String> awaitingRetry) {
    if (host != null && host.liveness() == Liveness.OFFLINE) {
      return HOST_OFFLINE;
    }
    if (canStall(peer)
        && nowMillis - peer.lastProgressMillis() > idleTimeoutMillis
        && !awaitingRetry.test(peer.peerId())) {
      return NO_PROGRESS;
    }
    return null;
  }

  /** A peer that has not finished, failed or left: one that can stall. */
  public static boolean canStall(Peer p) {
    return p.state() == PeerState.PENDING
        || p.state() == PeerState.RUNNING
        || p.state() == PeerState.BACK_TO_SOURCE;
  }
}
