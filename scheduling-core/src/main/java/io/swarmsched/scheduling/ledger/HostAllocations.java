package io.swarmsched.scheduling.ledger;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One host's allocations by stream time ("a child / a job was placed on this host at t"), counted
 * until newer load information covers them: the per-host part of an {@link AllocationLog}, and what
 * the dispatcher stores per host. Reads never mutate. Not thread-safe.
 */
public final class HostAllocations {

  /** Allocation time → count. */
  private final NavigableMap<Long, Integer> byTime = new TreeMap<>();

  private long size;

  public void record(long atMillis) {
    record(atMillis, 1);
  }

  /** Records {@code count} allocations made at {@code atMillis} (restoring stored ones). */
  public void record(long atMillis, int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, was " + count);
    }
    byTime.merge(atMillis, count, Integer::sum);
    size += count;
  }

  /** Allocations made at or after {@code sinceMillis}. */
  public int since(long sinceMillis) {
    if (byTime.isEmpty()) {
      return 0;
    }
    if (byTime.firstKey() >= sinceMillis) {
      // the common case: every allocation held is recent enough (the ledger forgets older ones at
      // each allocation), so no walk and no view of the map
      return (int) Math.min(Integer.MAX_VALUE, size);
    }
    int n = 0;
    for (int c : byTime.tailMap(sinceMillis, true).values()) {
      n += c;
    }
    return n;
  }

  /** Forgets the allocations made before {@code millis} (the host's report now covers them). */
  public void expireBefore(long millis) {
    NavigableMap<Long, Integer> old = byTime.headMap(millis, false);
    for (int c : old.values()) {
      size -= c;
    }
    old.clear();
  }

  /** Forgets the oldest allocations until at most {@code max} are left (a memory bound). */
  public void keepNewest(long max) {
    while (size > max) {
      var oldest = byTime.firstEntry();
      long drop = Math.min(oldest.getValue(), size - max);
      if (drop == oldest.getValue()) {
        byTime.pollFirstEntry();
      } else {
        byTime.put(oldest.getKey(), (int) (oldest.getValue() - drop));
      }
      size -= drop;
    }
  }

  public long size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Allocation time → count, oldest first (read-only). */
  public NavigableMap<Long, Integer> byTime() {
    return Collections.unmodifiableNavigableMap(byTime);
  }
}
