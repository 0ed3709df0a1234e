package io.swarmsched.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.LoadQualitySettings;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.scoring.LoadQualityParams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    assertThat(c.loadQuality()).isEqualTo(LoadQualityParams.defaults());
    assertThat(c.schemaRegistryUrl())
        .isEqualTo(CommonKeys.DEFAULTS.get(CommonKeys.SCHEMA_REGISTRY_URL));
  }

  @Test
  void anyRegisteredPolicyIsAcceptedAndStageOneSamplesCandidatesByDefault() {
    for (String name : io.swarmsched.scheduling.evaluator.Evaluators.names()) {
      assertThat(DispatcherConfig.from(Map.of(DispatcherConfig.POLICY, name)).policy())
          .isEqualTo(name);
    }
    assertThatThrownBy(() -> DispatcherConfig.from(Map.of(DispatcherConfig.POLICY, "fastest")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(DispatcherConfig.POLICY);
    assertThat(DispatcherConfig.defaults().candidateLimit()).isEqualTo(40);
    assertThat(
            DispatcherConfig.from(Map.of(DispatcherConfig.CANDIDATE_LIMIT, "0")).candidateLimit())
        .isZero();
    assertThatThrownBy(() -> DispatcherConfig.from(Map.of(DispatcherConfig.CANDIDATE_LIMIT, "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(DispatcherConfig.CANDIDATE_LIMIT);
  }

  @Test
  void theCycleRuleIsMorePiecesByDefaultAndAnyRuleCanBeNamed() {
    assertThat(DispatcherConfig.defaults().cycleRule())
        .isEqualTo(io.swarmsched.scheduling.filter.CycleRule.MORE_PIECES);
    assertThat(DispatcherConfig.from(Map.of(DispatcherConfig.CYCLE_RULE, "strict")).cycleRule())
        .isEqualTo(io.swarmsched.scheduling.filter.CycleRule.STRICT);
    assertThat(DispatcherConfig.from(Map.of(DispatcherConfig.CYCLE_RULE, "Source-Fed")).cycleRule())
        .isEqualTo(io.swarmsched.scheduling.filter.CycleRule.SOURCE_FED);
    assertThat(DispatcherConfig.defaults().asMap())
        .containsEntry(DispatcherConfig.CYCLE_RULE, "more-pieces");
    assertThatThrownBy(() -> DispatcherConfig.from(Map.of(DispatcherConfig.CYCLE_RULE, "loose")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(DispatcherConfig.CYCLE_RULE)
        .hasMessageContaining("more-pieces");
  }

  @Test
  void everyDefaultParsesAndEveryKeyIsOneWordPerDot() {
    DispatcherConfig c = DispatcherConfig.defaults();
    DispatcherConfig.DEFAULTS.forEach((key, value) -> assertThat(c.asMap()).containsKey(key));
    assertThat(c.asMap().keySet())
        .allSatisfy(key -> assertThat(key).matches("swarm(\\.[a-z0-9]+)+"));
  }

  @Test
  void durationsAndBooleansAreReadAsEveryServiceReadsThem() {
    DispatcherConfig c =
        DispatcherConfig.from(
            Map.of(
                DispatcherConfig.RETRY_INTERVAL, "1m30s",
                DispatcherConfig.SEED_WAIT_TIMEOUT, "PT2M",
                DispatcherConfig.IDLE_CLOCK_ADVANCE, "off"));
    assertThat(c.retryInterval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.seedWaitTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.idleClockAdvance()).isFalse();
    assertThat(
            DispatcherConfig.from(Map.of(DispatcherConfig.IDLE_CLOCK_ADVANCE, "yes"))
                .idleClockAdvance())
        .isTrue();
  }

  @Test
  void aWrongValueNamesWhereItCameFrom() {
    Map<String, String> env = Map.of(Settings.keyToEnv(DispatcherConfig.RETRY_INTERVAL), "soon");
    assertThatThrownBy(() -> DispatcherConfig.from(Settings.load(new String[0], env, Map.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(DispatcherConfig.RETRY_INTERVAL)
        .hasMessageContaining("'soon'")
        .hasMessageContaining("env SWARM_DISPATCHER_RETRY_INTERVAL");
    String[] flags = {"--" + DispatcherConfig.MAX_PARENTS + "=many"};
    assertThatThrownBy(() -> DispatcherConfig.from(Settings.load(flags, Map.of(), Map.of())))
        .hasMessageStartingWith(DispatcherConfig.MAX_PARENTS)
        .hasMessageContaining("flag --" + DispatcherConfig.MAX_PARENTS);
  }

  @Test
  void theOldHyphenatedSpellingStillWorksWithAWarning() {
    Map<String, String> env =
        Map.of(
            "SWARM_DISPATCHER_APPLICATION__ID",
            "old-name",
            "SWARM_DISPATCHER_QUARANTINE_MIN__SAMPLES",
            "7");
    Settings settings = Settings.load(new String[0], env, Map.of());
    List<String> warnings = new ArrayList<>();
    DispatcherConfig c =
        DispatcherConfig.from(
            settings.withRenamedKeys(DispatcherConfig.DEPRECATED_KEYS, warnings::add));
    assertThat(c.applicationId()).isEqualTo("old-name");
    assertThat(c.quarantineMinSamples()).isEqualTo(7);
    assertThat(warnings).hasSize(2).allSatisfy(w -> assertThat(w).contains("deprecated"));
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains(DispatcherConfig.APPLICATION_ID));

    // the new spelling wins over the old one
    DispatcherConfig both =
        DispatcherConfig.from(
            Map.of(
                "swarm.dispatcher.application-id", "old", DispatcherConfig.APPLICATION_ID, "new"));
    assertThat(both.applicationId()).isEqualTo("new");
    // and a bad value under the old key still says which key it was given as
    assertThatThrownBy(
            () ->
                DispatcherConfig.from(
                    Settings.load(
                        new String[0],
                        Map.of("SWARM_DISPATCHER_QUARANTINE_MIN__SAMPLES", "x"),
                        Map.of())))
        .hasMessageStartingWith(DispatcherConfig.QUARANTINE_MIN_SAMPLES)
        .hasMessageContaining("SWARM_DISPATCHER_QUARANTINE_MIN__SAMPLES")
        .hasMessageContaining("deprecated key swarm.dispatcher.quarantine.min-samples");
  }

  @Test
  void theOptimisticEstimateUsesTheLoadQualityKeysScoringUses() {
    DispatcherConfig c =
        DispatcherConfig.from(
            Map.of(
                LoadQualitySettings.STREAM_RATE, "4MiB",
                LoadQualitySettings.WEIGHT_PEAK, "0.2",
                LoadQualitySettings.WEIGHT_DURATION, "0.4",
                LoadQualitySettings.WEIGHT_CONCURRENCY, "0.4",
                LoadQualitySettings.HORIZON_BUCKETS, "30"));
    assertThat(c.loadQuality().streamRateBytesPerSec()).isEqualTo(4L << 20);
    assertThat(c.loadQuality().peakWeight()).isEqualTo(0.2);
    assertThat(c.loadQuality().horizonBuckets()).isEqualTo(30);
    assertThat(DispatcherConfig.from(c.asMap())).isEqualTo(c);
    assertThatThrownBy(() -> DispatcherConfig.from(Map.of(LoadQualitySettings.WEIGHT_PEAK, "0.9")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("swarm.scoring.weight");
  }

  @Test
  void everyValueRoundTripsThroughItsKeys() {
    DispatcherConfig c =
        DispatcherConfig.defaults()
            .with(DispatcherConfig.RETRY_INTERVAL, "2s")
            .with(DispatcherConfig.POLICY, "random");
    assertThat(DispatcherConfig.from(c.asMap())).isEqualTo(c);
    assertThat(c.retryInterval()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aWrongValueFailsWithAMessageNamingTheKey() {
    assertThatThrownBy(() -> DispatcherConfig.from(Map.of(DispatcherConfig.RETRY_INTERVAL, "soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(DispatcherConfig.RETRY_INTERVAL);
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
