package io.swarmsched.agent.server;

import io.swarmsched.agent.server.ParentClient.PieceAnswer;
import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.agent.storage.PieceLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's data path on loopback, alone: one real {@link PieceServer} (the parent) and {@code
 * agents} children, each with its own {@link ParentClient} and {@code workers} threads, fetch
 * pieces until {@code gib} GiB have moved; every piece is verified and written to the child's
 * {@link PieceFile} as a download does. Prints CPU seconds of the whole process per GiB moved and
 * MiB/s (docs/benchmarks.md, "The agent's data path").
 *
 * <p>Not a test (no timing assertions): run it with the test classpath, e.g. {@code java -cp
 * worker-agent/target/test-classes:worker-agent/target/classes:$(cat cp.txt)
 * io.swarmsched.agent.server.DataPathBench 4 8 4}.
 */
public final class DataPathBench {
  private DataPathBench() {}

  public static void main(String[] args) throws Exception {
    double gib = args.length > 0 ? Double.parseDouble(args[0]) : 4;
    int agents = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int workers = args.length > 2 ? Integer.parseInt(args[2]) : 4;
    int pieceLength = args.length > 3 ? Integer.parseInt(args[3]) : 2 << 20;
    int pieces = 32;
    Path dir = Files.createTempDirectory("datapath-bench");
    PieceLayout layout = new PieceLayout((long) pieces * pieceLength, pieceLength);
    PieceFile seed = PieceFile.open(dir.resolve("seed"), layout);
    Random random = new Random(1);
    String[] digests = new String[pieces];
    for (int p = 0; p < pieces; p++) {
      byte[] b = new byte[pieceLength];
      random.nextBytes(b);
      digests[p] = seed.writeFromOrigin(p, b);
    }
    List<PieceFile> children = new ArrayList<>();
    for (int a = 0; a < agents; a++) {
      children.add(PieceFile.open(dir.resolve("child-" + a), layout));
    }
    try (PieceServer server =
        PieceServer.start(t -> Optional.of(seed), "127.0.0.1", 0, 0, agents * workers)) {
      String address = "127.0.0.1:" + server.port();
      // Warm-up: JIT, connections.
      run(address, children, digests, workers, 512L << 20);
      var os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long wall0 = System.nanoTime();
      long gcBefore = gcMillis();
      long moved = run(address, children, digests, workers, (long) (gib * (1L << 30)));
      double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
      double wall = (System.nanoTime() - wall0) / 1e9;
      double movedGib = moved / (double) (1L << 30);
      System.out.printf(
          "datapath: %.2f GiB in %.2f s = %.0f MiB/s; process CPU %.2f s = %.2f CPU-s/GiB;"
              + " GC %d ms; %d agents x %d workers, piece %d KiB; load %.1f%n",
          movedGib,
          wall,
          moved / (double) (1 << 20) / wall,
          cpu,
          cpu / movedGib,
          gcMillis() - gcBefore,
          agents,
          workers,
          pieceLength >> 10,
          os.getSystemLoadAverage());
    } finally {
      seed.close();
      for (PieceFile c : children) {
        c.close();
      }
      try (var files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.delete(p);
        }
      }
      Files.delete(dir);
    }
    System.exit(0);
  }

  private static long gcMillis() {
    long t = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      t += gc.getCollectionTime();
    }
    return t;
  }

  private static long run(
      String address, List<PieceFile> children, String[] digests, int workers, long bytes)
      throws InterruptedException {
    AtomicLong moved = new AtomicLong();
    AtomicLong next = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (PieceFile child : children) {
      ParentClient client = new ParentClient(Duration.ofSeconds(10));
      for (int w = 0; w < workers; w++) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    while (moved.get() < bytes) {
                      int piece = (int) (next.getAndIncrement() % digests.length);
                      PieceAnswer a = client.fetch(address, "bench", piece);
                      if (!(a instanceof PieceAnswer.Bytes b)) {
                        throw new IllegalStateException("piece " + piece + ": " + a);
                      }
                      child.writeVerified(piece, b.data(), digests[piece]);
                      moved.addAndGet(b.data().length);
                    }
                  } catch (Exception e) {
                    e.printStackTrace();
                    Thread.getAllStackTraces()
                        .forEach(
                            (th, st) -> {
                              System.err.println("--- " + th.getName() + " " + th.getState());
                              for (int i = 0; i < Math.min(8, st.length); i++) {
                                System.err.println("    " + st[i]);
                              }
                            });
                    System.exit(1);
                  }
                });
        threads.add(t);
        t.start();
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    return moved.get();
  }
}
