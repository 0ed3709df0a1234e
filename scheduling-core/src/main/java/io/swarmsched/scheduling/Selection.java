package io.swarmsched.scheduling;

import io.swarmsched.scheduling.filter.Drop;
import io.swarmsched.scheduling.filter.DropReason;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The result of stage 1 for one request: the ranked parents (best first, at most N) with their
 * score breakdowns, and every dropped candidate with the filter and reason (sorted by peer id).
 *
 * @param candidates how many peers of the task were considered (the requester excluded)
 */
public record Selection(
    String policyId,
    String requestId,
    String taskId,
    String peerId,
    List<RankedParent> parents,
    List<Drop> drops,
    int candidates) {

  public Selection {
    parents = List.copyOf(parents);
    drops = List.copyOf(drops);
  }

  /** No candidate survived the filters: the dispatcher retries (see {@code RetryPolicy}). */
  public boolean isEmpty() {
    return parents.isEmpty();
  }

  public List<String> parentPeerIds() {
    return parents.stream().map(RankedParent::peerId).toList();
  }

  /** Drops counted per reason, in the reasons' declaration order. */
  public Map<DropReason, Long> dropCounts() {
    return drops.stream()
        .collect(
            Collectors.groupingBy(
                Drop::reason, () -> new EnumMap<>(DropReason.class), Collectors.counting()));
  }

  /**
   * One line for a decision's reason, e.g. {@code "0 of 3 candidates left: HOST_NOT_ONLINE=2,
   * BAD_PARENT=1"}.
   */
  public String summary() {
    String counts =
        dropCounts().entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(", "));
    return parents.size()
        + " of "
        + candidates
        + " candidates chosen"
        + (counts.isEmpty() ? "" : "; dropped: " + counts);
  }
}
