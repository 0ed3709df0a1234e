package io.swarmsched.scheduling.round;

import io.swarmsched.scheduling.RankedParent;
import java.util.List;
import java.util.Objects;

/**
 * What one scheduling round decided for a request. {@link Terminal} outcomes end the request (it
 * gets exactly one); {@link RetryAt} and {@link SeedTrigger} keep it waiting for another round.
 */
public sealed interface RoundOutcome {

  String NEED_BACK_TO_SOURCE = "NEED_BACK_TO_SOURCE";

  /** A round for a peer that has already finished its download: nothing to decide. */
  String PEER_FINISHED = "PEER_FINISHED";

  String NO_SEED = "NO_SEED";

  /**
   * Peers hold parts of the task but none holds or reads the whole (its seed left before anyone
   * finished): the requester reads what it lacks from the origin (SchedulingRound's copy-lost
   * rule).
   */
  String COPY_LOST = "COPY_LOST";

  /**
   * A peer the dispatcher already sent to the origin asks for parents (its agent missed that
   * answer): it is told again.
   */
  String ALREADY_SOURCE = "ALREADY_BACK_TO_SOURCE";

  /**
   * A request for more parents from a peer that has some found none now: it keeps its parents and
   * its state, and asks again while it wants more (no retries, never back to source for this).
   */
  String NO_MORE_PARENTS = "NO_MORE_PARENTS";

  String WAITING_FOR_SEED = "WAITING_FOR_SEED";
  String FIRST_DOWNLOAD = "FIRST_DOWNLOAD";

  /** The request's one final answer; {@code attempt} is the round that gave it. */
  sealed interface Terminal extends RoundOutcome {
    int attempt();
  }

  /**
   * Parents chosen, best first, and already made the requester's in-edges in the task's DAG (its
   * former in-edges replaced). The caller records one upload allocation per parent.
   */
  record Parents(List<RankedParent> parents, int attempt) implements Terminal {
    public Parents {
      parents = List.copyOf(parents);
      if (parents.isEmpty()) {
        throw new IllegalArgumentException("a Parents outcome names at least one parent");
      }
    }
  }

  /** The requester downloads from the origin: it becomes BACK_TO_SOURCE and has no parents. */
  record BackToSource(String reason, int attempt) implements Terminal {}

  record Failed(String reason, int attempt) implements Terminal {}

  /** The request is malformed: rejected before any round, as the first attempt. */
  record Rejected(String reason) implements Terminal {
    @Override
    public int attempt() {
      return 1;
    }
  }

  /** Run another round at {@code atMillis} (stream time), with the counts in {@code next}. */
  record RetryAt(long atMillis, String reason, Attempt next) implements RoundOutcome {
    public RetryAt {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(next, "next");
    }
  }

  /**
   * Nobody holds the task: {@code seedHostId} is asked to fetch it first (it becomes the task's
   * seed, triggered now) and the request waits as {@code retry} says.
   */
  record SeedTrigger(String seedHostId, RetryAt retry) implements RoundOutcome {
    public SeedTrigger {
      Objects.requireNonNull(seedHostId, "seedHostId");
      Objects.requireNonNull(retry, "retry");
    }
  }
}
