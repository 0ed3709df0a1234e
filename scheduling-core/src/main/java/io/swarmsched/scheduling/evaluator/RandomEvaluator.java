package io.swarmsched.scheduling.evaluator;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scheduling.StableHash;
import io.swarmsched.scoring.LoadQuality;

/**
 * A baseline policy: each candidate's total score is uniform in [0, 1), drawn from a hash of the
 * request's seed ({@link SelectionContext#randomSeed()}) and the candidate's peer id — so the same
 * request over the same candidates gives the same order, independent of candidate order. The other
 * parts are filled in for comparison with the load-aware policy but do not affect the order.
 */
public final class RandomEvaluator implements Evaluator {

  public static final String NAME = "random";

  @Override
  public String policyId() {
    return NAME;
  }

  @Override
  public ScoreBreakdown score(SelectionContext ctx, Candidate c) {
    double total = StableHash.unit(StableHash.hash(ctx.randomSeed(), c.peerId()));
    LoadQuality lq = ctx.loadEstimate(c).loadQuality();
    return new ScoreBreakdown(
        total,
        Affinity.idc(ctx.requesterHost().idc(), c.host().idc()),
        Affinity.location(ctx.requesterHost().location(), c.host().location()),
        lq.loadQuality(),
        Affinity.hostType(c.host().type(), c.peer().state()),
        lq.peakBandwidthUsage(),
        lq.bandwidthDurationRatio(),
        lq.concurrentEfficiency());
  }
}
