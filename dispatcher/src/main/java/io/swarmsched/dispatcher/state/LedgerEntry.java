package io.swarmsched.dispatcher.state;

import java.util.ArrayList;
import java.util.List;

/**
 * Optimistic allocation for one host: when the dispatcher gave it children (uploads) or jobs, so
 * that the ones newer than its last score (or heartbeat) count as load not yet reported.
 */
public final class LedgerEntry {
  static final int MAX_ENTRIES = 4_096;

  public String hostId;
  public List<Long> uploadTimes = new ArrayList<>();

  public LedgerEntry() {}

  public LedgerEntry(String hostId) {
    this.hostId = hostId;
  }

  /**
   * Records an allocation at {@code now}, forgetting those at or before {@code seenUpTo} (already
   * reported).
   */
  public static void record(List<Long> times, long now, long seenUpTo) {
    times.removeIf(t -> t < seenUpTo);
    times.add(now);
    if (times.size() > MAX_ENTRIES) times.remove(0);
  }
}
