package io.swarmsched.bench.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.JobEventType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementsTest {
  private static final long MS = 1_000_000L;

  @Test
  void rateIsPlacementsOverFirstSendToLastPlacementAndLatencyIsPerJob() {
    Placements p = new Placements();
    // 100 jobs sent 1 ms apart from t = 1 s; each placed 10 ms after its send, on 50 workers
    long t0 = 1_000 * MS;
    for (int i = 0; i < 100; i++) {
      p.submitted("j" + i, t0 + i * MS);
    }
    for (int i = 0; i < 100; i++) {
      assertThat(
              p.decided("j" + i, DecisionOutcome.ASSIGNED, "w" + (i % 50), t0 + i * MS + 10 * MS))
          .isTrue();
    }
    // last placement at t0 + 99 ms + 10 ms: 100 placements in 0.109 s
    assertThat(p.seconds()).isCloseTo(0.109, within(1e-9));
    assertThat(p.perSec()).isCloseTo(100 / 0.109, within(1e-6));
    assertThat(p.latencies().count()).isEqualTo(100);
    assertThat(p.latencies().millisAt(0.5)).isCloseTo(10.0, within(0.01));
    assertThat(p.latencies().millisAt(0.99)).isCloseTo(10.0, within(0.01));
    assertThat(p.placed()).isEqualTo(100);
    assertThat(p.missing()).isZero();
    assertThat(p.workersUsed()).isEqualTo(50);
    assertThat(p.mostOnOneWorker()).isEqualTo(2);
    assertThat(p.perWorker()).containsEntry("w0", 2).hasSize(50);
  }

  @Test
  void latencyPercentilesFollowTheSpreadOfPlacements() {
    Placements p = new Placements();
    for (int i = 1; i <= 1000; i++) {
      p.submitted("j" + i, 0);
      p.decided("j" + i, DecisionOutcome.ASSIGNED, "w", i * MS); // 1..1000 ms
    }
    assertThat(p.latencies().millisAt(0.5)).isCloseTo(500, within(1.0));
    assertThat(p.latencies().millisAt(0.99)).isCloseTo(990, within(1.0));
    assertThat(p.perSec()).isCloseTo(1000.0, within(1e-6)); // 1,000 in 1 s
  }

  @Test
  void otherJobsAreIgnoredRepeatsAreDuplicatesAndOtherOutcomesAreCountedNotPlaced() {
    Placements p = new Placements();
    p.submitted("a", 0);
    p.submitted("b", 0);
    p.submitted("c", 0);
    assertThat(p.decided("warm-1", DecisionOutcome.ASSIGNED, "w1", 5 * MS)).isFalse();
    assertThat(p.decided("a", DecisionOutcome.ASSIGNED, "w1", 5 * MS)).isTrue();
    assertThat(p.decided("a", DecisionOutcome.ASSIGNED, "w2", 50 * MS)).isTrue();
    assertThat(p.decided("b", DecisionOutcome.QUEUED, "bench", 6 * MS)).isTrue();

    assertThat(p.placed()).isEqualTo(1);
    assertThat(p.missing()).isEqualTo(2);
    assertThat(p.duplicates()).isEqualTo(1);
    assertThat(p.outcomes())
        .isEqualTo(Map.of(DecisionOutcome.ASSIGNED, 2, DecisionOutcome.QUEUED, 1));
    // the duplicate neither moves the end of the phase nor adds a latency sample
    assertThat(p.seconds()).isCloseTo(0.005, within(1e-9));
    assertThat(p.latencies().count()).isEqualTo(1);
    assertThat(p.perWorker()).isEqualTo(Map.of("w1", 1));
  }

  @Test
  void noPlacementMeansNoRateAndASecondSubmissionOfAJobIsAnError() {
    Placements p = new Placements();
    p.submitted("a", 10);
    assertThat(p.perSec()).isZero();
    assertThat(p.seconds()).isZero();
    assertThat(p.mostOnOneWorker()).isZero();
    assertThatThrownBy(() -> p.submitted("a", 20)).hasMessageContaining("submitted twice");
  }

  @Test
  void theSubmissionIsWhatPostApiV1JobsWrites() {
    var e = JobPlacementBench.submission("job-1", java.time.Instant.EPOCH);
    assertThat(e.getType()).isEqualTo(JobEventType.SUBMITTED);
    assertThat(e.getJobId()).isEqualTo("job-1");
    assertThat(e.getAttempt()).isZero();
    assertThat(e.getRequestId()).isEqualTo("job/job-1");
    assertThat(e.getJob().getRequiredTags()).containsExactly(JobPlacementBench.POOL_TAG);
    assertThat(e.getWorkerHostId()).isNull();
  }

  @Test
  void theSteadyRateIsHalfTheBurstsRoundedDownToTensWithinBounds() {
    assertThat(JobPlacementBench.steadyRate(234.0, 1000)).isEqualTo(110);
    assertThat(JobPlacementBench.steadyRate(5_000.0, 1000)).isEqualTo(1000);
    assertThat(JobPlacementBench.steadyRate(3.0, 1000)).isEqualTo(10);
    assertThat(JobPlacementBench.steadyRate(0.0, 1000)).isEqualTo(10);
  }
}
