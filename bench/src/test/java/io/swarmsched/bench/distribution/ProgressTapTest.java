package io.swarmsched.bench.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTapTest {

  @Test
  void keepsTheDemosProgressLinesAsPercentOfAllBytesOverTime() {
    List<String> passed = new ArrayList<>();
    DistributionBench.ProgressTap tap = new DistributionBench.ProgressTap(passed::add);
    try (PrintStream out = new PrintStream(tap, true, StandardCharsets.UTF_8)) {
      out.println("generating the file …");
      out.println("[  5.0 s] 1/5 agents done, swarm 12.0 MiB/s, 40.0 MiB of 160.0 MiB");
      out.println("[ 10.1 s] 5/5 agents done, swarm 3.0 MiB/s, 160.0 MiB of 160.0 MiB");
    }
    assertThat(passed).hasSize(3).first().isEqualTo("generating the file …");
    assertThat(tap.points()).hasSize(2);
    assertThat(tap.points().get(0)).containsExactly(5.0, 25.0);
    assertThat(tap.points().get(1)).containsExactly(10.1, 100.0);
  }

  @Test
  void readsTheTerminalRedrawLineAndDropsTheAnsiCodesAndPerAgentBars() {
    List<String> passed = new ArrayList<>();
    DistributionBench.ProgressTap tap = new DistributionBench.ProgressTap(passed::add);
    try (PrintStream out = new PrintStream(tap, true, StandardCharsets.UTF_8)) {
      out.print("\033[2Kagent-1   idc-b  [#####     ] 50%\n");
      out.print("\033[2Kswarm: 8.0 MiB/s, 512.0 KiB of 2.0 MiB done, 3 s\n");
    }
    assertThat(tap.points()).hasSize(1);
    assertThat(tap.points().get(0)).containsExactly(3.0, 25.0);
    assertThat(passed).noneMatch(l -> l.startsWith("agent-")).allMatch(l -> !l.contains("\033"));
  }
}
