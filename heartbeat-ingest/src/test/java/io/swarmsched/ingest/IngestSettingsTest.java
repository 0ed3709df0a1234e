package io.swarmsched.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.ingest.topology.IngestConfig;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IngestSettingsTest {
  private static final Map<String, String> BASE =
      Map.of(CommonKeys.SCHEMA_REGISTRY_URL, "mock://settings");

  private static Settings with(String key, String value) {
    return Settings.of(BASE).with(key, value);
  }

  @Test
  void defaultsMatchTheDesign() {
    IngestConfig config = IngestSettings.config(Settings.of(BASE));
    assertThat(config.liveness().suspiciousAfter()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.liveness().offlineAfter()).isEqualTo(Duration.ofSeconds(20));
    assertThat(config.liveness().offlineTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(config.limits().maxBandwidthBytesPerSec()).isEqualTo(125_000_000_000L);
    assertThat(config.limits().maxCpuCores()).isEqualTo(4096);
    assertThat(config.limits().maxMemoryBytes()).isEqualTo(64L << 40);
    assertThat(config.limits().maxClockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.serdeConfig()).containsEntry("schema.registry.url", "mock://settings");
    assertThat(config.applicationId()).isEqualTo(IngestConfig.DEFAULT_APPLICATION_ID);
  }

  @Test
  void thresholdsAreRead() {
    IngestConfig config =
        IngestSettings.config(
            Settings.of(BASE)
                .with(IngestSettings.SUSPICIOUS_AFTER, "3s")
                .with(IngestSettings.OFFLINE_AFTER, "6s")
                .with(IngestSettings.OFFLINE_TTL, "5m")
                .with(IngestSettings.MAX_MEMORY_BYTES, "1GiB"));
    assertThat(config.liveness().suspiciousAfter()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.liveness().offlineAfter()).isEqualTo(Duration.ofSeconds(6));
    assertThat(config.liveness().offlineTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.limits().maxMemoryBytes()).isEqualTo(1L << 30);
  }

  @Test
  void aWrongValueFailsNamingItsKey() {
    assertThatThrownBy(() -> IngestSettings.config(with(IngestSettings.SUSPICIOUS_AFTER, "soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(IngestSettings.SUSPICIOUS_AFTER);
    assertThatThrownBy(() -> IngestSettings.config(with(IngestSettings.MAX_CPU_CORES, "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(IngestSettings.MAX_CPU_CORES);
  }

  @Test
  void offlineMustComeAfterSuspicious() {
    assertThatThrownBy(() -> IngestSettings.config(with(IngestSettings.OFFLINE_AFTER, "5s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(IngestSettings.OFFLINE_AFTER);
  }

  @Test
  void thePublishRefreshIsReadAndBounded() {
    assertThat(IngestSettings.config(Settings.of(BASE)).publishRefresh())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(IngestSettings.config(with(IngestSettings.PUBLISH_REFRESH, "0s")).publishRefresh())
        .isZero();
    assertThat(IngestSettings.config(with(IngestSettings.PUBLISH_REFRESH, "2s")).publishRefresh())
        .isEqualTo(Duration.ofSeconds(2));
    // longer than the SUSPICIOUS threshold (10 s) would leave readers' last_seen staler than the
    // patrol calls a host silent
    assertThatThrownBy(() -> IngestSettings.config(with(IngestSettings.PUBLISH_REFRESH, "11s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(IngestSettings.PUBLISH_REFRESH);
  }

  @Test
  void exactlyOnceIsThisServicesDefault() {
    Settings settings = Settings.load(new String[0], Map.of(), IngestSettings.SERVICE_DEFAULTS);
    assertThat(CommonKeys.processingGuarantee(settings)).isEqualTo(CommonKeys.EXACTLY_ONCE_V2);
  }
}
