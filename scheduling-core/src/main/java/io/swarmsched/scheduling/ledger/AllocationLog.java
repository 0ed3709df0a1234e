package io.swarmsched.scheduling.ledger;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Allocations per host, by stream time: "an edge / a job was placed on host H at time t". Counted
 * until newer load information covers them. Reads never mutate. Not thread-safe.
 */
public final class AllocationLog implements OptimisticLedger.AllocationCounts {

  /** host id → (allocation time → count). */
  private final Map<String, NavigableMap<Long, Integer>> byHost = new HashMap<>();

  private long size;

  public void record(String hostId, long atMillis) {
    byHost.computeIfAbsent(hostId, h -> new TreeMap<>()).merge(atMillis, 1, Integer::sum);
    size++;
  }

  /** Allocations on {@code hostId} made at or after {@code sinceMillis}. */
  @Override
  public int since(String hostId, long sinceMillis) {
    NavigableMap<Long, Integer> m = byHost.get(hostId);
    if (m == null) {
      return 0;
    }
    int n = 0;
    for (int c : m.tailMap(sinceMillis, true).values()) {
      n += c;
    }
    return n;
  }

  /** Forgets {@code hostId}'s allocations made before {@code millis}. */
  public void expire(String hostId, long millis) {
    NavigableMap<Long, Integer> m = byHost.get(hostId);
    if (m == null) {
      return;
    }
    dropHead(m, millis);
    if (m.isEmpty()) {
      byHost.remove(hostId);
    }
  }

  /** Forgets every allocation made before {@code millis}. */
  public void expireAll(long millis) {
    Iterator<Map.Entry<String, NavigableMap<Long, Integer>>> it = byHost.entrySet().iterator();
    while (it.hasNext()) {
      NavigableMap<Long, Integer> m = it.next().getValue();
      dropHead(m, millis);
      if (m.isEmpty()) {
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

  private void dropHead(NavigableMap<Long, Integer> m, long millis) {
    NavigableMap<Long, Integer> old = m.headMap(millis, false);
    for (int c : old.values()) {
      size -= c;
    }
    old.clear();
  }
}
