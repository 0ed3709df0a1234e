package io.swarmsched.replay;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The figures of one side of a what-if (the recorded or the replayed decisions): terminal decisions
 * once per request, seed triggers once each.
 */
public record Side(
    String label,
    String policyId,
    int decisions,
    Map<String, Long> byOutcome,
    Map<String, Long> byReason,
    Map<String, Long> parentSlotsByHost,
    long parentSlots,
    double maxHostShare,
    double jainFairness,
    long seedParentSlots,
    long seedTriggers,
    long backToSource,
    long originFetches,
    Map<String, Double> predicted) {

  /** Counts decisions as they come, holding none of them. */
  static final class Tally {
    private final String label;
    private final Map<String, HostState> hosts;
    private final SeenIds requests = new SeenIds();
    private final Set<String> seeds = new HashSet<>();
    private final Map<String, Long> byOutcome = new TreeMap<>();
    private final Map<String, Long> byReason = new TreeMap<>();
    private final Map<String, Long> slots = new TreeMap<>();
    private int terminal;
    private long parentSlots;
    private long seedSlots;
    private long backToSource;

    Tally(String label, Map<String, HostState> hosts) {
      this.label = label;
      this.hosts = hosts;
    }

    /** Takes any decision; true when it is the first terminal one of its request. */
    boolean add(ScheduleDecision d) {
      if (d.getOutcome() == DecisionOutcome.SEED_TRIGGER) {
        seeds.add(d.getDecisionId());
        return false;
      }
      if (d.getRequestId().isEmpty() || !requests.add(d.getRequestId())) {
        return false; // no request to count it under, or the same decision sent again
      }
      terminal++;
      byOutcome.merge(d.getOutcome().name(), 1L, Long::sum);
      byReason.merge(
          d.getOutcome().name() + " " + Objects.toString(d.getReason(), "-"), 1L, Long::sum);
      if (d.getOutcome() == DecisionOutcome.BACK_TO_SOURCE) backToSource++;
      for (ParentCandidate p : d.getParents()) {
        slots.merge(p.getHostId(), 1L, Long::sum);
        parentSlots++;
        HostState h = hosts.get(p.getHostId());
        if (h != null && h.getType() == HostType.SUPER_SEED) seedSlots++;
      }
      return true;
    }

    Side side(String policyId) {
      Map<String, Long> outcomes = new TreeMap<>(byOutcome);
      if (!seeds.isEmpty()) outcomes.put(DecisionOutcome.SEED_TRIGGER.name(), (long) seeds.size());
      double max = 0;
      double sum = 0;
      double sumSq = 0;
      for (long n : slots.values()) {
        max = Math.max(max, n);
        sum += n;
        sumSq += (double) n * n;
      }
      return new Side(
          label,
          policyId,
          terminal,
          outcomes,
          new TreeMap<>(byReason),
          new TreeMap<>(slots),
          parentSlots,
          parentSlots == 0 ? 0 : max / parentSlots,
          slots.isEmpty() ? 1 : (sum * sum) / (slots.size() * sumSq),
          seedSlots,
          seeds.size(),
          backToSource,
          backToSource + seeds.size(), // each back-to-source peer and triggered seed hits origin
          new LinkedHashMap<>());
    }
  }
}
