package io.swarmsched.scheduling.round;

import java.util.Map;

/**
 * What a task remembers about its seeds: the seed triggered for it (null for none) and when, and
 * the seeds that failed it, with the stream time of each failure.
 */
public record SeedState(String seedHostId, long triggeredAtMillis, Map<String, Long> failedSeeds) {

  public SeedState {
    failedSeeds = failedSeeds == null ? Map.of() : failedSeeds;
  }

  public static SeedState none() {
    return new SeedState(null, 0, Map.of());
  }
}
