package io.swarmsched.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.schemas.DecisionOutcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every service running on the embedded cluster — broker, registry, heartbeat-ingest,
 * scoring-streams, dispatcher — with a local origin, one super seed and five agents with upload
 * limits: all six end with byte-identical copies, the origin serves the file about once, and pieces
 * flow between agents, not only from the seed.
 */
class SwarmSystemTest {
  @TempDir Path dir;

  @Test
  void aSuperSeedAndFiveAgentsAllEndWithVerifiedCopiesMostlyFromEachOther() throws Exception {
    long size = 4L << 20;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    SwarmDemo.Summary s =
        SwarmDemo.execute(
            new SwarmDemo.Options(
                size, 6, 1L << 20, 4L << 20, "load-aware", dir, 256 * 1024, Duration.ofMinutes(4)),
            new PrintStream(log, true, StandardCharsets.UTF_8));
    String output = log.toString(StandardCharsets.UTF_8);
    System.out.println(output);

    assertThat(s.verified()).as(output).isEqualTo(6);
    assertThat(s.originBytes()).as(output).isLessThanOrEqualTo((long) (1.2 * size));
    assertThat(s.peerBytes()).as(output).isEqualTo(5 * size);
    assertThat(s.decisions())
        .as(output)
        .containsKeys(DecisionOutcome.PARENTS, DecisionOutcome.SEED_TRIGGER);
    assertThat(s.servedByHost().keySet())
        .as("hosts that served pieces\n" + output)
        .contains("seed-0")
        .anyMatch(h -> h.startsWith("agent-"));
    assertThat(output).contains("OK: every agent holds a verified copy");
  }
}
