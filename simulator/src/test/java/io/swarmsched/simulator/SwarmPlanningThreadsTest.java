package io.swarmsched.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.evaluator.Evaluators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Stage 2 planned on two threads ({@code Swarm.startFetches}) gives exactly the result of one
 * thread: every field of the result, each completion time to the bit.
 */
class SwarmPlanningThreadsTest {

  @Property(tries = 20)
  void twoPlanningThreadsGiveTheResultOfOne(
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed,
      @ForAll @IntRange(min = 4, max = 25) int hosts,
      @ForAll @IntRange(min = 0, max = 3) int policy) {
    Scenario sc = SwarmPropertiesTest.randomScenario(seed, hosts);
    SimOptions o = SimOptions.of(Evaluators.NAMES.get(policy)).withSeed(seed).withChecks(true);
    SimResult one = new Swarm(sc, o, null).planningThreads(1).run();
    Swarm two = new Swarm(sc, o, null).planningThreads(2).parallelFrom(2);
    SimResult r = two.run();
    assertSame(r, one);
    assertThat(two.parallelBatches()).isPositive();
  }

  /** Swarms of the default batch size, with churn (parents gone) and the seed leaving (claims). */
  @Test
  void largeSwarmsWithChurnAndSeedLossGiveTheSameResultOnTwoThreads() {
    for (String name : new String[] {"churn", "seed-loss"}) {
      Scenario sc = Scenarios.byName(name).withHosts(300).withPieces(128);
      SimOptions o = SimOptions.of(Evaluators.DEFAULT).withChecks(true);
      SimResult one = new Swarm(sc, o, null).planningThreads(1).run();
      Swarm two = new Swarm(sc, o, null).planningThreads(2);
      SimResult r = two.run();
      assertSame(r, one);
      assertThat(two.parallelBatches()).as(name).isPositive();
    }
  }

  private static void assertSame(SimResult a, SimResult b) {
    assertThat(a.completions()).containsExactly(b.completions());
    assertThat(a)
        .usingRecursiveComparison()
        .withEqualsForType((x, y) -> Double.compare(x, y) == 0, Double.class) // to the bit, NaN too
        .ignoringFields("wallMillis")
        .isEqualTo(b);
  }
}
