package io.swarmsched.scheduling.worker;

import java.util.Set;

/**
 * What a job needs from a worker (mirrors the schema's JobRequirements). Memory, CPU cores and GPUs
 * are compared with the worker's capacity (its machine), not its free amount; the running/max ratio
 * accounts for load.
 */
public record JobRequirements(
    Set<String> requiredTags, long minMemoryBytes, int minCpuCores, int gpus) {

  public static final JobRequirements NONE = new JobRequirements(Set.of(), 0, 0, 0);

  public JobRequirements {
    requiredTags = requiredTags == null ? Set.of() : Set.copyOf(requiredTags);
    if (minMemoryBytes < 0) {
      throw new IllegalArgumentException("minMemoryBytes must be >= 0, was " + minMemoryBytes);
    }
    if (minCpuCores < 0) {
      throw new IllegalArgumentException("minCpuCores must be >= 0, was " + minCpuCores);
    }
    if (gpus < 0) {
      throw new IllegalArgumentException("gpus must be >= 0, was " + gpus);
    }
  }
}
