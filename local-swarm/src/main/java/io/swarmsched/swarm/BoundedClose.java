package io.swarmsched.swarm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closing with a bound: every part is closed at once on its own daemon thread, and the caller waits
 * at most a budget. A part that hangs (a Kafka client waiting for a broker that is gone) is named
 * in the log and left behind, so a process can still exit.
 */
public final class BoundedClose {
  private static final Logger log = LoggerFactory.getLogger(BoundedClose.class);

  private BoundedClose() {}

  /**
   * Closes every non-null part concurrently and waits up to {@code budget} for all of them.
   *
   * @return true when every part finished closing within the budget
   */
  public static boolean all(
      String what, Collection<? extends AutoCloseable> parts, Duration budget) {
    List<Thread> threads = new ArrayList<>();
    for (AutoCloseable part : parts) {
      if (part == null) {
        continue;
      }
      Thread t =
          new Thread(
              () -> {
                try {
                  part.close();
                } catch (Exception e) {
                  log.warn("Stopping {} failed: {}", name(part), e.toString());
                }
              },
              "close-" + name(part));
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    long deadline = System.nanoTime() + budget.toNanos();
    List<String> stuck = new ArrayList<>();
    for (Thread t : threads) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      try {
        if (left > 0) {
          t.join(left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        stuck.add(t.getName().substring("close-".length()));
      }
    }
    if (!stuck.isEmpty()) {
      log.warn(
          "Stopping {}: {} did not finish within {} s; leaving them behind",
          what,
          stuck,
          budget.toSeconds());
    }
    return stuck.isEmpty();
  }

  public static boolean all(String what, Duration budget, AutoCloseable... parts) {
    return all(what, java.util.Arrays.stream(parts).filter(Objects::nonNull).toList(), budget);
  }

  private static String name(AutoCloseable part) {
    return part.getClass().getSimpleName()
        + "@"
        + Integer.toHexString(System.identityHashCode(part));
  }
}
