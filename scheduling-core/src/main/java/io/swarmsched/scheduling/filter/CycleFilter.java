package io.swarmsched.scheduling.filter;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import java.util.Optional;

/**
 * Rule 5: the edge candidate → requester would close a cycle in the task's DAG, i.e. the candidate
 * already downloads (directly or not) from the requester.
 */
public final class CycleFilter implements CandidateFilter {

  public static final String NAME = "dag-cycle";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<Drop> check(SelectionContext ctx, Candidate c) {
    if (ctx.downloadsFromRequester(c.peerId())) {
      return drop(c, DropReason.WOULD_CYCLE, "downloads from the requester already");
    }
    return Optional.empty();
  }
}
