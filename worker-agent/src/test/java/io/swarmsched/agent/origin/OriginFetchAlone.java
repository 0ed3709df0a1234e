package io.swarmsched.agent.origin;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What this machine can do for a seed's fill, without the rest of the swarm: an {@link
 * OriginServer} with an egress limit and an {@link OriginClient} fetching ranges eight at a time,
 * each hashed and written in place, as {@code OriginFetch} does; no broker, no other agents. Not a
 * test: a yardstick for the demo's seed fill (docs/benchmarks.md, "Distribution on a real swarm").
 *
 * <pre>
 * java -cp "worker-agent/target/test-classes:worker-agent/target/classes:cli/target/lib/*" \
 *   io.swarmsched.agent.origin.OriginFetchAlone DIR FILE LIMIT_BYTES_PER_S PIECE_BYTES OUT
 * </pre>
 */
public final class OriginFetchAlone {
  private OriginFetchAlone() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: OriginFetchAlone DIR FILE LIMIT_BYTES_PER_S PIECE_BYTES OUT");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    String name = args[1];
    long limit = Long.parseLong(args[2]);
    int piece = Integer.parseInt(args[3]);
    long size = Files.size(dir.resolve(name));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (OriginServer origin = OriginServer.start(dir, "127.0.0.1", 0, true, limit);
        FileChannel out =
            FileChannel.open(
                Path.of(args[4]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      OriginClient client = new OriginClient(Duration.ofSeconds(60));
      long start = System.nanoTime();
      List<Future<?>> pieces = new ArrayList<>();
      for (long offset = 0; offset < size; offset += piece) {
        long at = offset;
        int length = (int) Math.min(piece, size - offset);
        pieces.add(
            pool.submit(
                () -> {
                  byte[] bytes = client.fetchRange(origin.url(name), at, length);
                  MessageDigest.getInstance("SHA-256").digest(bytes);
                  out.write(ByteBuffer.wrap(bytes), at);
                  return null;
                }));
      }
      for (Future<?> f : pieces) {
        f.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "%d MiB in %.2f s = %.1f MiB/s (limit %.0f MiB/s)%n",
          size >> 20,
          seconds,
          size / 1048576.0 / seconds,
          limit / 1048576.0);
    } finally {
      pool.shutdownNow();
    }
  }
}
