package io.swarmsched.scoring.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoringSettingsTest {

  @Test
  void defaultsGiveTheDesignDocumentsParameters() {
    ScoringConfig c = ScoringSettings.config(Settings.of(Map.of()));
    assertThat(c.params().horizonBuckets()).isEqualTo(60);
    assertThat(c.params().bucketMillis()).isEqualTo(1000);
    assertThat(c.params().streamRateBytesPerSec()).isEqualTo(16L * 1024 * 1024);
    assertThat(c.minPublishInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.windowRetention()).isGreaterThanOrEqualTo(Duration.ofSeconds(120));
  }

  @Test
  void keysOverrideTheDefaults() {
    ScoringConfig c =
        ScoringSettings.config(
            Settings.of(
                Map.of(
                    ScoringSettings.HORIZON_BUCKETS,
                    "30",
                    ScoringSettings.GRACE,
                    "5s",
                    ScoringSettings.EPSILON,
                    "0.2",
                    ScoringSettings.STREAM_RATE,
                    "8MiB")));
    assertThat(c.params().horizonBuckets()).isEqualTo(30);
    assertThat(c.grace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.epsilon()).isEqualTo(0.2);
    assertThat(c.params().streamRateBytesPerSec()).isEqualTo(8L * 1024 * 1024);
  }

  @Test
  void aWrongValueFailsNamingItsKey() {
    assertThatThrownBy(
            () -> ScoringSettings.config(Settings.of(Map.of(ScoringSettings.GRACE, "soon"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(ScoringSettings.GRACE);
    assertThatThrownBy(
            () -> ScoringSettings.config(Settings.of(Map.of(ScoringSettings.WEIGHT_PEAK, "0.9"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("swarm.scoring.weight");
  }

  @Test
  void theOldHyphenatedKeysStillWork() {
    ScoringConfig c =
        ScoringSettings.config(
            Settings.load(
                new String[] {"--swarm.scoring.publish.min-interval=250ms"},
                Map.of("SWARM_SCORING_TOPIC_HOST__SCORES", "other-scores"),
                Map.of()));
    assertThat(c.minPublishInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.hostScoresTopic()).isEqualTo("other-scores");
  }

  @Test
  void standaloneScoringRunsExactlyOnceOnItsOwnPort() {
    Settings settings = Settings.load(new String[0], Map.of(), ScoringSettings.SERVICE_DEFAULTS);
    assertThat(CommonKeys.processingGuarantee(settings)).isEqualTo(CommonKeys.EXACTLY_ONCE_V2);
    assertThat(settings.integer(CommonKeys.HTTP_PORT, 0))
        .isEqualTo(ScoringSettings.DEFAULT_HTTP_PORT);
  }

  @Test
  void everyDefaultIsWhatTheConfigUsesWhenTheKeyIsMissing() {
    assertThat(ScoringSettings.config(Settings.of(ScoringSettings.DEFAULTS)))
        .isEqualTo(ScoringSettings.config(Settings.of(Map.of())));
  }
}
