package io.swarmsched.scheduling.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuarantineRuleTest {
  /** 60 s windows, at least 20 uploads, more than half failed: 5 minutes of quarantine. */
  private final QuarantineRule rule =
      new QuarantineRule(new QuarantineParams(60_000, 20, 0.5, 300_000));

  @Test
  void nothingChangesWhileTheWindowIsOpen() {
    assertThat(rule.review(new UploadHealth(0, 0, 100, 0), 59_999))
        .isInstanceOf(QuarantineRule.Open.class);
  }

  @Test
  void aHighFailureRateOverEnoughSamplesQuarantinesAndStartsANewWindow() {
    var v = rule.review(new UploadHealth(0, 9, 11, 0), 60_000);
    assertThat(v)
        .isEqualTo(new QuarantineRule.NextWindow(new UploadHealth(60_000, 0, 0, 360_000), true));
  }

  @Test
  void exactlyTheThresholdOrTooFewSamplesDoNotQuarantine() {
    assertThat(rule.review(new UploadHealth(0, 10, 10, 0), 60_000))
        .isEqualTo(new QuarantineRule.NextWindow(new UploadHealth(60_000, 0, 0, 0), false));
    assertThat(rule.review(new UploadHealth(0, 0, 19, 0), 60_000))
        .isEqualTo(new QuarantineRule.NextWindow(new UploadHealth(60_000, 0, 0, 0), false));
  }

  @Test
  void aQuietHostIsForgottenOnceItsQuarantineIsOverButKeptWhileItRuns() {
    assertThat(rule.review(new UploadHealth(0, 0, 0, 0), 60_000))
        .isInstanceOf(QuarantineRule.Forget.class);
    assertThat(rule.review(new UploadHealth(0, 0, 0, 60_000), 60_000))
        .isInstanceOf(QuarantineRule.Forget.class);
    assertThat(rule.review(new UploadHealth(0, 0, 0, 90_000), 60_000))
        .isEqualTo(new QuarantineRule.NextWindow(new UploadHealth(60_000, 0, 0, 90_000), false));
    assertThat(new UploadHealth(0, 0, 0, 90_000).quarantinedAt(89_999)).isTrue();
    assertThat(new UploadHealth(0, 0, 0, 90_000).quarantinedAt(90_000)).isFalse();
  }

  @Test
  void badParametersAreRefusedByName() {
    assertThatThrownBy(() -> new QuarantineParams(60_000, 20, 1.5, 1))
        .hasMessageContaining("failureRate");
    assertThatThrownBy(() -> new QuarantineParams(0, 20, 0.5, 1))
        .hasMessageContaining("windowMillis");
    assertThatThrownBy(() -> new UploadHealth(0, -1, 0, 0)).hasMessageContaining("served");
  }
}
