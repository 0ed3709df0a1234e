package io.swarmsched.scheduling.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostAllocationsTest {

  @Test
  void sinceCountsOnlyAllocationsAtOrAfterTheTime() {
    HostAllocations a = new HostAllocations();
    for (long t : new long[] {5, 10, 10, 20}) a.record(t);
    assertThat(a.since(10)).isEqualTo(3);
    assertThat(a.since(21)).isZero();
    assertThat(a.size()).isEqualTo(4);
  }

  @Test
  void sinceAgreesWithASumOverEveryAllocationAfterRecordsExpiriesAndCaps() {
    java.util.Random rnd = new java.util.Random(17);
    HostAllocations a = new HostAllocations();
    for (int step = 0; step < 2_000; step++) {
      long t = step / 3 + rnd.nextInt(4);
      switch (rnd.nextInt(10)) {
        case 0 -> a.expireBefore(t - rnd.nextInt(20));
        case 1 -> a.keepNewest(rnd.nextInt(30));
        default -> a.record(t, 1 + rnd.nextInt(3));
      }
      long at = t - rnd.nextInt(40) + 10; // before the oldest, inside, and after the newest
      int expected =
          a.byTime().tailMap(at, true).values().stream().mapToInt(Integer::intValue).sum();
      assertThat(a.since(at)).as("since(%d) at step %d", at, step).isEqualTo(expected);
    }
    assertThat(new HostAllocations().since(0)).isZero();
  }

  @Test
  void expiringForgetsWhatAReportCovers() {
    HostAllocations a = new HostAllocations();
    for (long t : new long[] {5, 10, 10, 20}) a.record(t);
    a.expireBefore(10);
    assertThat(a.size()).isEqualTo(3);
    assertThat(a.since(0)).isEqualTo(3);
  }

  @Test
  void keepNewestDropsTheOldestFirstEvenWithinOneTime() {
    HostAllocations a = new HostAllocations();
    a.record(1, 3);
    a.record(2);
    a.keepNewest(2);
    assertThat(a.byTime()).containsExactly(java.util.Map.entry(1L, 1), java.util.Map.entry(2L, 1));
    assertThat(a.size()).isEqualTo(2);
  }

  @Test
  void theLogCountsPerHostThroughIt() {
    AllocationLog log = new AllocationLog();
    log.record("h1", 10);
    log.record("h1", 20);
    log.record("h2", 10);
    log.expire("h1", 15);
    assertThat(log.since("h1", 0)).isEqualTo(1);
    assertThat(log.size()).isEqualTo(2);
    log.expireAll(100);
    assertThat(log.size()).isZero();
    assertThat(log.hosts()).isZero();
  }

  @Test
  void aCountBelowOneIsRefused() {
    assertThatThrownBy(() -> new HostAllocations().record(1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count");
  }
}
