package io.swarmsched.scheduling.filter;

import java.util.List;

/**
 * The standard filter chain, in docs/design.md's order (cheap identity checks first, the DAG walk
 * last).
 */
public final class CandidateFilters {

  private CandidateFilters() {}

  public static List<CandidateFilter> standard(FilterParams params) {
    return List.of(
        new RequesterFilter(),
        new HostAvailabilityFilter(params.defaultUploadSlotLimit()),
        new PeerStateFilter(),
        new BadParentFilter(params.badParentRule()),
        new CycleFilter(params.cycleRule()));
  }

  public static List<CandidateFilter> standard() {
    return standard(FilterParams.defaults());
  }
}
