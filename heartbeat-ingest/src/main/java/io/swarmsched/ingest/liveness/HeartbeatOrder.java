package io.swarmsched.ingest.liveness;

import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostState;

/**
 * Where a heartbeat stands against the newest one already accepted for its host.
 *
 * <p>Heartbeats are ordered by sequence, then timestamp. One exception: a lower sequence with a
 * strictly newer timestamp is a restarted agent (sequences start again with each process), and is
 * accepted as newer; otherwise a restarted agent would be ignored until it had caught up with its
 * previous process's sequence.
 */
public enum HeartbeatOrder {
  /** Newer than what is known: accepted. */
  NEWER,
  /** Same sequence and timestamp as the last accepted one: changes nothing. */
  DUPLICATE,
  /** Older than what is known: dropped and counted. */
  STALE;

  public static HeartbeatOrder of(HostHeartbeat heartbeat, HostState known) {
    if (known == null) {
      return NEWER;
    }
    long seq = heartbeat.getSequence();
    long lastSeq = known.getLastSequence();
    long ts = heartbeat.getTimestamp().toEpochMilli();
    long lastTs = known.getLastSeen().toEpochMilli();
    if (seq > lastSeq) {
      return NEWER;
    }
    if (seq == lastSeq) {
      if (ts == lastTs) {
        return DUPLICATE;
      }
      return ts > lastTs ? NEWER : STALE;
    }
    return ts > lastTs ? NEWER : STALE;
  }
}
