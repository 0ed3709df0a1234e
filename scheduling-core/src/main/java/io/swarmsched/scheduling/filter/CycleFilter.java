package io.swarmsched.scheduling.filter;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import java.util.Optional;

/**
 * Rule 5: the edge candidate → requester would close a cycle in the task's DAG, i.e. the candidate
 * already downloads (directly or not) from the requester, and its {@link CycleRule} does not let it
 * through all the same.
 */
public final class CycleFilter implements CandidateFilter {

  public static final String NAME = "dag-cycle";

  private final CycleRule rule;

  /** With {@link CycleRule#STRICT}. */
  public CycleFilter() {
    this(CycleRule.STRICT);
  }

  public CycleFilter(CycleRule rule) {
    this.rule = java.util.Objects.requireNonNull(rule, "rule");
  }

  public CycleRule rule() {
    return rule;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<Drop> check(SelectionContext ctx, Candidate c) {
    // the rule's piece count first when it decides alone: a compare instead of a DAG walk, and
    // the same drops (both tests are pure functions of the request)
    if (rule != CycleRule.OFF
        && !rule.allowsWithoutTheDag(ctx, c)
        && ctx.downloadsFromRequester(c.peerId())
        && !rule.allows(ctx, c)) {
      return drop(c, DropReason.WOULD_CYCLE, "downloads from the requester already");
    }
    return Optional.empty();
  }
}
