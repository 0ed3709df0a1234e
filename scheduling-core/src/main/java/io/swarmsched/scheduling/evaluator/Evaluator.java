package io.swarmsched.scheduling.evaluator;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A scoring policy (one class per policy, like Dragonfly's {@code evaluator/}). Must be
 * deterministic.
 */
public interface Evaluator {

  /** Names the policy and its parameters; recorded in every decision. */
  String policyId();

  ScoreBreakdown score(SelectionContext ctx, Candidate candidate);

  /**
   * Scores every candidate and returns the {@code topN} best, best first ({@link
   * ScoredCandidate#BEST_FIRST}). Keeps a bounded heap, so a task with many candidates costs O(n
   * log N).
   */
  default List<ScoredCandidate> rank(SelectionContext ctx, List<Candidate> candidates, int topN) {
    if (topN < 1) {
      throw new IllegalArgumentException("topN must be >= 1, was " + topN);
    }
    // Worst of the kept ones at the head.
    PriorityQueue<ScoredCandidate> heap =
        new PriorityQueue<>(ScoredCandidate.BEST_FIRST.reversed());
    for (Candidate c : candidates) {
      heap.add(new ScoredCandidate(c, score(ctx, c)));
      if (heap.size() > topN) {
        heap.poll();
      }
    }
    List<ScoredCandidate> out = new ArrayList<>(heap);
    out.sort(ScoredCandidate.BEST_FIRST);
    return out;
  }
}
