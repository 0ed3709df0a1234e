package io.swarmsched.cluster;

import java.io.IOException;
import java.io.InputStream;

/**
 * Entry point of the broker's child JVM: {@code kafka.Kafka server.properties}, plus a watchdog so
 * the broker never outlives the {@code swarmsched} process that started it. The parent keeps the
 * child's stdin open; when the parent dies (even by SIGKILL) the pipe closes, the watchdog reads
 * end-of-file and exits, and Kafka's own shutdown hook stops the broker cleanly. A second watchdog
 * on the parent's process handle covers platforms where the pipe might linger.
 *
 * <p>SIGINT is ignored: Ctrl-C in a terminal reaches every process of the foreground group, and the
 * broker must outlive the services the parent is still closing (they commit and leave their groups
 * through it); the parent stops the broker last, by closing it or by exiting.
 */
public final class BrokerMain {
  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: BrokerMain <server.properties>");
      System.exit(2);
    }
    ignoreInterrupt();
    watchStdin();
    ProcessHandle.current()
        .parent()
        .ifPresent(
            parent ->
                parent.onExit().thenRun(() -> exit("parent process " + parent.pid() + " exited")));
    kafka.Kafka.main(args);
  }

  @SuppressWarnings("restriction")
  private static void ignoreInterrupt() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      // no SIGINT on this platform: nothing to ignore
    }
  }

  private static void watchStdin() {
    Thread watchdog =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() != -1) {
                  // the parent never writes; anything read is ignored
                }
              } catch (IOException e) {
                // a broken pipe means the same thing as end-of-file
              }
              exit("parent closed the control pipe");
            },
            "swarmsched-parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private static void exit(String why) {
    System.err.println("swarmsched broker: " + why + "; shutting down");
    System.exit(0);
  }
}
