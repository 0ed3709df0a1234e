package io.swarmsched.scheduling.filter;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scheduling.resource.HostView;
import java.util.Optional;

/**
 * Rule 2: the candidate's host is unknown or not ONLINE, is quarantined, has {@code
 * disable_shared}, or has no free upload slot (reported concurrent uploads plus edges created since
 * ≥ its limit; a host reporting no limit gets {@code defaultUploadSlotLimit}).
 */
public final class HostAvailabilityFilter implements CandidateFilter {

  public static final String NAME = "host-availability";

  private final int defaultUploadSlotLimit;

  public HostAvailabilityFilter(int defaultUploadSlotLimit) {
    if (defaultUploadSlotLimit < 1) {
      throw new IllegalArgumentException(
          "defaultUploadSlotLimit must be >= 1, was " + defaultUploadSlotLimit);
    }
    this.defaultUploadSlotLimit = defaultUploadSlotLimit;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Optional<Drop> check(SelectionContext ctx, Candidate c) {
    if (!c.hostKnown()) {
      return drop(c, DropReason.HOST_UNKNOWN, "no record of host " + c.hostId());
    }
    HostView h = c.host();
    if (!h.isOnline()) {
      return drop(c, DropReason.HOST_NOT_ONLINE, "liveness " + h.liveness());
    }
    if (h.quarantined()) {
      return drop(c, DropReason.HOST_QUARANTINED, "host is quarantined (upload failure rate)");
    }
    if (h.disableShared()) {
      return drop(c, DropReason.HOST_DISABLE_SHARED, "host has disable_shared");
    }
    int limit =
        h.capacity().uploadSlotLimit() > 0
            ? h.capacity().uploadSlotLimit()
            : defaultUploadSlotLimit;
    int uploads = ctx.loadEstimate(c).concurrentUploads();
    if (uploads >= limit) {
      return drop(
          c, DropReason.NO_FREE_UPLOAD_SLOT, uploads + " concurrent uploads >= limit " + limit);
    }
    return Optional.empty();
  }
}
