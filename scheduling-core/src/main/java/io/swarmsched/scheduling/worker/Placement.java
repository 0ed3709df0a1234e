package io.swarmsched.scheduling.worker;

import java.util.List;
import java.util.Optional;

/**
 * The result of placing a job: the chosen worker (empty when none has capacity — the job waits)
 * with its load ratio before the job, and why each other worker was not eligible (sorted by host
 * id).
 */
public record Placement(
    Optional<String> hostId, double loadRatio, List<WorkerRejection> rejections) {

  public Placement {
    rejections = List.copyOf(rejections);
  }

  public boolean assigned() {
    return hostId.isPresent();
  }
}
