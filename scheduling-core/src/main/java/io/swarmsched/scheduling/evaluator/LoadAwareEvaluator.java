package io.swarmsched.scheduling.evaluator;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scoring.LoadQuality;
import java.util.Objects;

/**
 * The load-aware policy of docs/design.md Stage 1: {@code TotalScore = 0.2·IDCAffinity +
 * 0.1·LocationAffinity + 0.6·LoadQuality + 0.1·HostType} (weights configurable). LoadQuality is the
 * parent host's published score adjusted by the optimistic ledger.
 */
public final class LoadAwareEvaluator implements Evaluator {

  public static final String NAME = "load-aware";

  private final EvaluatorWeights weights;

  public LoadAwareEvaluator(EvaluatorWeights weights) {
    this.weights = Objects.requireNonNull(weights, "weights");
  }

  public LoadAwareEvaluator() {
    this(EvaluatorWeights.DEFAULT);
  }

  public EvaluatorWeights weights() {
    return weights;
  }

  @Override
  public String policyId() {
    return NAME + "[" + weights.describe() + "]";
  }

  @Override
  public ScoreBreakdown score(SelectionContext ctx, Candidate c) {
    return totalScore(weights, ctx, c, Affinity.hostType(c.host().type(), c.peer().state()));
  }

  /** TotalScore with the given HostType part (policies that differ only in it share the rest). */
  static ScoreBreakdown totalScore(
      EvaluatorWeights weights, SelectionContext ctx, Candidate c, double type) {
    double idc = Affinity.idc(ctx.requesterHost().idc(), c.host().idc());
    double location = Affinity.location(ctx.requesterHost().location(), c.host().location());
    LoadQuality lq = ctx.loadEstimate(c).loadQuality();
    double total =
        weights.idc() * idc
            + weights.location() * location
            + weights.loadQuality() * lq.loadQuality()
            + weights.hostType() * type;
    return new ScoreBreakdown(
        total,
        idc,
        location,
        lq.loadQuality(),
        type,
        lq.peakBandwidthUsage(),
        lq.bandwidthDurationRatio(),
        lq.concurrentEfficiency());
  }
}
