package io.swarmsched.agent.stage2;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PieceParentPickerTest {

  @Test
  void weightIsSpareCapacityFlooredAtATenth() {
    assertThat(PieceParentPicker.weight(new ParentLoad("a", 1000, 200))).isEqualTo(800);
    assertThat(PieceParentPicker.weight(new ParentLoad("a", 1000, 990))).isEqualTo(100);
    assertThat(PieceParentPicker.weight(new ParentLoad("a", 1000, 5000))).isEqualTo(100);
    assertThat(PieceParentPicker.weight(new ParentLoad("a", 0, 10))).isZero();
  }

  @Test
  void nothingToPickWhenEveryHolderIsBlocked() {
    var holders = List.of(new ParentLoad("a", 100, 0), new ParentLoad("b", 100, 0));
    assertThat(PieceParentPicker.pick(holders, Set.of("a", "b"), new SplittableRandom(1))).isEmpty();
    assertThat(PieceParentPicker.pick(List.of(), Set.of(), new SplittableRandom(1))).isEmpty();
  }

  @Test
  void neverPicksABlockedParent() {
    var holders = List.of(new ParentLoad("a", 100, 0), new ParentLoad("b", 100, 0));
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 1000; i++) {
      assertThat(PieceParentPicker.pick(holders, Set.of("a"), random).orElseThrow().peerId()).isEqualTo("b");
    }
  }

  @Test
  void busyParentGetsItsProportionalShare() {
    // idle: weight 900; busy: weight max(900-850, 90) = 90 → expected share of busy = 90/990 ≈ 9.1 %
    var holders = List.of(new ParentLoad("idle", 900, 0), new ParentLoad("busy", 900, 850));
    SplittableRandom random = new SplittableRandom(3);
    Map<String, Integer> counts = new HashMap<>();
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      counts.merge(PieceParentPicker.pick(holders, Set.of(), random).orElseThrow().peerId(), 1, Integer::sum);
    }
    double busyShare = counts.getOrDefault("busy", 0) / (double) n;
    assertThat(busyShare).isBetween(0.08, 0.10);
  }

  @Test
  void sameSeedGivesTheSameChoicesWhateverTheInputOrder() {
    var a = List.of(new ParentLoad("x", 100, 10), new ParentLoad("y", 300, 0), new ParentLoad("z", 0, 0));
    var b = List.of(a.get(2), a.get(0), a.get(1));
    SplittableRandom r1 = new SplittableRandom(99);
    SplittableRandom r2 = new SplittableRandom(99);
    for (int i = 0; i < 100; i++) {
      assertThat(PieceParentPicker.pick(a, Set.of(), r1)).isEqualTo(PieceParentPicker.pick(b, Set.of(), r2));
    }
  }
}
