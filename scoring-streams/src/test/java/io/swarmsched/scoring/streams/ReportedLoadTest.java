package io.swarmsched.scoring.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReportedLoadTest {

  private static TreeMap<Long, Long> reports(long... startAndRate) {
    TreeMap<Long, Long> m = new TreeMap<>();
    for (int i = 0; i < startAndRate.length; i += 2) {
      m.put(startAndRate[i], startAndRate[i + 1]);
    }
    return m;
  }

  @Test
  void aReportFillsItsBucketAndTheFollowingOnesUntilTheNextReport() {
    Map<Long, Long> filled = ReportedLoad.fill(reports(0, 500, 3000, 0), 0, 6, 1000, 10);
    assertThat(filled)
        .containsExactlyInAnyOrderEntriesOf(Map.of(0L, 500L, 1000L, 500L, 2000L, 500L));
  }

  @Test
  void aReportIsCarriedAtMostTheHoldAfterItsOwnBucket() {
    Map<Long, Long> filled = ReportedLoad.fill(reports(0, 500), 0, 10, 1000, 3);
    assertThat(filled.keySet()).containsExactlyInAnyOrder(0L, 1000L, 2000L, 3000L);
  }

  @Test
  void aReportBeforeTheHorizonStillFillsItsFirstBucketsWithinTheHold() {
    Map<Long, Long> filled = ReportedLoad.fill(reports(-2000, 700), 0, 5, 1000, 3);
    assertThat(filled).containsExactlyInAnyOrderEntriesOf(Map.of(0L, 700L, 1000L, 700L));
  }

  @Test
  void noReportsMeansNoReportedLoad() {
    assertThat(ReportedLoad.fill(new TreeMap<>(), 0, 60, 1000, 10)).isEmpty();
  }
}
