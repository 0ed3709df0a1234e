package io.swarmsched.scheduling.piece;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class SourceOfferTest {

  private static BitSet all(int n) {
    BitSet b = new BitSet();
    b.set(0, n);
    return b;
  }

  @Test
  void offersEveryPieceOnceBeforeAnySecondCopy() {
    SourceOffer offer = new SourceOffer(8);
    BitSet held = all(8);
    for (int p = 0; p < 8; p++) {
      assertThat(offer.claim(p, held)).isTrue();
      assertThat(offer.claim(p, held))
          .as("piece %d again before the others left once", p)
          .isEqualTo(p == 7);
    }
    // every piece has left once (piece 7 twice): the second round offers the seven sent once
    assertThat(offer.offered(held).cardinality()).isEqualTo(7);
    assertThat(offer.offered(held).get(7)).isFalse();
  }

  @Test
  void offersOnlyTheLeastSentLevelAtTheEndOfARound() {
    SourceOffer offer = new SourceOffer(6);
    BitSet held = all(6);
    for (int p = 0; p < 5; p++) {
      assertThat(offer.claim(p, held)).isTrue();
    }
    // only piece 5 is unsent: it alone is offered (the uploads share one limit, so one send at
    // full rate leaves nothing idle), and no piece leaves twice before it has left once
    assertThat(offer.offered(held).stream().toArray()).containsExactly(5);
    assertThat(offer.claim(0, held)).isFalse();
    assertThat(offer.claim(5, held)).isTrue();
    // every piece has left once: the second round offers them all again
    assertThat(offer.offered(held).cardinality()).isEqualTo(6);
  }

  @Test
  void aSendThatDidNotCompleteIsGivenBack() {
    SourceOffer offer = new SourceOffer(2);
    BitSet held = all(2);
    assertThat(offer.claim(0, held)).isTrue();
    assertThat(offer.claim(0, held)).isFalse();
    offer.unclaim(0);
    assertThat(offer.sends(0)).isZero();
    assertThat(offer.claim(0, held)).isTrue();
  }

  @Test
  void newPiecesFromTheOriginAreOfferedFirst() {
    SourceOffer offer = new SourceOffer(4);
    BitSet held = new BitSet();
    held.set(0);
    assertThat(offer.claim(0, held)).isTrue();
    held.set(1); // the seed's origin fetch brought piece 1
    assertThat(offer.offered(held).stream().toArray()).containsExactly(1);
    assertThat(offer.claim(0, held)).isFalse();
    assertThat(offer.claim(1, held)).isTrue();
  }

  @Test
  void neverOffersOrClaimsWhatIsNotHeld() {
    SourceOffer offer = new SourceOffer(4);
    BitSet held = new BitSet();
    held.set(2);
    assertThat(offer.offered(held).stream().toArray()).containsExactly(2);
    assertThat(offer.claim(1, held)).isFalse();
    assertThat(offer.claim(9, held)).isFalse();
    assertThat(offer.offered(new BitSet()).isEmpty()).isTrue();
    assertThatThrownBy(() -> new SourceOffer(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void piecesAGrantedChildReadFromTheOriginCountAsSentOnce() {
    SourceOffer offer = new SourceOffer(6);
    BitSet held = all(6);
    BitSet read = new BitSet();
    read.set(4);
    read.set(5);
    read.set(40); // outside the task: ignored
    offer.readElsewhere(read);
    offer.readElsewhere(read); // the child reports its whole set on every status read
    assertThat(offer.sends(4)).isEqualTo(1);
    assertThat(offer.sends(5)).isEqualTo(1);
    // the source moves on to the pieces the swarm does not have yet
    assertThat(offer.offered(held).stream().toArray()).containsExactly(0, 1, 2, 3);
    assertThat(offer.claim(4, held)).isFalse();
    for (int p = 0; p < 4; p++) {
      assertThat(offer.claim(p, held)).isTrue();
    }
    assertThat(offer.offered(held).cardinality()).isEqualTo(6);
  }
}
