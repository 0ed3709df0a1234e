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

  /** Blocks until {@code bytes} may be sent. */
  public void acquire(long bytes) throws InterruptedException {
    if (bytesPerSecond <= 0 || bytes <= 0) {
      return;
    }
    long remaining = bytes;
    while (remaining > 0) {
      long waitNanos;
      synchronized (this) {
        refill();
        if (tokens >= 1) {
          long take = (long) Math.min(tokens, remaining);
          tokens -= take;
          remaining -= take;
          continue;
        }
        waitNanos =
            (long) ((1 - tokens) * TimeUnit.SECONDS.toNanos(1) / bytesPerSecond)
                + TimeUnit.MILLISECONDS.toNanos(1);
      }
      parker.accept(Math.min(waitNanos, TimeUnit.MILLISECONDS.toNanos(50)));
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
