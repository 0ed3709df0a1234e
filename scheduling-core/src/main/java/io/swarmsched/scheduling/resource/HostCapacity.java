package io.swarmsched.scheduling.resource;

/**
 * What a host can do at most; 0 means unknown (mirrors the schema's HostCapacity).
 *
 * @param maxTxBytesPerSec upload capacity (maxTx)
 * @param uploadSlotLimit most concurrent uploads; 0 = unknown (the filter then uses its configured
 *     default)
 * @param maxTasks most concurrent jobs; 0 = not a worker
 */
public record HostCapacity(
    long maxTxBytesPerSec,
    int uploadSlotLimit,
    int maxTasks,
    int cpuCores,
    long memoryBytes,
    int gpus) {

  public static final HostCapacity UNKNOWN = new HostCapacity(0, 0, 0, 0, 0, 0);

  /** Capacity of a pure piece-serving host. */
  public static HostCapacity uploads(long maxTxBytesPerSec, int uploadSlotLimit) {
    return new HostCapacity(maxTxBytesPerSec, uploadSlotLimit, 0, 0, 0, 0);
  }
}
