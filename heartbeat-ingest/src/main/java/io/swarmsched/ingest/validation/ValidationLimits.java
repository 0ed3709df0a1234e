package io.swarmsched.ingest.validation;

import java.time.Duration;

/**
 * What counts as a plausible heartbeat. Every bound is configuration (keys under {@code
 * swarm.ingest.validation.*}, see {@code IngestConfig}); the defaults are generous enough that no
 * real machine trips them and tight enough that a unit mix-up (bits for bytes, KiB for bytes) or a
 * corrupted field does.
 *
 * @param maxBandwidthBytesPerSec upper bound for every bandwidth and rate field (1 Tbit/s)
 * @param maxUploadSlotLimit upper bound for {@code capacity.upload_slot_limit}
 * @param uploadOvercommitFactor {@code load.concurrent_uploads} may exceed the slot limit by at
 *     most this factor (agents finish uploads that started before a limit was lowered)
 * @param maxTasks upper bound for {@code capacity.max_tasks}
 * @param maxCpuCores upper bound for {@code capacity.cpu_cores}
 * @param maxMemoryBytes upper bound for memory fields (64 TiB)
 * @param maxDiskBytes upper bound for disk fields (1 EiB)
 * @param maxGpus upper bound for {@code capacity.gpus}
 * @param maxClockSkew how far in the future a heartbeat timestamp may be
 * @param maxAge how far in the past: older is a corrupted or replayed record, not a late heartbeat
 *     (issue 13: 1970-01-02 was accepted)
 * @param maxRecordBytes largest accepted serialized heartbeat (key + value)
 * @param maxTags most tags on one host
 * @param maxStringLength longest accepted string field (ids, tags, addresses)
 */
public record ValidationLimits(
    long maxBandwidthBytesPerSec,
    int maxUploadSlotLimit,
    int uploadOvercommitFactor,
    int maxTasks,
    int maxCpuCores,
    long maxMemoryBytes,
    long maxDiskBytes,
    int maxGpus,
    Duration maxClockSkew,
    int maxRecordBytes,
    int maxTags,
    int maxStringLength,
    Duration maxAge) {

  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(1);

  /** The limits with the default {@link #maxAge}. */
  public ValidationLimits(
      long maxBandwidthBytesPerSec,
      int maxUploadSlotLimit,
      int uploadOvercommitFactor,
      int maxTasks,
      int maxCpuCores,
      long maxMemoryBytes,
      long maxDiskBytes,
      int maxGpus,
      Duration maxClockSkew,
      int maxRecordBytes,
      int maxTags,
      int maxStringLength) {
    this(
        maxBandwidthBytesPerSec,
        maxUploadSlotLimit,
        uploadOvercommitFactor,
        maxTasks,
        maxCpuCores,
        maxMemoryBytes,
        maxDiskBytes,
        maxGpus,
        maxClockSkew,
        maxRecordBytes,
        maxTags,
        maxStringLength,
        DEFAULT_MAX_AGE);
  }

  public static final long ONE_TBIT_PER_SEC_IN_BYTES = 125_000_000_000L;
  public static final long SIXTY_FOUR_TIB = 64L << 40;
  public static final long ONE_EIB = 1L << 60;

  public ValidationLimits {
    if (uploadOvercommitFactor < 1) {
      throw new IllegalArgumentException("uploadOvercommitFactor must be >= 1");
    }
  }

  public static ValidationLimits defaults() {
    return new ValidationLimits(
        ONE_TBIT_PER_SEC_IN_BYTES,
        100_000,
        4,
        100_000,
        4096,
        SIXTY_FOUR_TIB,
        ONE_EIB,
        1024,
        // 30 s: NTP keeps real clocks far closer; issue 18's forged heartbeat was 50 s ahead
        Duration.ofSeconds(30),
        64 * 1024,
        256,
        1024);
  }
}
