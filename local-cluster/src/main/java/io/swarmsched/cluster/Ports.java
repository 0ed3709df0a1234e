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

  /** A port that was free a moment ago (for tests and for callers that want any port). */
  public static int findFree() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
