package io.swarmsched.dispatcher.selection;

import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.scheduling.worker.JobRequirements;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.scoring.LoadQuality;
import java.util.Set;

/** Avro records of the topics -> scheduling-core's plain views. */
public final class CoreViews {
  private CoreViews() {}

  public static HostView host(HostState h, boolean quarantined) {
    var c = h.getCapacity();
    var l = h.getLoad();
    return new HostView(
        h.getHostId(),
        h.getPieceServerAddress(),
        HostType.valueOf(h.getType().name()),
        h.getIdc(),
        h.getLocation(),
        Set.copyOf(h.getTags()),
        Liveness.valueOf(h.getLiveness().name()),
        h.getDisableShared(),
        new HostCapacity(
            c.getMaxTxBytesPerSec(),
            c.getUploadSlotLimit(),
            c.getMaxTasks(),
            c.getCpuCores(),
            c.getMemoryBytes(),
            c.getGpus()),
        new HostLoad(l.getTxBytesPerSec(), l.getConcurrentUploads(), l.getRunningTasks()),
        h.getLastSeen().toEpochMilli(),
        quarantined);
  }

  public static ScoreView score(HostScore s) {
    var w = s.getWindow();
    return new ScoreView(
        s.getHostId(),
        new LoadQuality(
            s.getLoadQuality(),
            s.getPeakBandwidthUsage(),
            s.getBandwidthDurationRatio(),
            s.getConcurrentEfficiency(),
            w.getPeakTxBytesPerSec(),
            w.getSaturatedBuckets()),
        w.getMaxTxBytesPerSec(),
        w.getConcurrentUploads(),
        s.getComputedAt().toEpochMilli());
  }

  public static JobRequirements job(io.swarmsched.schemas.JobRequirements j) {
    return new JobRequirements(
        Set.copyOf(j.getRequiredTags()), j.getMinMemoryBytes(), j.getMinCpuCores(), j.getGpus());
  }
}
