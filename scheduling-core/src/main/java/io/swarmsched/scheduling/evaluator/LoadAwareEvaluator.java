package io.swarmsched.scheduling.evaluator;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scheduling.ledger.LoadEstimate;
import io.swarmsched.scoring.LoadQuality;
import java.util.Objects;

/**
 * The load-aware policy of docs/design.md Stage 1, with the load-quality part weighed by the room a
 * parent has for one more child:
 *
 * <pre>
 * TotalScore = idc·IDCAffinity + location·LocationAffinity + loadQuality·(LoadQuality·Room) + hostType·HostType
 * Room       = min(1, streams / (children + 1))
 * streams    = min(uploadSlots, max(1, maxTx / streamRate))   children it can serve at a full stream's rate at once
 * children   = its children in the task's DAG now (edges committed by earlier decisions included)
 * </pre>
 *
 * (weights configurable; LoadQuality is the parent host's published score adjusted by the
 * optimistic ledger). Why Room: LoadQuality is relative to a host's own capacity and looks back 60
 * s, so a host ten times as fast as the rest scores as well with forty children as an idle slow
 * host with none. With the agent's 8 upload slots enforced, the children beyond a parent's slots
 * wait on 503s while slow hosts upload little: the swarm simulator measured DESIGN's formula 4%
 * slower than {@code random} at p99 on the skewed swarm with 8 slots, and this one ahead of it
 * (docs/benchmarks.md, "Swarm simulator"). Room counts children, not uploads in flight: children
 * are what will ask, and the count is exact at decision time, with no heartbeat lag. A host whose
 * slot limit is unknown is bounded by its bandwidth alone, one with unknown bandwidth by its slots.
 * DESIGN's formula as written (Room = 1) stays registered as {@value #DESIGN_NAME}.
 */
public final class LoadAwareEvaluator implements Evaluator {

  public static final String NAME = "load-aware";

  /** DESIGN's TotalScore as written, without Room. */
  public static final String DESIGN_NAME = "design-formula";

  private final EvaluatorWeights weights;
  private final boolean room;

  /**
   * @param room weigh LoadQuality by Room ({@value #NAME}); false is DESIGN's formula ({@value
   *     #DESIGN_NAME})
   */
  public LoadAwareEvaluator(EvaluatorWeights weights, boolean room) {
    this.weights = Objects.requireNonNull(weights, "weights");
    this.room = room;
  }

  public LoadAwareEvaluator(EvaluatorWeights weights) {
    this(weights, true);
  }

  public LoadAwareEvaluator() {
    this(EvaluatorWeights.DEFAULT);
  }

  public EvaluatorWeights weights() {
    return weights;
  }

  @Override
  public String policyId() {
    return (room ? NAME : DESIGN_NAME) + "[" + weights.describe() + "]";
  }

  @Override
  public ScoreBreakdown score(SelectionContext ctx, Candidate c) {
    return totalScore(weights, ctx, c, Affinity.hostType(c.host().type(), c.peer().state()), room);
  }

  /**
   * TotalScore with the given HostType part (policies that differ only in it share the rest); with
   * {@code room}, the LoadQuality part is weighed by Room (see the class comment).
   */
  static ScoreBreakdown totalScore(
      EvaluatorWeights weights, SelectionContext ctx, Candidate c, double type, boolean room) {
    double idc = Affinity.idc(ctx.requesterHost().idc(), c.host().idc());
    double location = Affinity.location(ctx.requesterHost().location(), c.host().location());
    LoadEstimate est = ctx.loadEstimate(c);
    LoadQuality lq = est.loadQuality();
    double load =
        room
            ? lq.loadQuality()
                * room(
                    ctx,
                    est,
                    c.host().capacity().uploadSlotLimit(),
                    ctx.task().dag().outDegree(c.peerId()))
            : lq.loadQuality();
    double total =
        weights.idc() * idc
            + weights.location() * location
            + weights.loadQuality() * load
            + weights.hostType() * type;
    return new ScoreBreakdown(
        total,
        idc,
        location,
        load,
        type,
        lq.peakBandwidthUsage(),
        lq.bandwidthDurationRatio(),
        lq.concurrentEfficiency());
  }

  /**
   * min(1, streams / (children + 1)), streams = min(slots, max(1, maxTx / streamRate)); 1 when
   * neither the slot limit ({@code slots <= 0}) nor the bandwidth is known.
   */
  static double room(SelectionContext ctx, LoadEstimate est, int slots, int children) {
    double streams = slots > 0 ? slots : Double.POSITIVE_INFINITY;
    if (est.maxTx() > 0) {
      streams = Math.min(streams, Math.max(1.0, ctx.ledger().calculator().need(est.maxTx())));
    }
    if (streams == Double.POSITIVE_INFINITY) {
      return 1.0;
    }
    return Math.min(1.0, streams / (children + 1.0));
  }
}
