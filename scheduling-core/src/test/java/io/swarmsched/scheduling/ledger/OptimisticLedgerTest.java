package io.swarmsched.scheduling.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.scoring.LoadQuality;
import io.swarmsched.scoring.LoadQualityCalculator;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OptimisticLedgerTest {

  private static final long MIB = 1024L * 1024;
  private static final double EPS = 1e-12;

  private final LoadQualityCalculator calc = new LoadQualityCalculator();
  private final OptimisticLedger ledger = new OptimisticLedger(calc);
  private final HostView host =
      HostView.online(
          "h", HostType.NORMAL, "", "", HostCapacity.uploads(64 * MIB, 10), HostLoad.IDLE);
  // maxTx 64 MiB/s, peak 16 MiB/s: peak part 0.75, duration 1, concurrency 1 -> 0.875
  private final ScoreView score =
      new ScoreView("h", new LoadQuality(0.875, 0.75, 1.0, 1.0, 16 * MIB, 0), 64 * MIB, 0, 1_000);

  @Test
  void withoutAllocationsThePublishedScoreIsUsedAsIs() {
    LoadEstimate e = ledger.estimate(host, Optional.of(score));
    assertThat(e.loadQuality()).isEqualTo(score.loadQuality());
    assertThat(e.pending()).isZero();
    assertThat(e.fromScore()).isTrue();
  }

  @Test
  void eachEdgeAddsOneUploadAndOneStreamRateUntilANewerScore() {
    ledger.recordAllocation("h", 900); // before the score: already in it
    ledger.recordAllocation("h", 1_500);
    LoadEstimate one = ledger.estimate(host, Optional.of(score));
    // peak 16 + 16 = 32 MiB/s -> 0.5; c = 1 <= need 4 -> 1; LQ = 0.25 + 0.3 + 0.2
    assertThat(one.pending()).isEqualTo(1);
    assertThat(one.concurrentUploads()).isEqualTo(1);
    assertThat(one.loadQuality().peakBandwidthUsage()).isCloseTo(0.5, within(EPS));
    assertThat(one.loadQuality().loadQuality()).isCloseTo(0.75, within(EPS));

    for (int i = 0; i < 4; i++) {
      ledger.recordAllocation("h", 1_600);
    }
    LoadEstimate five = ledger.estimate(host, Optional.of(score));
    // peak 16 + 80 MiB/s >= 64 -> 0; c = 5 -> 4/5; LQ = 0 + 0.3 + 0.2 * 0.8
    assertThat(five.loadQuality().concurrentEfficiency()).isCloseTo(0.8, within(EPS));
    assertThat(five.loadQuality().loadQuality()).isCloseTo(0.46, within(EPS));

    ScoreView newer = new ScoreView("h", score.loadQuality(), 64 * MIB, 5, 2_000);
    ledger.onScore("h", 2_000);
    assertThat(ledger.estimate(host, Optional.of(newer)).loadQuality())
        .isEqualTo(score.loadQuality());
    assertThat(ledger.size()).isZero();
  }

  @Test
  void allocationsAtTheScoreInstantStillCount() {
    ledger.recordAllocation("h", 1_000);
    assertThat(ledger.estimate(host, Optional.of(score)).pending()).isEqualTo(1);
    ledger.onScore("h", 1_000);
    assertThat(ledger.size()).isEqualTo(1);
  }

  @Test
  void withoutAScoreTheHeartbeatIsTheBaselineFromItsTime() {
    HostView busy = host.withLoad(new HostLoad(32 * MIB, 2, 0), 5_000);
    ledger.recordAllocation("h", 4_000);
    ledger.recordAllocation("h", 6_000);
    LoadEstimate e = ledger.estimate(busy, Optional.empty());
    // base: one bucket of 32 MiB/s: peak 0.5; c = 2 + 1 pending; peak after = 48 MiB/s -> 0.25
    assertThat(e.fromScore()).isFalse();
    assertThat(e.pending()).isEqualTo(1);
    assertThat(e.concurrentUploads()).isEqualTo(3);
    assertThat(e.loadQuality().peakBandwidthUsage()).isCloseTo(0.25, within(EPS));
    assertThat(e.loadQuality().bandwidthDurationRatio()).isCloseTo(1.0, within(EPS));
    assertThat(e.loadQuality().loadQuality()).isCloseTo(0.5 * 0.25 + 0.3 + 0.2, within(EPS));
  }

  @Test
  void unknownCapacityStaysZeroAndExpiryBoundsMemory() {
    HostView unknown =
        HostView.online("u", HostType.NORMAL, "", "", HostCapacity.UNKNOWN, HostLoad.IDLE);
    ledger.recordAllocation("u", 10);
    assertThat(ledger.estimate(unknown, Optional.empty()).loadQuality().loadQuality()).isZero();
    ledger.recordAllocation("h", 20);
    ledger.expireBefore(15);
    assertThat(ledger.size()).isEqualTo(1);
    assertThat(ledger.pending("h", 0)).isEqualTo(1);
  }

  @Test
  void aLedgerOverAllocationsKeptElsewhereCountsThemAndCannotBeWrittenTo() {
    // two allocations at or after the score's time on "h", none elsewhere
    OptimisticLedger readOnly =
        new OptimisticLedger(calc, (hostId, since) -> "h".equals(hostId) && since <= 1_000 ? 2 : 0);
    LoadEstimate e = readOnly.estimate(host, Optional.of(score));
    ledger.recordAllocation("h", 1_000);
    ledger.recordAllocation("h", 1_200);
    LoadEstimate same = ledger.estimate(host, Optional.of(score));
    assertThat(e.pending()).isEqualTo(2);
    assertThat(e.concurrentUploads()).isEqualTo(same.concurrentUploads());
    assertThat(e.loadQuality()).isEqualTo(same.loadQuality());
    assertThat(readOnly.pending("other", 0)).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> readOnly.recordAllocation("h", 2_000))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("kept elsewhere");
  }
}
