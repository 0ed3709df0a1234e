package io.swarmsched.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcessStatsTest {

  @Test
  void cpuSecondsAreUtimePlusStimeEvenWhenTheCommandNameHasSpacesAndParentheses() {
    String stat =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 566 0 0 20 0 30 0 1 2 3";
    assertEquals(18.0, ProcessStats.cpuSecondsFromStat(stat), 1e-9);
  }

  @Test
  void thisProcessHasUsedSomeCpuAndHasAResidentSet() {
    assertTrue(ProcessStats.cpuSeconds(ProcessStats.selfPid()).orElse(1) > 0);
    assertTrue(ProcessStats.rssBytes(ProcessStats.selfPid()).orElse(1) > 0);
  }
}
