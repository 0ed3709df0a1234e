package io.swarmsched.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PartitionClockTest {
  private static final long WALL = 1_000_000L;
  private final PartitionClock clock = new PartitionClock(Duration.ofSeconds(10));

  @Test
  void aRecordWithinTheBoundIsItsOwnDecisionTime() {
    assertThat(clock.observe(WALL - 500, WALL - 500, WALL)).isEqualTo(WALL - 500);
    assertThat(clock.now(WALL - 500, WALL)).isEqualTo(WALL - 500);
  }

  @Test
  void aRecordDatedPastTheBoundDoesNotMoveTheClock() {
    clock.observe(WALL - 500, WALL - 500, WALL);
    long hourAhead = WALL + 3_600_000L;
    // Streams' stream time jumps to the forged timestamp; the decision time does not
    assertThat(clock.observe(hourAhead, hourAhead, WALL)).isEqualTo(WALL - 500);
    assertThat(clock.now(hourAhead, WALL)).isEqualTo(WALL - 500);
    // the next honest record moves it on as usual
    assertThat(clock.observe(WALL + 100, hourAhead, WALL + 100)).isEqualTo(WALL + 100);
  }

  @Test
  void aRecordBehindTheClockIsDecidedAtTheClock() {
    clock.observe(WALL, WALL, WALL);
    assertThat(clock.observe(WALL - 2_000, WALL, WALL)).isEqualTo(WALL);
  }

  @Test
  void afterARestartTheRestoredStreamTimeIsTrusted() {
    // the first record after a restart is ahead; the restored stream time is within the bound
    assertThat(clock.observe(WALL + 60_000, WALL - 5_000, WALL)).isEqualTo(WALL - 5_000);
  }

  @Test
  void beforeAnyRecordTheClockIsCappedAtTheBound() {
    assertThat(clock.now(WALL + 60_000, WALL)).isEqualTo(WALL + 10_000);
  }
}
