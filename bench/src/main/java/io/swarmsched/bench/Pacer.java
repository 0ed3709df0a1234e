package io.swarmsched.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop pacing at a fixed rate: the i-th event is due at {@code start + i/rate}, whatever
 * happened before.
 */
public final class Pacer {
  private final long start = System.nanoTime();
  private final double intervalNanos;

  public Pacer(double perSecond) {
    if (perSecond <= 0) {
      throw new IllegalArgumentException("rate must be > 0, was " + perSecond);
    }
    this.intervalNanos = 1e9 / perSecond;
  }

  /** Blocks until event {@code i} is due; returns its due time (System.nanoTime scale). */
  public long awaitTurn(long i) {
    long due = start + (long) (i * intervalNanos);
    while (true) {
      long wait = due - System.nanoTime();
      if (wait <= 0) {
        return due;
      }
      LockSupport.parkNanos(Math.min(wait, 1_000_000L));
    }
  }

  public long startNanos() {
    return start;
  }
}
