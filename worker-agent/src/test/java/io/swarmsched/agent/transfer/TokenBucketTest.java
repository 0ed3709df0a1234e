package io.swarmsched.agent.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  @Test
  void unlimitedBucketNeverBlocks() throws InterruptedException {
    TokenBucket bucket = new TokenBucket(0);
    bucket.acquire(Long.MAX_VALUE / 2);
    assertThat(bucket.bytesPerSecond()).isZero();
  }

  @Test
  void takingMoreThanOneSecondOfTokensWaitsForTheRefill() throws InterruptedException {
    AtomicLong now = new AtomicLong();
    TokenBucket bucket = new TokenBucket(200_000, now::get, now::addAndGet);
    // One second of tokens is there at the start; the other half second must be waited for.
    bucket.acquire(300_000);
    assertThat(now.get()).isBetween(500_000_000L, 600_000_000L);
  }

  @Test
  void aLongIdlePeriodAllowsAtMostOneSecondOfBurst() throws InterruptedException {
    AtomicLong now = new AtomicLong();
    TokenBucket bucket = new TokenBucket(100_000, now::get, now::addAndGet);
    now.addAndGet(60_000_000_000L); // a minute idle
    long before = now.get();
    bucket.acquire(100_000);
    assertThat(now.get()).isEqualTo(before);
    bucket.acquire(50_000);
    assertThat(now.get() - before).isBetween(500_000_000L, 600_000_000L);
  }

  /**
   * On a drained bucket a caller parks once for its share instead of looping over the few bytes
   * each microsecond adds (the clock here moves 1 µs per read, as a busy loop's would).
   */
  @Test
  void aCallerOnADrainedBucketParksOnceAndDoesNotSpin() throws InterruptedException {
    AtomicLong now = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    AtomicLong parks = new AtomicLong();
    TokenBucket bucket =
        new TokenBucket(
            32L << 20,
            () -> {
              reads.incrementAndGet();
              return now.addAndGet(1_000);
            },
            nanos -> {
              parks.incrementAndGet();
              now.addAndGet(nanos);
            });
    bucket.acquire(32L << 20); // the whole second of tokens
    reads.set(0);
    long before = now.get();
    bucket.acquire(128 << 10);
    assertThat(parks.get()).isEqualTo(1);
    assertThat(reads.get()).isLessThanOrEqualTo(3);
    // 128 KiB at 32 MiB/s is 3.9 ms
    assertThat(now.get() - before).isBetween(3_800_000L, 4_000_000L);
  }
}
