package io.swarmsched.scheduling.filter;

import io.swarmsched.scheduling.stats.BadParentRule;
import java.util.Objects;

/**
 * Configuration of the candidate filters.
 *
 * @param defaultUploadSlotLimit upload slots assumed for a host reporting none (0 = unknown);
 *     Dragonfly's default 50
 * @param badParentRule thresholds of rule 4
 */
public record FilterParams(int defaultUploadSlotLimit, BadParentRule badParentRule) {

  public static final int DEFAULT_UPLOAD_SLOT_LIMIT = 50;

  public FilterParams {
    if (defaultUploadSlotLimit < 1) {
      throw new IllegalArgumentException(
          "defaultUploadSlotLimit must be >= 1, was " + defaultUploadSlotLimit);
    }
    Objects.requireNonNull(badParentRule, "badParentRule");
  }

  public static FilterParams defaults() {
    return new FilterParams(DEFAULT_UPLOAD_SLOT_LIMIT, BadParentRule.DEFAULT);
  }
}
