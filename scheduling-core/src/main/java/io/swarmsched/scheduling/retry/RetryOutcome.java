package io.swarmsched.scheduling.retry;

/** What to do with a request after a scheduling round found no parent. */
public sealed interface RetryOutcome {

  String NO_CANDIDATES = "NO_CANDIDATES";
  String DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED";
  String BACK_TO_SOURCE_LIMIT = "BACK_TO_SOURCE_LIMIT";

  /** Schedule another round at {@code atMillis} (stream time). */
  record RetryAt(long atMillis, String reason) implements RetryOutcome {}

  /** Terminal: the peer downloads from the origin. */
  record BackToSource(String reason) implements RetryOutcome {}

  /** Terminal: the request fails. */
  record Failed(String reason) implements RetryOutcome {}
}
