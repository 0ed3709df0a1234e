package io.swarmsched.scheduling.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy = new RetryPolicy();

  @Test
  void firstThreeEmptyRoundsRetryWithJitteredDelay() {
    for (int round = 1; round <= 3; round++) {
      RetryOutcome o = policy.afterEmptyRound("req-1", round, 10_000, 0, 0);
      assertThat(o).isInstanceOf(RetryOutcome.RetryAt.class);
      long delay = ((RetryOutcome.RetryAt) o).atMillis() - 10_000;
      assertThat(delay).isBetween(375L, 625L);
    }
  }

  @Test
  void fourthEmptyRoundGoesBackToSourceAndFifthFails() {
    assertThat(policy.afterEmptyRound("r", 4, 0, 0, 0))
        .isEqualTo(new RetryOutcome.BackToSource(RetryOutcome.NO_CANDIDATES));
    assertThat(policy.afterEmptyRound("r", 5, 0, 0, 0))
        .isEqualTo(new RetryOutcome.Failed(RetryOutcome.NO_CANDIDATES));
  }

  @Test
  void pastTheDeadlineFailsWhateverTheRound() {
    assertThat(policy.afterEmptyRound("r", 1, 1_001, 1_000, 0))
        .isEqualTo(new RetryOutcome.Failed(RetryOutcome.DEADLINE_EXCEEDED));
    assertThat(policy.afterEmptyRound("r", 1, 1_000, 1_000, 0))
        .isInstanceOf(RetryOutcome.RetryAt.class);
  }

  @Test
  void atTheBackToSourceLimitTheRequestWaits() {
    assertThat(policy.backToSourceAllowed(199)).isTrue();
    assertThat(policy.backToSourceAllowed(200)).isFalse();
    RetryOutcome o = policy.afterEmptyRound("r", 4, 0, 0, 200);
    assertThat(o).isInstanceOf(RetryOutcome.RetryAt.class);
    assertThat(((RetryOutcome.RetryAt) o).reason()).isEqualTo(RetryOutcome.BACK_TO_SOURCE_LIMIT);
  }

  @Test
  void jitterIsDrawnFromTheRequestIdSoReplaysMatch() {
    assertThat(policy.delayMillis("req-1", 1)).isEqualTo(policy.delayMillis("req-1", 1));
    long distinct =
        java.util.stream.IntStream.range(0, 50)
            .mapToLong(i -> policy.delayMillis("req-" + i, 1))
            .distinct()
            .count();
    assertThat(distinct).isGreaterThan(10);
  }

  @Test
  void invalidParametersNameTheField() {
    assertThatThrownBy(() -> new RetryParams(0, 0.25, 4, 5, 200))
        .hasMessageContaining("baseDelayMillis");
    assertThatThrownBy(() -> new RetryParams(500, 1.0, 4, 5, 200))
        .hasMessageContaining("jitterRatio");
    assertThatThrownBy(() -> new RetryParams(500, 0.25, 4, 3, 200))
        .hasMessageContaining("failAfterEmptyRounds");
    assertThatThrownBy(() -> new RetryParams(500, 0.25, 4, 5, 0))
        .hasMessageContaining("maxBackToSourcePerTask");
    assertThatThrownBy(() -> policy.afterEmptyRound("r", 0, 0, 0, 0))
        .hasMessageContaining("emptyRounds");
  }

  @Test
  void exponentialBackoffGrowsAndIsCapped() {
    ExponentialBackoff b = new ExponentialBackoff(1_000, 2.0, 8_000, 0.0, 5);
    assertThat(b.delayMillis("job", 1)).isEqualTo(1_000);
    assertThat(b.delayMillis("job", 3)).isEqualTo(4_000);
    assertThat(b.delayMillis("job", 10)).isEqualTo(8_000);
    assertThat(b.canRetry(4)).isTrue();
    assertThat(b.canRetry(5)).isFalse();
  }
}
