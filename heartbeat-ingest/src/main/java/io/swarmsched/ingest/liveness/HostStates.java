package io.swarmsched.ingest.liveness;

import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import java.time.Instant;
import java.util.ArrayList;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/** Folding heartbeats into host state, and the liveness transitions a patrol makes. */
public final class HostStates {
  private HostStates() {}

  private static final Schema SCHEMA = HostState.getClassSchema();
  private static final int LAST_SEQUENCE = SCHEMA.getField("last_sequence").pos();
  private static final int LAST_SEEN = SCHEMA.getField("last_seen").pos();

  /**
   * True when {@code next} says something about the host that {@code prior} does not: any field but
   * {@code last_sequence} and {@code last_seen}, which every heartbeat moves. Field by field over
   * the schema, so a field added to HostState later counts as one readers use without anyone having
   * to remember this method. A null {@code prior} (a host not known) always differs.
   */
  public static boolean differsBeyondRecency(HostState prior, HostState next) {
    if (prior == null) {
      return true;
    }
    for (Schema.Field f : SCHEMA.getFields()) {
      int pos = f.pos();
      if (pos == LAST_SEQUENCE || pos == LAST_SEEN) {
        continue;
      }
      if (!FieldEquality.INSTANCE.same(prior.get(pos), next.get(pos), f.schema())) {
        return true;
      }
    }
    return false;
  }

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

  /**
   * Avro's own equality of two values of a schema (what generated {@code equals} uses: strings of
   * any CharSequence class, lists of any List class, nested records, maps), reachable only from a
   * subclass.
   */
  private static final class FieldEquality extends SpecificData {
    static final FieldEquality INSTANCE = new FieldEquality();

    boolean same(Object a, Object b, Schema schema) {
      return compare(a, b, schema, true) == 0;
    }
  }

  /** The state with another liveness, changed at {@code now}. */
  public static HostState withLiveness(HostState state, Liveness liveness, Instant now) {
    return HostState.newBuilder(state).setLiveness(liveness).setLivenessChangedAt(now).build();
  }
}
