package io.swarmsched.ingest;

import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Valid heartbeats for tests; change one field to make them invalid. */
public final class Heartbeats {
  private Heartbeats() {}

  public static HostHeartbeat.Builder valid(String hostId, long sequence, Instant timestamp) {
    return HostHeartbeat.newBuilder()
        .setHostId(hostId)
        .setSequence(sequence)
        .setTimestamp(timestamp)
        .setHostname(hostId + ".example")
        .setIp("10.0.0.7")
        .setPieceServerAddress("10.0.0.7:65001")
        .setType(HostType.NORMAL)
        .setIdc("idc-a")
        .setLocation("cn|zj|hz")
        .setTags(new ArrayList<>(List.of("gpu", "cuda-12")))
        .setDisableShared(false)
        .setCapacity(capacity().build())
        .setLoad(load().build())
        .setAgentVersion("0.1.0");
  }

  public static HostCapacity.Builder capacity() {
    return HostCapacity.newBuilder()
        .setMaxTxBytesPerSec(1_250_000_000L)
        .setMaxRxBytesPerSec(1_250_000_000L)
        .setUploadSlotLimit(50)
        .setMaxTasks(8)
        .setCpuCores(32)
        .setMemoryBytes(128L << 30)
        .setDiskBytes(2L << 40)
        .setGpus(1)
        .setGpuModels(new ArrayList<>(List.of("A100")));
  }

  public static HostLoad.Builder load() {
    return HostLoad.newBuilder()
        .setTxBytesPerSec(100_000_000L)
        .setRxBytesPerSec(50_000_000L)
        .setConcurrentUploads(3)
        .setRunningTasks(1)
        .setCpuUsage(0.25)
        .setMemoryUsedBytes(16L << 30)
        .setDiskUsedBytes(100L << 30);
  }
}
