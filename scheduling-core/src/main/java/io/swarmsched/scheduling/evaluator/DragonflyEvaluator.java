package io.swarmsched.scheduling.evaluator;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scheduling.filter.FilterParams;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scoring.LoadQuality;

/**
 * Dragonfly's base evaluator (scheduler/scheduling/evaluator/evaluator_base.go), for comparison:
 *
 * <pre>
 * TotalScore = 0.2·FinishedPieces + 0.2·UploadSuccess + 0.15·FreeUpload + 0.15·HostType
 *            + 0.15·IDCAffinity + 0.15·LocationAffinity
 * </pre>
 *
 * FinishedPieces is the candidate's finished fraction (1 when finished); FreeUpload its free upload
 * slots over its slot limit, counting the edges created since its last report; UploadSuccess is 1
 * (stage 1 keeps no upload failure counts: a failing host is quarantined instead). Weights are
 * Dragonfly's and not configurable.
 */
public final class DragonflyEvaluator implements Evaluator {

  public static final String NAME = "dragonfly";

  static final double FINISHED_PIECE_WEIGHT = 0.2;
  static final double UPLOAD_SUCCESS_WEIGHT = 0.2;
  static final double FREE_UPLOAD_WEIGHT = 0.15;
  static final double HOST_TYPE_WEIGHT = 0.15;
  static final double IDC_WEIGHT = 0.15;
  static final double LOCATION_WEIGHT = 0.15;

  @Override
  public String policyId() {
    return NAME;
  }

  @Override
  public ScoreBreakdown score(SelectionContext ctx, Candidate c) {
    double idc = Affinity.idc(ctx.requesterHost().idc(), c.host().idc());
    double location = Affinity.location(ctx.requesterHost().location(), c.host().location());
    double type = Affinity.hostType(c.host().type(), c.peer().state());
    int pieces = ctx.task().pieceCount();
    double finished =
        c.peer().state() == PeerState.SUCCEEDED
            ? 1.0
            : pieces <= 0 ? 0.0 : Math.min(1.0, (double) c.peer().piecesFinished() / pieces);
    int limit =
        c.host().capacity().uploadSlotLimit() > 0
            ? c.host().capacity().uploadSlotLimit()
            : FilterParams.DEFAULT_UPLOAD_SLOT_LIMIT;
    int uploads = ctx.loadEstimate(c).concurrentUploads();
    double free = Math.max(0.0, (double) (limit - uploads) / limit);
    double total =
        FINISHED_PIECE_WEIGHT * finished
            + UPLOAD_SUCCESS_WEIGHT
            + FREE_UPLOAD_WEIGHT * free
            + HOST_TYPE_WEIGHT * type
            + IDC_WEIGHT * idc
            + LOCATION_WEIGHT * location;
    LoadQuality lq = ctx.loadEstimate(c).loadQuality();
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
