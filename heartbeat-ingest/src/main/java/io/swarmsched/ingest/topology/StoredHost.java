package io.swarmsched.ingest.topology;

import io.swarmsched.schemas.HostState;

/**
 * What {@link IngestTopology#HOST_STORE} holds per host: its last accepted state and when ingest
 * last accepted a heartbeat from it (wall-clock millis, ingest's own clock), in one value, so that
 * an accepted heartbeat is one store write and one changelog record (issue 17; the heard time used
 * to be a second store, {@code ingest-last-heard}, with a changelog of its own).
 *
 * @param state the host's last accepted state, exactly as published
 * @param heardMs when ingest last accepted a heartbeat from the host, or {@link #HEARD_UNKNOWN} for
 *     a value written before the heard time was kept here
 */
public record StoredHost(HostState state, long heardMs) {
  /** The heard time of a value written by a version that kept it in a store of its own. */
  public static final long HEARD_UNKNOWN = Long.MIN_VALUE;

  public StoredHost {
    if (state == null) {
      throw new IllegalArgumentException("a stored host needs a state");
    }
  }

  /**
   * When to count the host as last heard from: the stored time, or, for a value without one, the
   * later of its {@code last_seen} (its heartbeat's timestamp, never later than ingest's clock when
   * accepted) and its last liveness change, so that a host restored from an older version's
   * changelog is not taken for silent since it came online.
   */
  public long heardOrEstimate() {
    if (heardMs != HEARD_UNKNOWN) {
      return heardMs;
    }
    long changed = state.getLivenessChangedAt().toEpochMilli();
    return state.getLastSeen() == null
        ? changed
        : Math.max(changed, state.getLastSeen().toEpochMilli());
  }
}
