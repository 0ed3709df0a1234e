package io.swarmsched.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds or a deadline passes. Use this instead of sleeping: on a loaded
 * machine a fixed sleep is either too short (flaky) or too long (slow).
 */
public final class Await {
  private Await() {}

  private static final long MAX_PAUSE_MS = 200;

  /**
   * Waits until {@code condition} is true; throws an AssertionError naming {@code what} on timeout.
   */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    value(
        timeout,
        what,
        () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
  }

  /**
   * Waits until {@code probe} yields a value and returns it; throws an AssertionError naming {@code
   * what} (and the last exception the probe threw, if any) on timeout.
   */
  public static <T> T value(Duration timeout, String what, Supplier<Optional<T>> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pauseMs = 10;
    RuntimeException lastFailure = null;
    while (true) {
      try {
        Optional<T> result = probe.get();
        if (result.isPresent()) {
          return result.get();
        }
        lastFailure = null;
      } catch (RuntimeException e) {
        lastFailure = e;
      }
      if (System.nanoTime() - deadline >= 0) {
        AssertionError error =
            new AssertionError(
                "Timed out after "
                    + timeout
                    + " waiting for: "
                    + what
                    + " (threads: "
                    + ThreadDumps.write("timed out waiting for: " + what)
                    + ")");
        if (lastFailure != null) {
          error.initCause(lastFailure);
        }
        throw error;
      }
      try {
        Thread.sleep(pauseMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("Interrupted while waiting for: " + what, e);
      }
      pauseMs = Math.min(MAX_PAUSE_MS, pauseMs * 2);
    }
  }
}
