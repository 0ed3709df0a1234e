package io.swarmsched.scheduling.resource;

import io.swarmsched.scoring.LoadQuality;
import java.util.Objects;

/**
 * A host's published load-quality score (from {@code swarm.host-scores}) with the window facts the
 * optimistic ledger needs to adjust it.
 *
 * @param concurrentUploads concurrent uploads the score was computed with
 * @param computedAtMillis stream time at which scoring-streams computed it; allocations made at or
 *     after this instant are not in it yet
 */
public record ScoreView(
    String hostId,
    LoadQuality loadQuality,
    long maxTxBytesPerSec,
    int concurrentUploads,
    long computedAtMillis) {

  public ScoreView {
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(loadQuality, "loadQuality");
  }
}
