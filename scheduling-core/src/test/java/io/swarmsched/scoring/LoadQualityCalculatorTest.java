package io.swarmsched.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadQualityCalculatorTest {

  private static final long MIB = 1024L * 1024;
  private static final double EPS = 1e-12;

  private final LoadQualityCalculator calc = new LoadQualityCalculator();

  private static long[] constant(int n, long v) {
    long[] a = new long[n];
    Arrays.fill(a, v);
    return a;
  }

  @Test
  void idleHostScoresOneOnEveryPart() {
    LoadQuality q = calc.compute(new long[60], 60, 32 * MIB, 0);
    assertThat(q.peakBandwidthUsage()).isEqualTo(1.0);
    assertThat(q.bandwidthDurationRatio()).isEqualTo(1.0);
    assertThat(q.concurrentEfficiency()).isEqualTo(1.0);
    assertThat(q.loadQuality()).isCloseTo(1.0, within(EPS));
    assertThat(q.peakTx()).isZero();
    assertThat(q.saturatedBuckets()).isZero();
  }

  @Test
  void emptyBucketArrayMeansIdleHost() {
    assertThat(calc.compute(new long[0], 32 * MIB, 0).loadQuality()).isCloseTo(1.0, within(EPS));
  }

  @Test
  void saturatedHostKeepsOnlyItsConcurrencyPart() {
    // maxTx 32 MiB/s -> need = 2; 4 uploads -> 2/4 = 0.5; LQ = 0.5*0 + 0.3*0 + 0.2*0.5 = 0.1
    LoadQuality q = calc.compute(constant(60, 32 * MIB), 60, 32 * MIB, 4);
    assertThat(q.peakBandwidthUsage()).isEqualTo(0.0);
    assertThat(q.bandwidthDurationRatio()).isEqualTo(0.0);
    assertThat(q.concurrentEfficiency()).isEqualTo(0.5);
    assertThat(q.loadQuality()).isCloseTo(0.1, within(EPS));
    assertThat(q.saturatedBuckets()).isEqualTo(60);
  }

  @Test
  void uploadAboveCapacityClampsPeakUsageAtZero() {
    LoadQuality q = calc.compute(new long[] {50 * MIB}, 60, 32 * MIB, 0);
    assertThat(q.peakBandwidthUsage()).isEqualTo(0.0);
    assertThat(q.peakTx()).isEqualTo(50 * MIB);
  }

  @Test
  void partialLoadIsScoredByHand() {
    // maxTx 100; buckets: 20, 80 (= 0.8*100, saturated), 50 and 57 idle buckets.
    // peak = 1 - 80/100 = 0.2; duration = 1 - 1/60; concurrency: need = 100/16MiB << 1, c = 1 ->
    // need/1
    long maxTx = 100;
    LoadQuality q = calc.compute(new long[] {20, 80, 50}, 60, maxTx, 1);
    double need = 100.0 / (16.0 * MIB);
    assertThat(q.peakBandwidthUsage()).isCloseTo(0.2, within(EPS));
    assertThat(q.bandwidthDurationRatio()).isCloseTo(59.0 / 60.0, within(EPS));
    assertThat(q.concurrentEfficiency()).isCloseTo(need, within(EPS));
    assertThat(q.loadQuality()).isCloseTo(0.5 * 0.2 + 0.3 * 59.0 / 60.0 + 0.2 * need, within(EPS));
    assertThat(q.saturatedBuckets()).isEqualTo(1);
  }

  @Test
  void bucketJustBelowSaturationThresholdIsNotSaturated() {
    LoadQuality q = calc.compute(new long[] {79, 80, 81}, 60, 100, 0);
    assertThat(q.saturatedBuckets()).isEqualTo(2);
  }

  @Test
  void burstCountsWhileInsideTheHorizonAndAgesOut() {
    // 10 one-second buckets at full capacity (32 MiB/s) starting at t = 0.
    Map<Long, Long> served = new HashMap<>();
    for (long b = 0; b < 10; b++) {
      served.put(b * 1000, 32 * MIB);
    }
    long maxTx = 32 * MIB;
    // At t = 30.5 s the horizon is buckets [-29, 30]: the burst is in it.
    BucketSeries during = BucketSeries.ofHorizon(served, Map.of(), 30_500, 60, 1000);
    LoadQuality q1 = during.score(calc, maxTx, 0);
    // peak 0, duration 1 - 10/60, concurrency 1 -> 0 + 0.3 * 50/60 + 0.2 = 0.45
    assertThat(q1.peakBandwidthUsage()).isEqualTo(0.0);
    assertThat(q1.saturatedBuckets()).isEqualTo(10);
    assertThat(q1.loadQuality()).isCloseTo(0.45, within(EPS));

    // At t = 65 s the horizon is buckets [6, 65]: 4 burst buckets left -> 0 + 0.3 * 56/60 + 0.2 =
    // 0.48
    LoadQuality q2 =
        BucketSeries.ofHorizon(served, Map.of(), 65_000, 60, 1000).score(calc, maxTx, 0);
    assertThat(q2.saturatedBuckets()).isEqualTo(4);
    assertThat(q2.loadQuality()).isCloseTo(0.48, within(EPS));

    // At t = 70 s the horizon is buckets [11, 70]: the burst has aged out and the host is idle
    // again.
    LoadQuality q3 =
        BucketSeries.ofHorizon(served, Map.of(), 70_000, 60, 1000).score(calc, maxTx, 0);
    assertThat(q3.saturatedBuckets()).isZero();
    assertThat(q3.peakTx()).isZero();
    assertThat(q3.loadQuality()).isCloseTo(1.0, within(EPS));
  }

  @Test
  void concurrencyAboveNeedLowersEfficiency() {
    // maxTx 64 MiB/s -> need = 4; 8 uploads -> 4/8 = 0.5
    assertThat(calc.need(64 * MIB)).isEqualTo(4.0);
    LoadQuality q = calc.compute(new long[0], 60, 64 * MIB, 8);
    assertThat(q.concurrentEfficiency()).isEqualTo(0.5);
    assertThat(q.loadQuality()).isCloseTo(0.5 + 0.3 + 0.2 * 0.5, within(EPS));
  }

  @Test
  void concurrencyBelowOrAtNeedIsFullyEfficient() {
    assertThat(calc.compute(new long[0], 60, 64 * MIB, 2).concurrentEfficiency()).isEqualTo(1.0);
    assertThat(calc.compute(new long[0], 60, 64 * MIB, 4).concurrentEfficiency()).isEqualTo(1.0);
    assertThat(calc.compute(new long[0], 60, 64 * MIB, 5).concurrentEfficiency()).isEqualTo(0.8);
  }

  @Test
  void unknownCapacityScoresZeroOnAllParts() {
    for (long maxTx : new long[] {0, -1}) {
      LoadQuality q = calc.compute(new long[] {5 * MIB}, 60, maxTx, 0);
      assertThat(q.peakBandwidthUsage()).isZero();
      assertThat(q.bandwidthDurationRatio()).isZero();
      assertThat(q.concurrentEfficiency()).isZero();
      assertThat(q.loadQuality()).isZero();
      assertThat(q.peakTx()).isEqualTo(5 * MIB);
    }
  }

  @Test
  void servedLargerThanReportedWins() {
    BucketSeries s = BucketSeries.of(new long[] {10 * MIB, 0}, new long[] {2 * MIB, 1 * MIB});
    assertThat(s.tx()).containsExactly(10 * MIB, 1 * MIB);
    // maxTx 20 MiB/s: peak = 1 - 10/20 = 0.5; no bucket >= 16 MiB/s; LQ = 0.25 + 0.3 + 0.2
    assertThat(s.score(calc, 20 * MIB, 0).loadQuality()).isCloseTo(0.75, within(EPS));
  }

  @Test
  void reportedLargerThanServedWins() {
    BucketSeries s = BucketSeries.of(new long[] {2 * MIB}, new long[] {18 * MIB, 4 * MIB});
    assertThat(s.tx()).containsExactly(18 * MIB, 4 * MIB);
    // maxTx 20 MiB/s: peak = 1 - 18/20 = 0.1; 18 >= 16 -> 1 saturated bucket; LQ = 0.05 + 0.3*59/60
    // + 0.2
    LoadQuality q = s.score(calc, 20 * MIB, 0);
    assertThat(q.saturatedBuckets()).isEqualTo(1);
    assertThat(q.loadQuality()).isCloseTo(0.05 + 0.3 * 59.0 / 60.0 + 0.2, within(EPS));
  }

  @Test
  void servedBytesBecomeARateWithTheBucketLength() {
    // 500 ms buckets: 1 MiB served in half a second is 2 MiB/s.
    assertThat(BucketSeries.servedRate(MIB, 500)).isEqualTo(2 * MIB);
    assertThat(BucketSeries.tx(MIB, 3 * MIB, 500)).isEqualTo(3 * MIB);
  }

  @Test
  void horizonIgnoresFutureBucketsAndKeepsMaxReportPerBucket() {
    Map<Long, Long> reported = Map.of(0L, 5L, 999L, 7L, 5_000L, 100L);
    BucketSeries s = BucketSeries.ofHorizon(Map.of(), reported, 2_500, 3, 1000);
    assertThat(s.tx()).containsExactly(7L, 0L, 0L);
  }

  @Test
  void ledgerConcurrencyReplacementRecomputesTheSum() {
    LoadQuality published = calc.compute(new long[0], 60, 64 * MIB, 0);
    LoadQuality adjusted = calc.withConcurrency(published, 64 * MIB, 8);
    assertThat(adjusted.concurrentEfficiency()).isEqualTo(0.5);
    assertThat(adjusted.loadQuality()).isCloseTo(0.9, within(EPS));
  }

  @Test
  void customWeightsAreApplied() {
    LoadQualityCalculator c =
        new LoadQualityCalculator(LoadQualityParams.defaults().withWeights(1, 0, 0));
    assertThat(c.compute(new long[] {25}, 60, 100, 0).loadQuality()).isCloseTo(0.75, within(EPS));
  }

  @Test
  void invalidInputIsRejectedWithTheFieldName() {
    assertThatThrownBy(() -> calc.compute(new long[] {-1}, 60, 100, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("txPerBucket[0]");
    assertThatThrownBy(() -> calc.compute(new long[0], 60, 100, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("concurrentUploads");
    assertThatThrownBy(() -> calc.compute(new long[3], 2, 100, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("horizon");
    assertThatThrownBy(() -> calc.compute(new long[0], 0, 100, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bucketsInHorizon");
    assertThatThrownBy(() -> BucketSeries.of(new long[] {-5}, new long[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("servedBytes[0]");
  }
}
