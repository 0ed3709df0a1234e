package io.swarmsched.bench.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The phases of both runs fit the pool (the full run once asked for more slots than it had). */
class JobPlacementPhasesTest {
  @Test
  void quickAndFullPhasesFitThePool() {
    for (boolean quick : new boolean[] {true, false}) {
      assertThat(
              JobPlacementBench.fitsThePool(
                  JobPlacementBench.burst(quick),
                  JobPlacementBench.maxRate(quick),
                  JobPlacementBench.steady(quick)))
          .as(quick ? "quick" : "full")
          .isTrue();
    }
  }

  @Test
  void phasesThatWouldQueueJobsAreRefused() {
    // the full run's phases before: 500 + 20,000 + 2,000/s for 12 s > 10,000 workers x 4 slots
    assertThat(JobPlacementBench.fitsThePool(20_000, 2_000, Duration.ofSeconds(12))).isFalse();
  }
}
