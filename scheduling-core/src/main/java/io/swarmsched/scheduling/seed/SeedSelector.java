package io.swarmsched.scheduling.seed;

import io.swarmsched.scheduling.resource.HostView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Picks the seed to trigger for a task nobody holds yet (DESIGN.md, "Back to source, seeds, retries"): a
 * consistent hash of the task id over the online seeds, skipping seeds that failed this task within the failure
 * window. Empty when no usable seed exists — the requester then goes back to source.
 */
public final class SeedSelector {

    private final int virtualNodes;

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

    public Optional<String> choose(String taskId, Collection<String> onlineSeedHostIds, SeedFailures failures,
                                   long nowMillis) {
        for (String seed : SeedRing.of(onlineSeedHostIds, virtualNodes).preference(taskId)) {
            if (!failures.recentlyFailed(taskId, seed, nowMillis)) {
                return Optional.of(seed);
            }
        }
        return Optional.empty();
    }
}
