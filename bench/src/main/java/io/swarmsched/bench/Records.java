package io.swarmsched.bench;

import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SerdeConfig;
import io.swarmsched.serde.SpecificAvroSerializer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.avro.specific.SpecificRecord;

/**
 * Realistic records of the project's own schemas (what agents and producers really send), and their
 * serialized form through the project's serializer against the run's registry.
 */
public final class Records {
  private static final String[] IDCS = {"idc-a", "idc-b", "idc-c", "idc-d"};
  private static final String[] CITIES = {
    "cn|zj|hz", "cn|bj|bj", "us|ca|sf", "de|be|berlin", "jp|tk|tokyo"
  };
  public static final long MIB = 1024L * 1024L;

  private Records() {}

  public static String hostId(int i) {
    return String.format("host-%06d", i);
  }

  /** A heartbeat of host {@code i}, as an agent sends it every 3 s. */
  public static HostHeartbeat heartbeat(int i, long sequence, Instant at, SplittableRandom rnd) {
    long maxTx = (100 + (i % 10) * 100) * MIB;
    return HostHeartbeat.newBuilder()
        .setHostId(hostId(i))
        .setSequence(sequence)
        .setTimestamp(at)
        .setHostname("node-" + i + ".bench.local")
        .setIp("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255))
        .setPieceServerAddress("127.0.0.1:" + (20000 + i % 40000))
        .setType(i % 100 == 0 ? HostType.SUPER_SEED : HostType.NORMAL)
        .setIdc(IDCS[i % IDCS.length])
        .setLocation(CITIES[i % CITIES.length])
        .setTags(i % 7 == 0 ? List.of("gpu", "cuda-12") : List.of("ssd"))
        .setCapacity(
            HostCapacity.newBuilder()
                .setMaxTxBytesPerSec(maxTx)
                .setMaxRxBytesPerSec(maxTx)
                .setUploadSlotLimit(50)
                .setMaxTasks(8)
                .setCpuCores(16)
                .setMemoryBytes(64L << 30)
                .setDiskBytes(1L << 40)
                .setGpus(i % 7 == 0 ? 1 : 0)
                .build())
        .setLoad(
            HostLoad.newBuilder()
                .setTxBytesPerSec((long) (rnd.nextDouble() * maxTx))
                .setRxBytesPerSec((long) (rnd.nextDouble() * maxTx))
                .setConcurrentUploads(rnd.nextInt(20))
                .setRunningTasks(rnd.nextInt(4))
                .setCpuUsage(rnd.nextDouble())
                .setMemoryUsedBytes(rnd.nextLong(1L << 30, 60L << 30))
                .setDiskUsedBytes(rnd.nextLong(1L << 30, 500L << 30))
                .build())
        .setAgentVersion("0.1.0")
        .build();
  }

  /** The host state heartbeat-ingest would publish for host {@code i}. */
  public static io.swarmsched.schemas.HostState hostState(
      int i, long sequence, Instant at, SplittableRandom rnd) {
    HostHeartbeat hb = heartbeat(i, sequence, at, rnd);
    return io.swarmsched.schemas.HostState.newBuilder()
        .setHostId(hb.getHostId())
        .setHostname(hb.getHostname())
        .setIp(hb.getIp())
        .setPieceServerAddress(hb.getPieceServerAddress())
        .setType(hb.getType())
        .setIdc(hb.getIdc())
        .setLocation(hb.getLocation())
        .setTags(hb.getTags())
        .setDisableShared(false)
        .setCapacity(hb.getCapacity())
        .setLoad(hb.getLoad())
        .setLastSequence(sequence)
        .setLastSeen(at)
        .setFirstSeen(at.minusSeconds(3600))
        .setLiveness(io.swarmsched.schemas.Liveness.ONLINE)
        .setLivenessChangedAt(at.minusSeconds(3600))
        .setAgentVersion("0.1.0")
        .build();
  }

  /**
   * A finished piece of task {@code task} downloaded by host {@code i} from parent host {@code
   * parent}.
   */
  public static PieceEvent pieceEvent(
      long seq, int task, int i, int parent, Instant at, SplittableRandom rnd) {
    return PieceEvent.newBuilder()
        .setEventId("pe-" + seq)
        .setTaskId(taskId(task))
        .setPeerId("peer-" + task + "-" + i)
        .setHostId(hostId(i))
        .setPieceNumber((int) (seq % 1024))
        .setOutcome(PieceOutcome.FINISHED)
        .setSource(PieceSource.PARENT)
        .setParentPeerId("peer-" + task + "-" + parent)
        .setParentHostId(hostId(parent))
        .setBytes(4 * MIB)
        .setCostMillis(20 + rnd.nextInt(200))
        .setDigest(
            "sha256:"
                + Long.toHexString(rnd.nextLong())
                + Long.toHexString(rnd.nextLong())
                + Long.toHexString(rnd.nextLong())
                + Long.toHexString(rnd.nextLong()))
        .setTimestamp(at)
        .build();
  }

  public static String taskId(int task) {
    return String.format("task-%05d", task);
  }

  /** Peer {@code peer} of task {@code task} on host {@code host} asks for parents. */
  public static ScheduleRequest scheduleRequest(
      String requestId, int task, int peer, int host, Instant at) {
    return ScheduleRequest.newBuilder()
        .setRequestId(requestId)
        .setTaskId(taskId(task))
        .setPeerId("peer-" + task + "-" + peer)
        .setHostId(hostId(host))
        .setUrl("http://origin.bench.local/blobs/" + taskId(task))
        .setDigest(null)
        .setTag("bench")
        .setPriority(0)
        .setNeedBackToSource(false)
        .setBlocklist(List.of())
        .setReschedule(false)
        .setJob(null)
        .setDeadline(null)
        .setTimestamp(at)
        .build();
  }

  /** The project's value serializer against the run's registry (schemas auto-registered). */
  public static <T extends SpecificRecord> SpecificAvroSerializer<T> serializer(
      String registryUrl) {
    SpecificAvroSerializer<T> s = new SpecificAvroSerializer<>();
    s.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, registryUrl), false);
    return s;
  }
}
