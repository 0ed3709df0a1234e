package io.swarmsched.scheduling.evaluator;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scheduling.ledger.LoadEstimate;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scoring.LoadQuality;
import java.util.Objects;

/**
 * What a candidate can give the requester, weighed against how many children already share its
 * upload:
 *
 * <pre>
 * TotalScore = idc·IDCAffinity + location·LocationAffinity + loadQuality·(Give·Share) + hostType·HostType
 * Give       = c·(1 − r)     c, r: the candidate's and the requester's finished fraction of the pieces
 *                            (a finished candidate c = 1); the share of the requester's missing pieces the
 *                            candidate holds if the two hold independent random pieces
 * Share      = min(1, need / (uploads + 1)),  need = maxTx / streamRate, uploads as the ledger sees them now
 * </pre>
 *
 * The weights are the load-aware policy's, the load-quality weight carrying Give·Share. It reads
 * the live upload count (heartbeat plus the edges created since), not the 60 s peak of
 * PeakBandwidthUsage: a peer that has been serving holds the most pieces, and the peak over a
 * minute might steer children away from exactly those (the hypothesis of issue 14). The swarm
 * simulator does not confirm it: steering children to the peers that hold the most concentrates
 * them on the few that started early, and this policy is slower than {@code load-aware} there
 * (docs/benchmarks.md, "Swarm simulator"). Kept as a named policy for comparison.
 */
public final class GiveAwareEvaluator implements Evaluator {

  public static final String NAME = "give-aware";

  /**
   * Give when the task's piece count is not known yet: a finished candidate 1, others this much.
   */
  static final double UNKNOWN_PROGRESS_GIVE = 0.5;

  private final EvaluatorWeights weights;

  public GiveAwareEvaluator(EvaluatorWeights weights) {
    this.weights = Objects.requireNonNull(weights, "weights");
  }

  public GiveAwareEvaluator() {
    this(EvaluatorWeights.DEFAULT);
  }

  @Override
  public String policyId() {
    return NAME + "[" + weights.describe() + "]";
  }

  @Override
  public ScoreBreakdown score(SelectionContext ctx, Candidate c) {
    double idc = Affinity.idc(ctx.requesterHost().idc(), c.host().idc());
    double location = Affinity.location(ctx.requesterHost().location(), c.host().location());
    double type = Affinity.hostType(c.host().type(), c.peer().state());
    LoadEstimate est = ctx.loadEstimate(c);
    double value = give(ctx.task().pieceCount(), ctx.requester(), c.peer()) * share(ctx, est);
    double total =
        weights.idc() * idc
            + weights.location() * location
            + weights.loadQuality() * value
            + weights.hostType() * type;
    LoadQuality lq = est.loadQuality();
    return new ScoreBreakdown(
        total,
        idc,
        location,
        value,
        type,
        lq.peakBandwidthUsage(),
        lq.bandwidthDurationRatio(),
        lq.concurrentEfficiency());
  }

  /**
   * The expected fraction of the pieces the requester lacks that the candidate holds, in [0, 1].
   */
  static double give(int pieceCount, Peer requester, Peer candidate) {
    boolean finished = candidate.state() == PeerState.SUCCEEDED;
    if (pieceCount <= 0) {
      return finished ? 1.0 : UNKNOWN_PROGRESS_GIVE;
    }
    double c = finished ? 1.0 : Math.min(1.0, (double) candidate.piecesFinished() / pieceCount);
    double r = Math.min(1.0, (double) requester.piecesFinished() / pieceCount);
    return c * (1.0 - r);
  }

  /**
   * The part of a full-rate stream one more child would get from the candidate's upload; 0 when
   * unknown.
   */
  static double share(SelectionContext ctx, LoadEstimate est) {
    if (est.maxTx() <= 0) {
      return 0.0;
    }
    double need = ctx.ledger().calculator().need(est.maxTx());
    return Math.min(1.0, need / (est.concurrentUploads() + 1.0));
  }
}
