package io.swarmsched.agent.transfer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Limits a byte rate shared by many threads (all uploads of an agent). Holds at most one second of
 * tokens so a quiet period does not allow a burst above the limit for long. A rate of 0 or less
 * means unlimited.
 */
public final class TokenBucket {
  private final long bytesPerSecond;
  private final LongSupplier nanoClock;
  private final LongConsumer parker;
  private double tokens;
  private long lastRefillNanos;

  public TokenBucket(long bytesPerSecond) {
    this(bytesPerSecond, System::nanoTime, LockSupport::parkNanos);
  }

  /** With its own clock and way of waiting, so tests control time. */
  TokenBucket(long bytesPerSecond, LongSupplier nanoClock, LongConsumer parker) {
    this.bytesPerSecond = bytesPerSecond;
    this.nanoClock = nanoClock;
    this.parker = parker;
    this.tokens = bytesPerSecond;
    this.lastRefillNanos = nanoClock.getAsLong();
  }

  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  /**
   * Blocks until {@code bytes} may be sent. The caller takes its bytes at once, running the bucket
   * into debt if it must, and waits out its share of the debt in one park: callers are served in
   * the order they came, and none spins. (Taking what was there and looping for the rest made a
   * drained bucket hand out a few dozen bytes per microsecond to callers that never parked: at 64
   * MiB/s, 8 origin connections spent 1.5 cores in this loop, {@code OriginReadBench}.)
   */
  public void acquire(long bytes) throws InterruptedException {
    if (bytesPerSecond <= 0 || bytes <= 0) {
      return;
    }
    long waitNanos;
    synchronized (this) {
      refill();
      tokens -= bytes;
      waitNanos =
          tokens >= 0
              ? 0
              : (long) Math.ceil(-tokens * TimeUnit.SECONDS.toNanos(1) / bytesPerSecond);
    }
    if (waitNanos <= 0) {
      return;
    }
    long deadline = nanoClock.getAsLong() + waitNanos;
    for (long left = waitNanos; left > 0; left = deadline - nanoClock.getAsLong()) {
      parker.accept(left);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }

  private void refill() {
    long now = nanoClock.getAsLong();
    double add = (now - lastRefillNanos) * (double) bytesPerSecond / TimeUnit.SECONDS.toNanos(1);
    tokens = Math.min(bytesPerSecond, tokens + add);
    lastRefillNanos = now;
  }
}
