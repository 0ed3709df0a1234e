package io.swarmsched.scheduling.ledger;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Allocations per host, by stream time: "an edge / a job was placed on host H at time t", one
 * {@link HostAllocations} per host. Counted until newer load information covers them. Reads never
 * mutate. Not thread-safe.
 */
public final class AllocationLog implements OptimisticLedger.AllocationCounts {

  private final Map<String, HostAllocations> byHost = new HashMap<>();

  private long size;

  public void record(String hostId, long atMillis) {
    byHost.computeIfAbsent(hostId, h -> new HostAllocations()).record(atMillis);
    size++;
  }

  /** Allocations on {@code hostId} made at or after {@code sinceMillis}. */
  @Override
  public int since(String hostId, long sinceMillis) {
    HostAllocations h = byHost.get(hostId);
    return h == null ? 0 : h.since(sinceMillis);
  }

  /** Forgets {@code hostId}'s allocations made before {@code millis}. */
  public void expire(String hostId, long millis) {
    HostAllocations h = byHost.get(hostId);
    if (h == null) {
      return;
    }
    size -= h.size();
    h.expireBefore(millis);
    size += h.size();
    if (h.isEmpty()) {
      byHost.remove(hostId);
    }
  }

  /** Forgets every allocation made before {@code millis}. */
  public void expireAll(long millis) {
    Iterator<Map.Entry<String, HostAllocations>> it = byHost.entrySet().iterator();
    while (it.hasNext()) {
      HostAllocations h = it.next().getValue();
      size -= h.size();
      h.expireBefore(millis);
      size += h.size();
      if (h.isEmpty()) {
        it.remove();
      }
    }
  }

  public long size() {
    return size;
  }

  public int hosts() {
    return byHost.size();
  }
}
