package io.swarmsched.bench.dispatcher;

import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.dispatcher.state.StoredTaskSerde;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.PeerStateMachine;
import io.swarmsched.scheduling.resource.Task;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Encode and decode time of one stored task (the dispatcher's task store value) in format version 3
 * (parents by id) and 4 (parents by position), in the same JVM, rounds interleaved so that the
 * machine's load falls on both alike; CPU time per operation. A task of {@code peers} peers, each
 * after the first with up to {@code parents} parents among the peers before it and served bytes
 * from each, as the dispatcher stores a swarm under way; peer ids as agents make them (host, task,
 * random suffix).
 *
 * <pre>
 * java -cp "bench/target/classes:$(cat bench.cp)" io.swarmsched.bench.dispatcher.StoredTaskCodecBench \
 *     [peers=1000] [parents=4] [rounds=10] [opsPerRound=200]
 * </pre>
 */
public final class StoredTaskCodecBench {
  /** CPU time of this thread: on a loaded machine wall time mostly measures the wait for a core. */
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private StoredTaskCodecBench() {}

  public static void main(String[] args) {
    int peers = arg(args, 0, 1000);
    int parents = arg(args, 1, 4);
    int rounds = arg(args, 2, 10);
    int ops = arg(args, 3, 200);
    StoredTask task = task(peers, parents);
    byte[] v3 = StoredTaskSerde.encode(task, 3);
    byte[] v4 = StoredTaskSerde.encode(task, 4);
    System.out.printf(
        Locale.ROOT,
        "task of %,d peers, %,d edges: version 3 %,d B, version 4 %,d B%n",
        peers,
        task.task().dag().edgeCount(),
        v3.length,
        v4.length);
    long[][] nanos = new long[4][rounds]; // encode v3, encode v4, decode v3, decode v4
    long sink = 0;
    for (int r = -2; r < rounds; r++) { // two warm-up rounds
      for (int k = 0; k < 4; k++) {
        int kind = r % 2 == 0 ? k : 3 - k; // alternate the order round to round
        long t0 = CPU.getCurrentThreadCpuTime();
        for (int i = 0; i < ops; i++) {
          sink +=
              switch (kind) {
                case 0 -> StoredTaskSerde.encode(task, 3).length;
                case 1 -> StoredTaskSerde.encode(task, 4).length;
                case 2 -> StoredTaskSerde.decode(v3).task().peerCount();
                default -> StoredTaskSerde.decode(v4).task().peerCount();
              };
        }
        if (r >= 0) nanos[kind][r] = (CPU.getCurrentThreadCpuTime() - t0) / ops;
      }
    }
    String[] names = {"encode v3", "encode v4", "decode v3", "decode v4"};
    for (int k = 0; k < 4; k++) {
      long[] sorted = nanos[k].clone();
      java.util.Arrays.sort(sorted);
      System.out.printf(
          Locale.ROOT,
          "%-10s median %8.1f us CPU  (min %8.1f, max %8.1f) over %d rounds of %d%n",
          names[k],
          sorted[rounds / 2] / 1e3,
          sorted[0] / 1e3,
          sorted[rounds - 1] / 1e3,
          rounds,
          ops);
    }
    System.out.println("(checksum " + sink + ")");
  }

  static StoredTask task(int peers, int maxParents) {
    String taskId = "5f1c0ad2e9b84c7d";
    Task t = new Task(taskId, "https://origin.example/data/file-1g.bin");
    SplittableRandom rnd = new SplittableRandom(42);
    PeerStateMachine machine = new PeerStateMachine();
    String[] ids = new String[peers];
    long t0 = 1_700_000_000_000L;
    for (int i = 0; i < peers; i++) {
      String host = "host-" + (i * 7919 % 100_000);
      ids[i] =
          host
              + "-"
              + taskId.substring(0, 8)
              + "-"
              + String.format(Locale.ROOT, "%08x", rnd.nextInt());
      Peer p = new Peer(ids[i], taskId, host, t0 + i);
      machine.transition(p, PeerState.RUNNING, t0 + i + 10);
      for (int c = 0; c < 8; c++) p.recordPiece(20 + rnd.nextInt(40), t0 + i + 20 + c);
      p.reportPieceCount(256);
      t.addPeer(p);
    }
    StoredTask stored = new StoredTask(t);
    for (int i = 1; i < peers; i++) {
      int k = Math.min(i, 1 + rnd.nextInt(maxParents));
      for (int j = 0; j < k; j++) {
        String parent = ids[rnd.nextInt(i)];
        if (t.dag().canAddEdge(parent, ids[i])) {
          t.dag().addEdge(parent, ids[i]);
          stored.servedTo(ids[i]).fromParent(parent, 262_144L * (1 + rnd.nextInt(4)));
        }
      }
    }
    return stored;
  }

  private static int arg(String[] args, int i, int fallback) {
    if (args.length <= i) return fallback;
    String a = args[i];
    return Integer.parseInt(a.substring(a.indexOf('=') + 1));
  }
}
