package io.swarmsched.scheduling.evaluator;

import io.swarmsched.scheduling.Candidate;
import java.util.Comparator;

/** A candidate with its score. */
public record ScoredCandidate(Candidate candidate, ScoreBreakdown breakdown) {

  /**
   * Best first: higher total score, then smaller peer id (so ties are broken the same way every
   * time).
   */
  public static final Comparator<ScoredCandidate> BEST_FIRST =
      Comparator.comparingDouble((ScoredCandidate s) -> s.breakdown().totalScore())
          .reversed()
          .thenComparing(s -> s.candidate().peerId());

  public String peerId() {
    return candidate.peerId();
  }

  public double totalScore() {
    return breakdown.totalScore();
  }
}
