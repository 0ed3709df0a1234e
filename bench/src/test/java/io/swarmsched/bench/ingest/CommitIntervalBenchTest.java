package io.swarmsched.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommitIntervalBenchTest {

  @Test
  void theDrainSpansManyCommitsOfTheLongestIntervalAndTheSteadyPhaseComesAfterIt() {
    for (boolean quick : new boolean[] {true, false}) {
      int longest =
          CommitIntervalBench.intervals(quick).stream().mapToInt(Integer::intValue).max().orElse(0);
      long backlog = 10_000L * CommitIntervalBench.drainRounds(quick);
      // at 70,000 heartbeats/s (this benchmark's fastest drain so far: 70,818/s) the first
      // commit of the longest interval must cover at most a fifth of the backlog, or the rate is
      // taken over the start-up (GroupProgress.awaitCaughtUp)
      assertThat(backlog).as("quick=%s", quick).isGreaterThan(5L * 70 * longest);
      // the steady phase's heartbeats have later sequence numbers than every drained one
      assertThat(CommitIntervalBench.STEADY_FIRST_SEQ)
          .isGreaterThan(CommitIntervalBench.drainRounds(quick));
    }
  }
}
