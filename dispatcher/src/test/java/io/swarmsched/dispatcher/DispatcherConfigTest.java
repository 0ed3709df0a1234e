package io.swarmsched.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DispatcherConfigTest {

  @Test
  void defaultsAreThoseOfTheDesign() {
    DispatcherConfig c = DispatcherConfig.defaults();
    assertThat(c.policy()).isEqualTo("load-aware");
    assertThat(c.maxParents()).isEqualTo(4);
    assertThat(c.retryInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.retryJitter()).isEqualTo(0.25);
    assertThat(c.backToSourceAfterRounds()).isEqualTo(4);
    assertThat(c.failAfterRounds()).isEqualTo(5);
    assertThat(c.maxBackToSourcePerTask()).isEqualTo(200);
    assertThat(c.seedFailureMemory()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.peerIdleTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(c.weights().loadQuality()).isEqualTo(0.6);
    assertThat(c.badParentRule().normalDistributionSamples()).isEqualTo(30);
  }

  @Test
  void everyValueRoundTripsThroughItsKeys() {
    DispatcherConfig c = DispatcherConfig.defaults().with(DispatcherConfig.RETRY_INTERVAL, "2s")
        .with(DispatcherConfig.POLICY, "random");
    assertThat(DispatcherConfig.from(c.asMap())).isEqualTo(c);
    assertThat(c.retryInterval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aWrongValueFailsWithAMessageNamingTheKey() {
    assertThatThrownBy(() -> DispatcherConfig.from(Map.of(DispatcherConfig.RETRY_INTERVAL, "soon")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(DispatcherConfig.RETRY_INTERVAL);
    assertThatThrownBy(() -> DispatcherConfig.from(Map.of(DispatcherConfig.POLICY, "best")))
        .hasMessageStartingWith(DispatcherConfig.POLICY);
    assertThatThrownBy(() -> DispatcherConfig.from(Map.of(DispatcherConfig.MAX_PARENTS, "0")))
        .hasMessageStartingWith(DispatcherConfig.MAX_PARENTS);
    assertThatThrownBy(() -> DispatcherConfig.from(Map.of(DispatcherConfig.RETRY_JITTER, "1.5")))
        .hasMessageStartingWith(DispatcherConfig.RETRY_JITTER);
    assertThatThrownBy(() -> DispatcherConfig.from(Map.of(DispatcherConfig.WEIGHT_IDC, "0.9")))
        .hasMessageContaining("swarm.dispatcher.weight");
    assertThatThrownBy(() -> DispatcherConfig.from(Map.of(DispatcherConfig.FAIL_AFTER, "2")))
        .hasMessageStartingWith(DispatcherConfig.FAIL_AFTER);
  }
}
