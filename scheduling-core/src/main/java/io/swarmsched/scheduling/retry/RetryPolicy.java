package io.swarmsched.scheduling.retry;

import io.swarmsched.scheduling.StableHash;
import java.util.Objects;

/**
 * The dispatcher's own retries when no candidate survives the filters (docs/design.md): retry after
 * 500 ms ± 25 % (jitter drawn from the request id, so a replay retries at the same instants); after
 * 4 empty rounds BACK_TO_SOURCE — unless the task already has its maximum of back-to-source peers,
 * then the request keeps waiting; after 5 empty rounds, or past the deadline, FAILED. Pure and
 * thread-safe.
 */
public final class RetryPolicy {

  private final RetryParams params;

  public RetryPolicy(RetryParams params) {
    this.params = Objects.requireNonNull(params, "params");
  }

  public RetryPolicy() {
    this(RetryParams.DEFAULT);
  }

  public RetryParams params() {
    return params;
  }

  /**
   * @param emptyRounds empty rounds so far, the one just finished included (≥ 1)
   * @param deadlineMillis the request's deadline, or ≤ 0 for none
   * @param backToSourceNow peers of the task back-to-source now
   */
  public RetryOutcome afterEmptyRound(
      String requestId, int emptyRounds, long nowMillis, long deadlineMillis, int backToSourceNow) {
    if (emptyRounds < 1) {
      throw new IllegalArgumentException("emptyRounds must be >= 1, was " + emptyRounds);
    }
    if (pastDeadline(nowMillis, deadlineMillis)) {
      return new RetryOutcome.Failed(RetryOutcome.DEADLINE_EXCEEDED);
    }
    if (emptyRounds >= params.failAfterEmptyRounds()) {
      return new RetryOutcome.Failed(RetryOutcome.NO_CANDIDATES);
    }
    if (emptyRounds >= params.backToSourceAfterEmptyRounds()) {
      if (backToSourceAllowed(backToSourceNow)) {
        return new RetryOutcome.BackToSource(RetryOutcome.NO_CANDIDATES);
      }
      return new RetryOutcome.RetryAt(
          nowMillis + delayMillis(requestId, emptyRounds), RetryOutcome.BACK_TO_SOURCE_LIMIT);
    }
    return new RetryOutcome.RetryAt(
        nowMillis + delayMillis(requestId, emptyRounds), RetryOutcome.NO_CANDIDATES);
  }

  /** True while the task has fewer than the maximum back-to-source peers. */
  public boolean backToSourceAllowed(int backToSourceNow) {
    return backToSourceNow < params.maxBackToSourcePerTask();
  }

  public static boolean pastDeadline(long nowMillis, long deadlineMillis) {
    return deadlineMillis > 0 && nowMillis > deadlineMillis;
  }

  /** base·(1 + jitter·u), u in [−1, 1) drawn from the request id and round. */
  public long delayMillis(String requestId, int round) {
    double u =
        StableHash.unit(StableHash.hash(requestId == null ? "" : requestId, "retry#" + round)) * 2.0
            - 1.0;
    return Math.max(1L, Math.round(params.baseDelayMillis() * (1.0 + params.jitterRatio() * u)));
  }
}
