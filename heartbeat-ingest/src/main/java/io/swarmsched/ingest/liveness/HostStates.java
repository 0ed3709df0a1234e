package io.swarmsched.ingest.liveness;

import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import java.time.Instant;
import java.util.ArrayList;

/** Folding heartbeats into host state, and the liveness transitions a patrol makes. */
public final class HostStates {
  private HostStates() {}

  /**
   * The host's state after an accepted heartbeat: its identity, capacities and load replaced by the
   * heartbeat's, ONLINE again.
   *
   * @param prior the state before, or null for a host not seen before
   * @param now when the heartbeat was processed; becomes liveness_changed_at when the host comes
   *     (back) online. last_seen is never later than {@code now}: a timestamp ahead of the
   *     receiver's clock (within the accepted skew) must not become the newest state, or the host's
   *     next real heartbeats would look older than it and be dropped (issue 18)
   */
  public static HostState apply(HostHeartbeat hb, HostState prior, Instant now) {
    boolean wasOnline = prior != null && prior.getLiveness() == Liveness.ONLINE;
    return HostState.newBuilder()
        .setHostId(hb.getHostId())
        .setHostname(hb.getHostname())
        .setIp(hb.getIp())
        .setPieceServerAddress(hb.getPieceServerAddress())
        .setType(hb.getType())
        .setIdc(hb.getIdc())
        .setLocation(hb.getLocation())
        .setTags(new ArrayList<>(hb.getTags()))
        .setDisableShared(hb.getDisableShared())
        .setCapacity(hb.getCapacity())
        .setLoad(hb.getLoad())
        .setLastSequence(hb.getSequence())
        .setLastSeen(hb.getTimestamp().isAfter(now) ? now : hb.getTimestamp())
        .setFirstSeen(prior == null ? hb.getTimestamp() : prior.getFirstSeen())
        .setLiveness(Liveness.ONLINE)
        .setLivenessChangedAt(wasOnline ? prior.getLivenessChangedAt() : now)
        .setAgentVersion(hb.getAgentVersion())
        .build();
  }

  /** The state with another liveness, changed at {@code now}. */
  public static HostState withLiveness(HostState state, Liveness liveness, Instant now) {
    return HostState.newBuilder(state).setLiveness(liveness).setLivenessChangedAt(now).build();
  }
}
