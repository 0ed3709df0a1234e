package io.swarmsched.scheduling.evaluator;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.PeerState;
import org.junit.jupiter.api.Test;

class AffinityTest {

  @Test
  void idcAffinityNeedsBothSetAndEqualIgnoringCase() {
    assertThat(Affinity.idc("hz-1", "HZ-1")).isEqualTo(1.0);
    assertThat(Affinity.idc("hz-1", "hz-2")).isEqualTo(0.0);
    assertThat(Affinity.idc("", "")).isEqualTo(0.0);
    assertThat(Affinity.idc("hz-1", "")).isEqualTo(0.0);
    assertThat(Affinity.idc(null, "hz-1")).isEqualTo(0.0);
  }

  @Test
  void locationAffinityCountsEqualLeadingElementsOverFive() {
    assertThat(Affinity.location("cn|zj|hz", "cn|zj|hz")).isEqualTo(1.0);
    assertThat(Affinity.location("cn|zj|hz", "cn|zj|nb")).isEqualTo(0.4);
    assertThat(Affinity.location("cn|zj|hz", "cn|js|hz")).isEqualTo(0.2);
    assertThat(Affinity.location("cn|zj|hz", "us|zj|hz")).isEqualTo(0.0);
    // prefix of the other: counts the common elements
    assertThat(Affinity.location("cn|zj", "cn|zj|hz")).isEqualTo(0.4);
    // at most five elements count, even when the first five match
    assertThat(Affinity.location("a|b|c|d|e|f|g", "a|b|c|d|e|f|x")).isEqualTo(1.0);
    assertThat(Affinity.location("a|b|c|d|x", "a|b|c|d|y")).isEqualTo(0.8);
    // a single element that differs, unset locations
    assertThat(Affinity.location("cn", "us")).isEqualTo(0.0);
    assertThat(Affinity.location("", "")).isEqualTo(0.0);
    assertThat(Affinity.location("cn", "")).isEqualTo(0.0);
  }

  @Test
  void hostTypeFavoursDownloadingSeedsAndProtectsFinishedOnes() {
    assertThat(Affinity.hostType(HostType.NORMAL, PeerState.RUNNING)).isEqualTo(0.5);
    assertThat(Affinity.hostType(HostType.NORMAL, PeerState.SUCCEEDED)).isEqualTo(0.5);
    assertThat(Affinity.hostType(HostType.SUPER_SEED, PeerState.RUNNING)).isEqualTo(1.0);
    assertThat(Affinity.hostType(HostType.SUPER_SEED, PeerState.BACK_TO_SOURCE)).isEqualTo(1.0);
    assertThat(Affinity.hostType(HostType.SUPER_SEED, PeerState.SUCCEEDED)).isEqualTo(0.0);
  }

  @Test
  void locationCountsTheSameAsSplittingBothStrings() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
    String[] parts = {"", "cn", "CN", "us", "p1", "P1", "c2", "x"};
    for (int i = 0; i < 20_000; i++) {
      String a = randomLocation(rnd, parts);
      String b = randomLocation(rnd, parts);
      assertThat(Affinity.location(a, b)).as("%s vs %s", a, b).isEqualTo(bySplitting(a, b));
    }
  }

  private static String randomLocation(java.util.SplittableRandom rnd, String[] parts) {
    int n = rnd.nextInt(8);
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < n; k++) {
      if (k > 0) {
        sb.append('|');
      }
      sb.append(parts[rnd.nextInt(parts.length)]);
    }
    return sb.toString();
  }

  /**
   * The definition as first written: split on '|', count equal elements from the left (ignoring
   * case), at most 5, over 5.
   */
  private static double bySplitting(String a, String b) {
    if (a.isEmpty() || b.isEmpty()) {
      return 0.0;
    }
    if (a.equalsIgnoreCase(b)) {
      return 1.0;
    }
    String[] x = a.split("\\|", -1);
    String[] y = b.split("\\|", -1);
    int n = Math.min(5, Math.min(x.length, y.length));
    int equal = 0;
    while (equal < n && x[equal].equalsIgnoreCase(y[equal])) {
      equal++;
    }
    return equal / 5.0;
  }
}
