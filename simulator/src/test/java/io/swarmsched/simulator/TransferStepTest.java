package io.swarmsched.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How the simulator moves bytes per step. */
class TransferStepTest {

  static final long MIB = 1024L * 1024;

  /**
   * One child fetching a 256 MiB file from a seed that uploads 8 MiB/s, two pieces in flight: each
   * fetch runs at 4 MiB/s, 209,715.2 bytes a 50 ms step. Flooring every step without carrying the
   * fraction left 2 bytes of each 2 MiB piece for an 11th step, so the seed sent at 10/11 of its
   * limit and the child finished 3.5 s late (35.6 s against 32.4 s with the carry).
   */
  @Test
  void aHostUploadsAtItsFullLimitWhenAStepsShareIsFractional() {
    Scenario sc =
        new Scenario(
            "step", "", 1, 256 * MIB, 2 * MIB, 8 * MIB, 0, 1, 128 * MIB, 1, 0, 256 * MIB, 8 * MIB,
            0, -1, 0, 0, 2, 2, -1);
    SimResult r = new Swarm(sc, SimOptions.of("load-aware").withChecks(true), null).run();
    assertThat(r.unfinished()).isZero();
    assertThat(r.limitViolations()).isZero();
    assertThat(r.bytesSent()).isEqualTo(r.bytesReceived());
    // 32 s of upload at the limit, plus the time to trigger the seed and schedule the child
    assertThat(sc.fluidBound()).isEqualTo(32.0);
    assertThat(r.max()).isLessThan(32.0 + 1.5);
  }
}
