package io.swarmsched.agent.origin;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A source's read of the origin, alone: a real {@link OriginServer} with an egress limit serves a
 * file of {@code mib} MiB, and an {@link OriginClient} reads it in pieces of {@code pieceMib} MiB
 * with {@code ranges} ranges in flight, as a back-to-source download does ({@code OriginFetch},
 * {@code download.concurrency}). Prints each round's MiB/s and the process CPU per GiB read, so the
 * demo's fill from the origin can be set beside what the origin and client can do without the rest
 * of the swarm (docs/benchmarks.md, "Targets (issue 14, real swarm)").
 *
 * <p>Not a test (no timing assertions): run it with the test classpath, e.g. {@code java -cp
 * worker-agent/target/test-classes:worker-agent/target/classes:$(cat cp.txt)
 * io.swarmsched.agent.origin.OriginReadBench 64 8 256 2 3} (limit MiB/s, 0 = unlimited; ranges;
 * file MiB; piece MiB; rounds).
 */
public final class OriginReadBench {
  private OriginReadBench() {}

  public static void main(String[] args) throws Exception {
    long limitMib = args.length > 0 ? Long.parseLong(args[0]) : 64;
    int ranges = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int mib = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    int pieceMib = args.length > 3 ? Integer.parseInt(args[3]) : 2;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
    Path root = Files.createTempDirectory("origin-read-bench");
    Path file = root.resolve("content.bin");
    byte[] block = new byte[1 << 20];
    new Random(1).nextBytes(block);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < mib; i++) {
        out.write(block);
      }
    }
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    int piece = pieceMib << 20;
    int pieces = mib / pieceMib;
    try (OriginServer server = OriginServer.start(root, "127.0.0.1", 0, true, limitMib << 20)) {
      OriginClient client = new OriginClient(Duration.ofSeconds(60));
      String url = server.url("content.bin");
      System.out.printf(
          "origin limit %s, %d ranges in flight, %d MiB in %d MiB pieces%n",
          limitMib > 0 ? limitMib + " MiB/s" : "none", ranges, mib, pieceMib);
      for (int round = 0; round < rounds; round++) {
        ExecutorService pool = Executors.newFixedThreadPool(ranges);
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        List<Future<byte[]>> reads = new ArrayList<>();
        for (int p = 0; p < pieces; p++) {
          long offset = (long) p * piece;
          reads.add(pool.submit(() -> client.fetchRange(url, offset, piece)));
        }
        long bytes = 0;
        for (Future<byte[]> r : reads) {
          bytes += r.get().length;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        pool.shutdown();
        System.out.printf(
            "round %d: %.2f s, %.1f MiB/s, %.2f CPU-s per GiB (server and client)%n",
            round, secs, bytes / (double) (1 << 20) / secs, cpu / (bytes / (double) (1L << 30)));
      }
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(root);
    }
  }
}
