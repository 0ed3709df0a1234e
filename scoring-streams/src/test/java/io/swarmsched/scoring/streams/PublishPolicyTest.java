package io.swarmsched.scoring.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ScoreWindow;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PublishPolicyTest {
  private final PublishPolicy policy = new PublishPolicy(0.01, 1000);

  static HostScore score(double lq, Liveness liveness, long at) {
    return HostScore.newBuilder()
        .setHostId("h")
        .setLoadQuality(lq)
        .setPeakBandwidthUsage(lq)
        .setBandwidthDurationRatio(lq)
        .setConcurrentEfficiency(1.0)
        .setWindow(
            ScoreWindow.newBuilder()
                .setHorizonBuckets(60)
                .setPeakTxBytesPerSec(0)
                .setSaturatedBuckets(0)
                .setConcurrentUploads(0)
                .setMaxTxBytesPerSec(100)
                .setWindowEnd(Instant.ofEpochMilli(at))
                .build())
        .setType(HostType.NORMAL)
        .setLiveness(liveness)
        .setComputedAt(Instant.ofEpochMilli(at))
        .build();
  }

  @Test
  void theFirstScoreOfAHostIsPublished() {
    assertThat(policy.decide(null, score(0.5, Liveness.ONLINE, 0)))
        .isEqualTo(PublishPolicy.Decision.PUBLISH);
  }

  @Test
  void aChangeWithinEpsilonIsNotPublished() {
    assertThat(policy.decide(score(0.5, Liveness.ONLINE, 0), score(0.505, Liveness.ONLINE, 5000)))
        .isEqualTo(PublishPolicy.Decision.UNCHANGED);
  }

  @Test
  void aChangeBeyondEpsilonIsPublished() {
    assertThat(policy.decide(score(0.5, Liveness.ONLINE, 0), score(0.52, Liveness.ONLINE, 5000)))
        .isEqualTo(PublishPolicy.Decision.PUBLISH);
  }

  @Test
  void aLivenessChangeIsPublishedEvenWithTheSameScore() {
    assertThat(policy.decide(score(0.5, Liveness.ONLINE, 0), score(0.5, Liveness.SUSPICIOUS, 5000)))
        .isEqualTo(PublishPolicy.Decision.PUBLISH);
  }

  @Test
  void aChangeWithinTheMinimumIntervalIsHeldBack() {
    assertThat(policy.decide(score(0.5, Liveness.ONLINE, 0), score(0.9, Liveness.ONLINE, 999)))
        .isEqualTo(PublishPolicy.Decision.HELD_BACK);
  }
}
