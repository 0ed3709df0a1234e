package io.swarmsched.scheduling.filter;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scheduling.resource.PeerState;
import java.util.Optional;

/**
 * Rule 3: the candidate is not RUNNING, BACK_TO_SOURCE or SUCCEEDED, or is a normal (non-seed) peer
 * that has no parent and is neither back-to-source nor finished — it has nothing to give.
 */
public final class PeerStateFilter implements CandidateFilter {

  public static final String NAME = "peer-state";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<Drop> check(SelectionContext ctx, Candidate c) {
    PeerState s = c.peer().state();
    if (!s.canServe()) {
      return drop(c, DropReason.STATE_CANNOT_SERVE, "state " + s);
    }
    if (!c.host().isSeed()
        && s == PeerState.RUNNING
        && ctx.task().dag().inDegree(c.peerId()) == 0) {
      return drop(c, DropReason.NOTHING_TO_GIVE, "normal peer RUNNING without a parent");
    }
    return Optional.empty();
  }
}
