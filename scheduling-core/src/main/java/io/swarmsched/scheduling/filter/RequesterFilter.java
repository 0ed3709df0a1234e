package io.swarmsched.scheduling.filter;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import java.util.Optional;

/** Rule 1: the candidate is the requester, runs on the requester's host, or is on its blocklist. */
public final class RequesterFilter implements CandidateFilter {

  public static final String NAME = "requester";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<Drop> check(SelectionContext ctx, Candidate c) {
    if (c.peerId().equals(ctx.requester().peerId())) {
      return drop(c, DropReason.SAME_PEER, "the requester itself");
    }
    if (c.hostId().equals(ctx.requester().hostId())) {
      return drop(c, DropReason.SAME_HOST, "runs on the requester's host " + c.hostId());
    }
    if (ctx.blocklist().contains(c.peerId())) {
      return drop(c, DropReason.BLOCKLISTED, "on the requester's blocklist");
    }
    return Optional.empty();
  }
}
