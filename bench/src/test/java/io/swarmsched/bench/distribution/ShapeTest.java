package io.swarmsched.bench.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.bench.Records;
import io.swarmsched.swarm.SwarmDemo;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ShapeTest {

  @Test
  void aSkewedShapeGivesOneAgentItsOwnUploadLimitAndTheRestTheCommonOne() {
    DistributionBench.Shape skewed =
        new DistributionBench.Shape(
            "skewed",
            64 * Records.MIB,
            8,
            2 * Records.MIB,
            8 * Records.MIB,
            512 << 10,
            Duration.ofSeconds(300),
            java.util.List.of(1),
            20 * Records.MIB);
    SwarmDemo.Options o = skewed.options("random", Path.of("x"));
    assertThat(o.policy()).isEqualTo("random");
    assertThat(o.uploadLimitOf(0)).as("the super seed").isEqualTo(2 * Records.MIB);
    assertThat(o.uploadLimitOf(1)).isEqualTo(20 * Records.MIB);
    assertThat(o.uploadLimitOf(7)).isEqualTo(2 * Records.MIB);
    assertThat(skewed.describe()).contains("agent-1 20 MiB/s");
  }

  @Test
  void everyFastAgentGetsTheFastLimitAndTheSuperSeedCannotBeOne(
      @org.junit.jupiter.api.io.TempDir Path dir) {
    DistributionBench.Shape twoFast =
        DistributionBench.shapes(
                new io.swarmsched.bench.BenchContext(false, dir, System.out, false))
            .stream()
            .filter(s -> s.name().equals("skewed-16"))
            .findFirst()
            .orElseThrow();
    assertThat(twoFast.agents()).isEqualTo(16);
    SwarmDemo.Options o = twoFast.options("load-aware", Path.of("x"));
    assertThat(o.uploadOverrides()).containsOnlyKeys(1, 8);
    assertThat(o.uploadLimitOf(8)).isEqualTo(20 * Records.MIB);
    assertThat(o.uploadLimitOf(9)).isEqualTo(2 * Records.MIB);
    assertThat(twoFast.describe()).contains("agent-1, agent-8 20 MiB/s");
    for (int bad : new int[] {0, 16}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  new DistributionBench.Shape(
                      "x",
                      Records.MIB,
                      16,
                      Records.MIB,
                      Records.MIB,
                      1 << 20,
                      Duration.ofSeconds(1),
                      java.util.List.of(bad),
                      Records.MIB))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("fast agents must be among agents 1..15");
    }
  }

  @Test
  void aUniformShapeHasNoOverrides() {
    DistributionBench.Shape uniform =
        new DistributionBench.Shape(
            "cpu-not-limiting",
            64 * Records.MIB,
            8,
            4 * Records.MIB,
            8 * Records.MIB,
            512 << 10,
            Duration.ofSeconds(300));
    assertThat(uniform.options("load-aware", Path.of("x")).uploadOverrides()).isEmpty();
  }

  @Test
  void oneSwarmOfTheFullRunCanBeRunAlone(@org.junit.jupiter.api.io.TempDir Path dir) {
    io.swarmsched.bench.BenchContext full =
        new io.swarmsched.bench.BenchContext(false, dir, System.out, false);
    assertThat(DistributionBench.shapes(full))
        .extracting(DistributionBench.Shape::name)
        .containsExactly("uniform", "skewed", "skewed-16", "cpu-not-limiting");
    String before = System.getProperty(DistributionBench.SHAPES);
    try {
      System.setProperty(DistributionBench.SHAPES, "skewed");
      assertThat(DistributionBench.shapes(full))
          .extracting(DistributionBench.Shape::name)
          .containsExactly("skewed");
      System.setProperty(DistributionBench.SHAPES, "skewd");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> DistributionBench.shapes(full))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("skewd names none of this run's swarms")
          .hasMessageContaining("cpu-not-limiting");
    } finally {
      if (before == null) System.clearProperty(DistributionBench.SHAPES);
      else System.setProperty(DistributionBench.SHAPES, before);
    }
  }
}
