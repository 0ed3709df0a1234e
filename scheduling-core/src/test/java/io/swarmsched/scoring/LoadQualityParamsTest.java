package io.swarmsched.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoadQualityParamsTest {

  @Test
  void defaultsMatchTheDesign() {
    LoadQualityParams p = LoadQualityParams.defaults();
    assertThat(p.peakWeight()).isEqualTo(0.5);
    assertThat(p.durationWeight()).isEqualTo(0.3);
    assertThat(p.concurrencyWeight()).isEqualTo(0.2);
    assertThat(p.horizonBuckets()).isEqualTo(60);
    assertThat(p.bucketMillis()).isEqualTo(1000);
    assertThat(p.saturationRatio()).isEqualTo(0.8);
    assertThat(p.streamRateBytesPerSec()).isEqualTo(16L * 1024 * 1024);
    assertThat(p.horizonMillis()).isEqualTo(60_000);
  }

  @Test
  void everyInvalidValueIsRejectedNamingTheParameter() {
    LoadQualityParams d = LoadQualityParams.defaults();
    assertThatThrownBy(() -> d.withWeights(0.5, 0.3, 0.3)).hasMessageContaining("must be 1");
    assertThatThrownBy(() -> d.withWeights(-0.1, 0.6, 0.5)).hasMessageContaining("peakWeight");
    assertThatThrownBy(() -> d.withWeights(Double.NaN, 0.5, 0.5))
        .hasMessageContaining("peakWeight");
    assertThatThrownBy(() -> d.withHorizon(0, 1000)).hasMessageContaining("horizonBuckets");
    assertThatThrownBy(() -> d.withHorizon(60, 0)).hasMessageContaining("bucketMillis");
    assertThatThrownBy(() -> d.withSaturationRatio(0)).hasMessageContaining("saturationRatio");
    assertThatThrownBy(() -> d.withSaturationRatio(1.5)).hasMessageContaining("saturationRatio");
    assertThatThrownBy(() -> d.withStreamRate(0)).hasMessageContaining("streamRateBytesPerSec");
  }

  @Test
  void withersChangeOnlyTheirParameter() {
    LoadQualityParams p = LoadQualityParams.defaults().withHorizon(30, 500).withStreamRate(1024);
    assertThat(p.horizonBuckets()).isEqualTo(30);
    assertThat(p.bucketMillis()).isEqualTo(500);
    assertThat(p.streamRateBytesPerSec()).isEqualTo(1024);
    assertThat(p.peakWeight()).isEqualTo(0.5);
  }
}
