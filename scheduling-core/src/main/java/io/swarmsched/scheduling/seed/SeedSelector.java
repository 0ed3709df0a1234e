package io.swarmsched.scheduling.seed;

import io.swarmsched.scheduling.resource.HostView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Picks the seed to trigger for a task nobody holds yet (docs/design.md, "Back to source, seeds,
 * retries"): a consistent hash of the task id over the online seeds, skipping seeds that failed
 * this task within the failure window. Empty when no usable seed exists — the requester then goes
 * back to source.
 *
 * <p>Keeps the last ring it built and reuses it while the set of seeds is the same (building one
 * hashes seeds × virtual nodes points and sorts them: milliseconds with 100 seeds, on every first
 * download). Not thread-safe: one selector per stream thread.
 */
public final class SeedSelector {

  private final int virtualNodes;
  private Set<String> ringSeeds = Set.of();
  private SeedRing ring;
  private int ringsBuilt;

  public SeedSelector(int virtualNodes) {
    if (virtualNodes < 1) {
      throw new IllegalArgumentException("virtualNodes must be >= 1, was " + virtualNodes);
    }
    this.virtualNodes = virtualNodes;
  }

  public SeedSelector() {
    this(SeedRing.DEFAULT_VIRTUAL_NODES);
  }

  /** The ids of the online, non-quarantined seed hosts among {@code hosts}. */
  public static List<String> onlineSeeds(Collection<HostView> hosts) {
    List<String> out = new ArrayList<>();
    for (HostView h : hosts) {
      if (h.isSeed() && h.isOnline() && !h.quarantined()) {
        out.add(h.hostId());
      }
    }
    return out;
  }

  public Optional<String> choose(
      String taskId, Collection<String> onlineSeedHostIds, SeedFailures failures, long nowMillis) {
    for (String seed : ring(onlineSeedHostIds).preference(taskId)) {
      if (!failures.recentlyFailed(taskId, seed, nowMillis)) {
        return Optional.of(seed);
      }
    }
    return Optional.empty();
  }

  /** The ring over exactly these seeds: the last one built when the set is unchanged. */
  SeedRing ring(Collection<String> seeds) {
    Set<String> set = new HashSet<>(seeds);
    if (ring == null || !set.equals(ringSeeds)) {
      ring = SeedRing.of(set, virtualNodes);
      ringSeeds = set;
      ringsBuilt++;
    }
    return ring;
  }

  /** Rings built so far (for tests of the reuse). */
  int ringsBuilt() {
    return ringsBuilt;
  }
}
