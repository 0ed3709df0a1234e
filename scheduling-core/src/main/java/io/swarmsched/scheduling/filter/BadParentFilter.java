package io.swarmsched.scheduling.filter;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scheduling.stats.BadParentRule;
import java.util.Objects;
import java.util.Optional;

/** Rule 4: the candidate's own piece costs say it is a bad parent ({@link BadParentRule}). */
public final class BadParentFilter implements CandidateFilter {

  public static final String NAME = "bad-parent";

  private final BadParentRule rule;

  public BadParentFilter(BadParentRule rule) {
    this.rule = Objects.requireNonNull(rule, "rule");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<Drop> check(SelectionContext ctx, Candidate c) {
    if (rule.isBad(c.peer().pieceCosts())) {
      return drop(c, DropReason.BAD_PARENT, rule.explain(c.peer().pieceCosts()));
    }
    return Optional.empty();
  }
}
