package io.swarmsched.scheduling.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BadParentRuleTest {

  private final BadParentRule rule = BadParentRule.DEFAULT;

  @Test
  void fewerThanTwoSamplesIsNeverBad() {
    assertThat(rule.isBad(new PieceCostStats())).isFalse();
    assertThat(rule.isBad(PieceCostStats.of(List.of(1_000_000L)))).isFalse();
  }

  @Test
  void smallSampleLastAboveTwentyTimesMeanIsBad() {
    // earlier mean = (10 + 20 + 30) / 3 = 20 -> threshold 400
    assertThat(rule.isBad(PieceCostStats.of(List.of(10L, 20L, 30L, 400L)))).isFalse();
    assertThat(rule.isBad(PieceCostStats.of(List.of(10L, 20L, 30L, 401L)))).isTrue();
  }

  @Test
  void thirtyOrMoreSamplesUseMeanPlusThreeSigma() {
    // 29 earlier samples alternating 90 and 110 (one more 90): mean and population sd by hand.
    List<Long> costs = new ArrayList<>();
    for (int i = 0; i < 29; i++) {
      costs.add(i % 2 == 0 ? 90L : 110L);
    }
    double mean = (15 * 90 + 14 * 110) / 29.0;
    double var = (15 * Math.pow(90 - mean, 2) + 14 * Math.pow(110 - mean, 2)) / 29.0;
    double threshold = mean + 3 * Math.sqrt(var);
    PieceCostStats ok = PieceCostStats.of(costs);
    ok.add((long) Math.floor(threshold));
    assertThat(ok.samples()).isEqualTo(30);
    assertThat(ok.earlierMean()).isCloseTo(mean, within(1e-9));
    assertThat(ok.earlierStdDev()).isCloseTo(Math.sqrt(var), within(1e-9));
    assertThat(rule.isBad(ok)).isFalse();
    PieceCostStats bad = PieceCostStats.of(costs);
    bad.add((long) Math.ceil(threshold));
    assertThat(rule.isBad(bad)).isTrue();
    // The small-sample rule would not have flagged it (threshold ~130 << 20 x 100).
    assertThat(Math.ceil(threshold)).isLessThan(20 * mean);
  }

  @Test
  void statsKeepConstantMemoryAndRestoreExactly() {
    PieceCostStats s = new PieceCostStats();
    for (long i = 1; i <= 100_000; i++) {
      s.add(i % 7);
    }
    PieceCostStats r =
        PieceCostStats.restore(s.samples(), s.last(), s.earlierMean(), s.earlierM2());
    r.add(50);
    s.add(50);
    assertThat(r.earlierMean()).isEqualTo(s.earlierMean());
    assertThat(r.earlierStdDev()).isEqualTo(s.earlierStdDev());
    assertThat(rule.isBad(r)).isEqualTo(rule.isBad(s)).isTrue();
  }

  @Test
  void explanationNamesTheNumbers() {
    PieceCostStats s = PieceCostStats.of(List.of(10L, 500L));
    assertThat(rule.explain(s)).contains("500").contains("20.0").contains("2 samples");
  }
}
