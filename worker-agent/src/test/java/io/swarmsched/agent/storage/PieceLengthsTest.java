package io.swarmsched.agent.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PieceLengthsTest {
  @Test
  void aimsAtAbout128PiecesInPowersOfTwo() {
    assertThat(PieceLengths.forContent(256L << 20)).isEqualTo(2 << 20);
    assertThat(PieceLengths.forContent(16L << 20)).isEqualTo(128 << 10);
    assertThat(PieceLengths.forContent((16L << 20) + (256 << 10))).isEqualTo(256 << 10);
  }

  @Test
  void staysWithinItsBounds() {
    assertThat(PieceLengths.forContent(0)).isEqualTo(PieceLengths.MIN);
    assertThat(PieceLengths.forContent(1000)).isEqualTo(PieceLengths.MIN);
    assertThat(PieceLengths.forContent(1L << 40)).isEqualTo(PieceLengths.MAX);
  }
}
