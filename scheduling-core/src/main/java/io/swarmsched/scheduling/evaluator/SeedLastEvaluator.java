package io.swarmsched.scheduling.evaluator;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import java.util.Objects;

/**
 * The load-aware TotalScore (Room included) with the host-type part turned round for seeds: a seed
 * scores 0 whether it is still downloading or not (a normal parent 0.5), so a child gets the seed
 * only when the peers that could serve it are worse by more than the host-type weight, or absent.
 * Every child the seed has asks it for each piece none of the child's other parents holds, so a
 * seed with many children uploads the same pieces many times; in the swarm simulator that
 * duplication, not the peers' upload, is what bounds completion when the seed is no faster than a
 * peer (docs/benchmarks.md, "Swarm simulator").
 */
public final class SeedLastEvaluator implements Evaluator {

  public static final String NAME = "seed-last";

  private final EvaluatorWeights weights;

  public SeedLastEvaluator(EvaluatorWeights weights) {
    this.weights = Objects.requireNonNull(weights, "weights");
  }

  @Override
  public String policyId() {
    return NAME + "[" + weights.describe() + "]";
  }

  @Override
  public ScoreBreakdown score(SelectionContext ctx, Candidate c) {
    return LoadAwareEvaluator.totalScore(
        weights, ctx, c, c.host().isSeed() ? 0.0 : Affinity.NORMAL_HOST_SCORE, true);
  }
}
