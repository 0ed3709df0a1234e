package io.swarmsched.chaos;

import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.ScheduleRequest;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/** The records a run sends: heartbeats of its hosts and its schedule requests. */
public final class Workload {
  private static final String[] IDCS = {"idc-a", "idc-b", "idc-c"};
  private static final String[] CITIES = {"cn|zj|hz", "us|ca|sf", "de|be|berlin"};
  private static final long MIB = 1024L * 1024L;

  private final String runId;

  public Workload(String runId) {
    this.runId = runId;
  }

  /**
   * Prefix of every request id of this run, so decisions of earlier runs on the same topics never
   * count.
   */
  String requestPrefix() {
    return "chaos-" + runId + "-";
  }

  String requestId(int i) {
    return requestPrefix() + i;
  }

  String hostId(int i) {
    return String.format("chaos-host-%05d", i);
  }

  String taskId(int t) {
    return String.format("chaos-%s-task-%05d", runId, t);
  }

  /**
   * Host {@code i}'s heartbeat number {@code sequence}. All hosts are NORMAL: with no seed a new
   * task's first download is decided at once (BACK_TO_SOURCE, NO_SEED), so every request gets a
   * terminal decision without an agent acting on seed triggers.
   */
  public HostHeartbeat heartbeat(int i, long sequence, Instant at) {
    long maxTx = (100 + (i % 10) * 100) * MIB;
    return HostHeartbeat.newBuilder()
        .setHostId(hostId(i))
        .setSequence(sequence)
        .setTimestamp(at)
        .setHostname("node-" + i + ".chaos.local")
        .setIp("10.9." + (i >> 8 & 255) + "." + (i & 255))
        .setPieceServerAddress("127.0.0.1:" + (20000 + i % 40000))
        .setType(HostType.NORMAL)
        .setIdc(IDCS[i % IDCS.length])
        .setLocation(CITIES[i % CITIES.length])
        .setTags(List.of("ssd"))
        .setCapacity(
            HostCapacity.newBuilder()
                .setMaxTxBytesPerSec(maxTx)
                .setMaxRxBytesPerSec(maxTx)
                .setUploadSlotLimit(50)
                .setMaxTasks(8)
                .setCpuCores(16)
                .setMemoryBytes(64L << 30)
                .setDiskBytes(1L << 40)
                .setGpus(0)
                .build())
        .setLoad(
            HostLoad.newBuilder()
                .setTxBytesPerSec(maxTx / 4)
                .setRxBytesPerSec(maxTx / 4)
                .setConcurrentUploads(i % 5)
                .setRunningTasks(i % 3)
                .setCpuUsage(0.25)
                .setMemoryUsedBytes(8L << 30)
                .setDiskUsedBytes(100L << 30)
                .build())
        .setAgentVersion("0.1.0")
        .build();
  }

  /**
   * Request {@code i}: a new peer of task {@code i mod tasks} on a random host. Every tenth asks
   * for back-to-source (decided in its first round); the others take the normal path, which for a
   * task without usable parents means retry rounds — the path where finding 3 lost requests.
   */
  ScheduleRequest request(int i, int tasks, int hosts, SplittableRandom rnd, Instant at) {
    int task = i % tasks;
    return ScheduleRequest.newBuilder()
        .setRequestId(requestId(i))
        .setTaskId(taskId(task))
        .setPeerId(taskId(task) + "-peer-" + i)
        .setHostId(hostId(rnd.nextInt(hosts)))
        .setUrl("http://origin.chaos.local/blobs/" + taskId(task))
        .setDigest(null)
        .setTag("chaos")
        .setPriority(0)
        .setNeedBackToSource(i % 10 == 9)
        .setBlocklist(List.of())
        .setReschedule(false)
        .setJob(null)
        .setDeadline(null)
        .setTimestamp(at)
        .build();
  }
}
