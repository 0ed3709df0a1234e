package io.swarmsched.scheduling.filter;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import java.util.Optional;

/**
 * One named candidate rule: keeps a candidate (empty) or says why it is dropped. Must be
 * deterministic.
 */
public interface CandidateFilter {

  /** A stable name, recorded in each drop. */
  String name();

  Optional<Drop> check(SelectionContext ctx, Candidate candidate);

  default Optional<Drop> drop(Candidate c, DropReason reason, String detail) {
    return Optional.of(new Drop(c.peerId(), c.hostId(), name(), reason, detail));
  }
}
