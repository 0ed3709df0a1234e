package io.swarmsched.scheduling.resource;

import java.util.Objects;
import java.util.Set;

/**
 * What the scheduler knows about a host (from {@code swarm.hosts}): identity, role, placement,
 * liveness, capacity and load. Immutable; the dispatcher builds one from a HostState record.
 *
 * @param lastSeenMillis timestamp of the last accepted heartbeat (the "as of" of {@link #load()})
 * @param quarantined set by the dispatcher's patrol when the host's upload failure rate stays high:
 *     no new children
 */
public record HostView(
    String hostId,
    String pieceServerAddress,
    HostType type,
    String idc,
    String location,
    Set<String> tags,
    Liveness liveness,
    boolean disableShared,
    HostCapacity capacity,
    HostLoad load,
    long lastSeenMillis,
    boolean quarantined) {

  public HostView {
    Objects.requireNonNull(hostId, "hostId");
    pieceServerAddress = pieceServerAddress == null ? "" : pieceServerAddress;
    type = type == null ? HostType.NORMAL : type;
    idc = idc == null ? "" : idc;
    location = location == null ? "" : location;
    tags = tags == null ? Set.of() : Set.copyOf(tags);
    liveness = liveness == null ? Liveness.ONLINE : liveness;
    capacity = capacity == null ? HostCapacity.UNKNOWN : capacity;
    load = load == null ? HostLoad.IDLE : load;
  }

  /** A host the scheduler has no record of: unknown placement, capacity and load. */
  public static HostView unknown(String hostId) {
    return new HostView(
        hostId,
        "",
        HostType.NORMAL,
        "",
        "",
        Set.of(),
        Liveness.OFFLINE,
        false,
        HostCapacity.UNKNOWN,
        HostLoad.IDLE,
        0L,
        false);
  }

  /** A minimal online host, handy for tests and simulations. */
  public static HostView online(
      String hostId,
      HostType type,
      String idc,
      String location,
      HostCapacity capacity,
      HostLoad load) {
    return new HostView(
        hostId,
        hostId + ":65000",
        type,
        idc,
        location,
        Set.of(),
        Liveness.ONLINE,
        false,
        capacity,
        load,
        0L,
        false);
  }

  public boolean isSeed() {
    return type.isSeed();
  }

  public boolean isOnline() {
    return liveness == Liveness.ONLINE;
  }

  public HostView withLiveness(Liveness l) {
    return new HostView(
        hostId,
        pieceServerAddress,
        type,
        idc,
        location,
        tags,
        l,
        disableShared,
        capacity,
        load,
        lastSeenMillis,
        quarantined);
  }

  public HostView withLoad(HostLoad l, long seenAtMillis) {
    return new HostView(
        hostId,
        pieceServerAddress,
        type,
        idc,
        location,
        tags,
        liveness,
        disableShared,
        capacity,
        l,
        seenAtMillis,
        quarantined);
  }

  public HostView withDisableShared(boolean disabled) {
    return new HostView(
        hostId,
        pieceServerAddress,
        type,
        idc,
        location,
        tags,
        liveness,
        disabled,
        capacity,
        load,
        lastSeenMillis,
        quarantined);
  }

  public HostView withTags(Set<String> t) {
    return new HostView(
        hostId,
        pieceServerAddress,
        type,
        idc,
        location,
        t,
        liveness,
        disableShared,
        capacity,
        load,
        lastSeenMillis,
        quarantined);
  }

  public HostView withQuarantined(boolean q) {
    return new HostView(
        hostId,
        pieceServerAddress,
        type,
        idc,
        location,
        tags,
        liveness,
        disableShared,
        capacity,
        load,
        lastSeenMillis,
        q);
  }
}
