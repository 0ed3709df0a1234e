package io.swarmsched.scheduling.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PeerTest {

  @Test
  void theReportedPieceCountKeepsTheLastKnownOne() {
    Peer p = new Peer("p", "t", "h", 0);
    assertThat(p.pieceCount()).isZero();
    p.reportPieceCount(64);
    p.reportPieceCount(0); // an event that does not say
    assertThat(p.pieceCount()).isEqualTo(64);
    assertThatThrownBy(() -> p.reportPieceCount(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pieceCount");
  }

  @Test
  void beingHeardFromMovesTheProgressTimeButNeverBack() {
    Peer p = new Peer("p", "t", "h", 100);
    p.heardFrom(500);
    p.heardFrom(300);
    assertThat(p.lastProgressMillis()).isEqualTo(500);
    assertThat(p.state()).isEqualTo(PeerState.PENDING);
    assertThat(p.stateChangedAtMillis()).isEqualTo(100);
  }
}
