package io.swarmsched.dispatcher.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Who served a peer how much: summed per parent and from the origin, bounded, never lost. */
class ServedBytesTest {

  @Test
  void piecesAreSummedPerParentAndFromTheOriginSeparately() {
    ServedBytes s = new ServedBytes();
    s.fromParent("p-a", 1_000);
    s.fromParent("p-b", 250);
    s.fromParent("p-a", 1_000);
    s.fromOrigin(4_096);

    assertThat(s.byParent).containsOnlyKeys("p-a", "p-b");
    assertThat(s.byParent.get("p-a").bytes).isEqualTo(2_000);
    assertThat(s.byParent.get("p-a").pieces).isEqualTo(2);
    assertThat(s.byParent.get("p-b").bytes).isEqualTo(250);
    assertThat(s.byParent.get("p-b").pieces).isEqualTo(1);
    assertThat(s.origin.bytes).isEqualTo(4_096);
    assertThat(s.origin.pieces).isEqualTo(1);
    assertThat(s.unlisted.isEmpty()).isTrue();
    assertThat(s.totalBytes()).isEqualTo(6_346);
  }

  @Test
  void aPieceFromAParentThatIsNotNamedIsUnlistedNotTheOrigins() {
    ServedBytes s = new ServedBytes();
    s.fromParent(null, 10);
    s.fromParent(" ", 20);
    assertThat(s.byParent).isEmpty();
    assertThat(s.origin.isEmpty()).isTrue();
    assertThat(s.unlisted.bytes).isEqualTo(30);
    assertThat(s.unlisted.pieces).isEqualTo(2);
  }

  @Test
  void parentsBeyondTheCapAreSummedAsUnlistedAndKnownOnesStillCount() {
    ServedBytes s = new ServedBytes();
    for (int i = 0; i < ServedBytes.MAX_PARENTS + 10; i++) s.fromParent("p-" + i, 100);
    s.fromParent("p-0", 100); // named before the cap was reached: still its own edge

    assertThat(s.byParent).hasSize(ServedBytes.MAX_PARENTS);
    assertThat(s.byParent.get("p-0").bytes).isEqualTo(200);
    assertThat(s.unlisted.bytes).isEqualTo(1_000);
    assertThat(s.unlisted.pieces).isEqualTo(10);
    assertThat(s.totalBytes()).isEqualTo((ServedBytes.MAX_PARENTS + 11) * 100L);
  }

  @Test
  void theSumSaturatesInsteadOfWrapping() {
    ServedBytes s = new ServedBytes();
    s.fromOrigin(Long.MAX_VALUE - 5);
    s.fromOrigin(100);
    assertThat(s.origin.bytes).isEqualTo(Long.MAX_VALUE);
    assertThat(s.origin.pieces).isEqualTo(2);
  }

  @Test
  void negativeBytesAreRefusedWithTheValue() {
    ServedBytes s = new ServedBytes();
    assertThatThrownBy(() -> s.fromParent("p-a", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> s.fromOrigin(-7)).hasMessageContaining("-7");
    assertThat(s.isEmpty()).isTrue();
  }
}
