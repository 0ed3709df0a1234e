package io.swarmsched.scheduling.filter;

import io.swarmsched.scheduling.stats.BadParentRule;
import java.util.Objects;

/**
 * Configuration of the candidate filters.
 *
 * @param defaultUploadSlotLimit upload slots assumed for a host reporting none (0 = unknown);
 *     Dragonfly's default 50
 * @param badParentRule thresholds of rule 4
 * @param cycleRule when rule 5 lets a requester take a candidate that downloads from it
 */
public record FilterParams(
    int defaultUploadSlotLimit, BadParentRule badParentRule, CycleRule cycleRule) {

  public static final int DEFAULT_UPLOAD_SLOT_LIMIT = 50;

  /**
   * {@link CycleRule#MORE_PIECES} (docs/benchmarks.md, "The seed's first child and the cycle
   * rule").
   */
  public static final CycleRule DEFAULT_CYCLE_RULE = CycleRule.MORE_PIECES;

  public FilterParams {
    if (defaultUploadSlotLimit < 1) {
      throw new IllegalArgumentException(
          "defaultUploadSlotLimit must be >= 1, was " + defaultUploadSlotLimit);
    }
    Objects.requireNonNull(badParentRule, "badParentRule");
    Objects.requireNonNull(cycleRule, "cycleRule");
  }

  /** With the default cycle rule. */
  public FilterParams(int defaultUploadSlotLimit, BadParentRule badParentRule) {
    this(defaultUploadSlotLimit, badParentRule, DEFAULT_CYCLE_RULE);
  }

  public static FilterParams defaults() {
    return new FilterParams(DEFAULT_UPLOAD_SLOT_LIMIT, BadParentRule.DEFAULT, DEFAULT_CYCLE_RULE);
  }
}
