package io.swarmsched.scheduling.round;

import io.swarmsched.scheduling.ledger.OptimisticLedger.AllocationCounts;
import io.swarmsched.scheduling.resource.HostLookup;
import io.swarmsched.scheduling.resource.ScoreLookup;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The hosts as a round sees them at one instant: host views (with their quarantine flags set),
 * published scores, the online super seeds (read only by the rounds that need them), and the
 * uploads allocated since each host's last report.
 *
 * @param onlineSeeds ids of the ONLINE super-seed hosts, in a stable order
 * @param quarantined whether a host is quarantined now
 * @param uploads children given to a host since a time (optimistic upload allocation)
 */
public record SwarmView(
    HostLookup hosts,
    ScoreLookup scores,
    Supplier<List<String>> onlineSeeds,
    Predicate<String> quarantined,
    AllocationCounts uploads) {

  public SwarmView {
    Objects.requireNonNull(hosts, "hosts");
    Objects.requireNonNull(scores, "scores");
    Objects.requireNonNull(onlineSeeds, "onlineSeeds");
    Objects.requireNonNull(quarantined, "quarantined");
    Objects.requireNonNull(uploads, "uploads");
  }
}
