package io.swarmsched.scheduling.seed;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SeedSelectorTest {

  private static final long MIN = 60_000;
  private final SeedSelector selector = new SeedSelector();
  private final List<String> seeds = List.of("seed-a", "seed-b", "seed-c", "seed-d");

  @Test
  void sameTaskSameSeedWhateverTheOrderOfSeeds() {
    SeedFailures none = new SeedFailures();
    Optional<String> a = selector.choose("task-42", seeds, none, 0);
    Optional<String> b =
        selector.choose("task-42", List.of("seed-d", "seed-c", "seed-b", "seed-a"), none, 0);
    assertThat(a).isPresent().isEqualTo(b);
  }

  @Test
  void tasksSpreadOverSeedsAndRemovingOneMovesOnlyItsTasks() {
    SeedFailures none = new SeedFailures();
    Map<String, String> before = new HashMap<>();
    Map<String, Integer> load = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      String s = selector.choose("task-" + i, seeds, none, 0).orElseThrow();
      before.put("task-" + i, s);
      load.merge(s, 1, Integer::sum);
    }
    assertThat(load).hasSize(4);
    load.values().forEach(n -> assertThat(n).isBetween(250, 750));
    List<String> three = new ArrayList<>(seeds);
    three.remove("seed-b");
    before.forEach(
        (task, seed) -> {
          String after = selector.choose(task, three, none, 0).orElseThrow();
          if (!seed.equals("seed-b")) {
            assertThat(after).isEqualTo(seed);
          }
        });
  }

  @Test
  void seedThatFailedTheTaskIsSkippedForThirtyMinutes() {
    SeedFailures failures = new SeedFailures();
    String first = selector.choose("t", seeds, failures, 0).orElseThrow();
    failures.record("t", first, 10 * MIN);
    String second = selector.choose("t", seeds, failures, 10 * MIN + 1).orElseThrow();
    assertThat(second).isNotEqualTo(first);
    assertThat(selector.choose("t", seeds, failures, 40 * MIN - 1)).contains(second);
    assertThat(selector.choose("t", seeds, failures, 40 * MIN)).contains(first);
    // another task is not affected
    assertThat(failures.recentlyFailed("other", first, 10 * MIN)).isFalse();
    failures.expire(40 * MIN);
    assertThat(failures.size()).isZero();
  }

  @Test
  void noUsableSeedMeansEmpty() {
    SeedFailures failures = new SeedFailures();
    assertThat(selector.choose("t", List.of(), failures, 0)).isEmpty();
    failures.record("t", "only", 0);
    assertThat(selector.choose("t", List.of("only"), failures, 1)).isEmpty();
  }

  @Test
  void onlyOnlineSeedHostsAreSeeds() {
    HostView online =
        HostView.online("s1", HostType.SUPER_SEED, "", "", HostCapacity.UNKNOWN, HostLoad.IDLE);
    HostView suspicious =
        HostView.online("s2", HostType.SUPER_SEED, "", "", HostCapacity.UNKNOWN, HostLoad.IDLE)
            .withLiveness(Liveness.SUSPICIOUS);
    HostView normal =
        HostView.online("n1", HostType.NORMAL, "", "", HostCapacity.UNKNOWN, HostLoad.IDLE);
    assertThat(SeedSelector.onlineSeeds(List.of(online, suspicious, normal))).containsExactly("s1");
    assertThat(SeedRing.of(List.of("s1", "s2")).preference("t"))
        .containsExactlyInAnyOrder("s1", "s2");
  }

  @Test
  void theRingIsBuiltOnceWhileTheSeedsStayTheSameAndChoosesAsAFreshRingWould() {
    SeedSelector kept = new SeedSelector();
    SeedFailures none = new SeedFailures(30 * 60_000L);
    java.util.List<String> seeds = java.util.List.of("s1", "s2", "s3", "s4");
    for (int t = 0; t < 50; t++) {
      String task = "task-" + t;
      assertThat(kept.choose(task, seeds, none, 0))
          .isEqualTo(new SeedSelector().choose(task, seeds, none, 0));
      // the same seeds in another order are the same ring
      assertThat(kept.choose(task, java.util.List.of("s4", "s3", "s2", "s1"), none, 0))
          .isEqualTo(new SeedSelector().choose(task, seeds, none, 0));
    }
    assertThat(kept.ringsBuilt()).isEqualTo(1);
    java.util.List<String> fewer = java.util.List.of("s1", "s2", "s3");
    for (int t = 0; t < 50; t++) {
      String task = "task-" + t;
      assertThat(kept.choose(task, fewer, none, 0))
          .isEqualTo(new SeedSelector().choose(task, fewer, none, 0));
    }
    assertThat(kept.ringsBuilt()).isEqualTo(2);
  }
}
