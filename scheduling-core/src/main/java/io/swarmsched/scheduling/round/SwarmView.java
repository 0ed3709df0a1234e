package io.swarmsched.scheduling.round;

import io.swarmsched.scheduling.ledger.OptimisticLedger.AllocationCounts;
import io.swarmsched.scheduling.resource.HostLookup;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.ScoreLookup;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The hosts as a round sees them at one instant: host views (with their quarantine flags set),
 * published scores, the online super seeds and the workers (each read only by the rounds that need
 * them), and the allocations made since each host's last report.
 *
 * @param onlineSeeds ids of the ONLINE super-seed hosts, in a stable order
 * @param workers hosts that take jobs, quarantine flags set
 * @param quarantined whether a host is quarantined now
 * @param uploads children given to a host since a time (optimistic upload allocation)
 * @param jobs jobs placed on a host since a time
 */
public record SwarmView(
    HostLookup hosts,
    ScoreLookup scores,
    Supplier<List<String>> onlineSeeds,
    Supplier<? extends Collection<HostView>> workers,
    Predicate<String> quarantined,
    AllocationCounts uploads,
    AllocationCounts jobs) {

  public SwarmView {
    Objects.requireNonNull(hosts, "hosts");
    Objects.requireNonNull(scores, "scores");
    Objects.requireNonNull(onlineSeeds, "onlineSeeds");
    Objects.requireNonNull(workers, "workers");
    Objects.requireNonNull(quarantined, "quarantined");
    Objects.requireNonNull(uploads, "uploads");
    Objects.requireNonNull(jobs, "jobs");
  }
}
