package io.swarmsched.scheduling.worker;

/** Why a worker was not eligible for a job. */
public record WorkerRejection(String hostId, Reason reason, String detail) {

  public enum Reason {
    NOT_ONLINE,
    QUARANTINED,
    NOT_A_WORKER,
    MISSING_TAGS,
    NOT_ENOUGH_MEMORY,
    NOT_ENOUGH_CPU,
    NOT_ENOUGH_GPUS,
    FULL
  }
}
