package io.swarmsched.agent.transfer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte counter with a rate over the last completed second(s): what an agent reports as tx or rx
 * in its heartbeats and on its live-load endpoint.
 */
public final class RateMeter {
  private final AtomicLong total = new AtomicLong();
  private long windowStartNanos = System.nanoTime();
  private long windowStartTotal;
  private volatile long lastRate;

  public void add(long bytes) {
    total.addAndGet(bytes);
  }

  public long total() {
    return total.get();
  }

  /** Bytes per second over the last window of at least one second. */
  public synchronized long rate() {
    long now = System.nanoTime();
    long elapsed = now - windowStartNanos;
    if (elapsed >= 1_000_000_000L) {
      long t = total.get();
      lastRate = (long) ((t - windowStartTotal) * 1e9 / elapsed);
      windowStartNanos = now;
      windowStartTotal = t;
    }
    return lastRate;
  }
}
