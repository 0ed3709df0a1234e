package io.swarmsched.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Port checks done before anything starts, so a clash is reported by name instead of as a bind
 * stack trace.
 */
public final class Ports {
  private Ports() {}

  /**
   * Throws {@link PortInUseException} naming {@code purpose} and {@code flag} if {@code port}
   * cannot be bound.
   */
  public static void requireFree(String purpose, int port, String flag) {
    if (port == 0) {
      return; // ephemeral: the OS picks a free one
    }
    if (!isFree(port)) {
      throw new PortInUseException(purpose, port, flag);
    }
  }

  /** True when a server socket can bind {@code port} on all interfaces right now. */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      // SO_REUSEADDR as the broker itself uses it, so sockets lingering in TIME_WAIT after a
      // previous run do not count as "taken".
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Ports handed out by {@link #findFree} in this JVM: never handed out twice. */
  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Lowest port {@link #findFree} picks below the ephemeral range. */
  static final int LOW = 10_000;

  /**
   * A port that was free a moment ago (for tests and for callers that want any port), and that this
   * JVM has not handed out before. Picked below the kernel's ephemeral range
   * (/proc/sys/net/ipv4/ip_local_port_range) where there is room: a port the kernel chose from that
   * range could, between this call and the caller's bind, become the local port of one of the
   * process's own outgoing connections (Kafka clients open dozens), and the bind then fails with
   * "Address already in use" (seen in {@code SwarmSystemTest}).
   */
  public static int findFree() {
    int[] ephemeral = ephemeralRange();
    if (ephemeral != null && ephemeral[0] - LOW >= 1_000) {
      java.util.concurrent.ThreadLocalRandom random =
          java.util.concurrent.ThreadLocalRandom.current();
      for (int attempt = 0; attempt < 200; attempt++) {
        int port = random.nextInt(LOW, ephemeral[0]);
        if (!HANDED_OUT.contains(port) && isFree(port) && HANDED_OUT.add(port)) {
          return port;
        }
      }
    }
    for (int attempt = 0; ; attempt++) {
      int port = anyFree();
      if (HANDED_OUT.add(port) || attempt >= 20) {
        return port;
      }
    }
  }

  /** The kernel's ephemeral port range, or null where it cannot be read (not Linux). */
  static int[] ephemeralRange() {
    // read line by line: Files.readString returned only "3" of "32768\t60999" (a /proc file says
    // its size is 0, and the JDK 17 read stopped after its first read)
    try (java.io.BufferedReader r =
        java.nio.file.Files.newBufferedReader(
            java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      String line = r.readLine();
      if (line == null) {
        return null;
      }
      String[] parts = line.trim().split("\\s+");
      int low = Integer.parseInt(parts[0]);
      int high = Integer.parseInt(parts[1]);
      return low > 0 && low <= high && high <= 65535 ? new int[] {low, high} : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static int anyFree() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
