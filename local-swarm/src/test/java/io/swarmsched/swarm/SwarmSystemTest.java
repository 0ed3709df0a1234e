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
    // the seed's copy, and at most one more read by the children it granted the origin (each its
    // own slice, each piece once; docs/design.md, "Stage 2"), less what the assist could not use
    assertThat(s.originBytes()).as(output).isLessThanOrEqualTo(2 * size);
    // mostly from each other: what the children did not take from the origin came from peers
    assertThat(s.peerBytes())
        .as(output)
        .isGreaterThanOrEqualTo(5 * size - (s.originBytes() - size))
        .isGreaterThan(5 * size / 2)
        .isLessThanOrEqualTo(5 * size);
    assertThat(s.decisions())
        .as(output)
        .containsKeys(DecisionOutcome.PARENTS, DecisionOutcome.SEED_TRIGGER);
    assertThat(s.servedByHost().keySet())
        .as("hosts that served pieces\n" + output)
        .contains("seed-0")
        .anyMatch(h -> h.startsWith("agent-"));
    assertThat(output).contains("OK: every agent holds a verified copy");
    // the dispatcher's input order, read from its /metrics: every request and event it took
    assertThat(output)
        .containsPattern("dispatcher inputs [0-9,]+ in timestamp order, [0-9,]+ behind");
  }

  /**
   * The super seed's agent stops three seconds in, having uploaded about a third of the file: what
   * it never sent exists only at the origin. A starved agent's request for more parents is answered
   * BACK_TO_SOURCE COPY_LOST (the dispatcher's copy-lost rule), that agent reads the rest from the
   * origin and serves it, and every remaining agent ends with a verified copy.
   */
  @Test
  void whenTheSeedLeavesEarlyOneAgentBringsTheRestFromTheOrigin() throws Exception {
    long size = 8L << 20;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    SwarmDemo.Summary s =
        SwarmDemo.execute(
            new SwarmDemo.Options(
                    size,
                    5,
                    1L << 20,
                    4L << 20,
                    "load-aware",
                    dir,
                    256 * 1024,
                    Duration.ofMinutes(4))
                .withSeedLeavingAfter(Duration.ofSeconds(3)),
            new PrintStream(log, true, StandardCharsets.UTF_8));
    String output = log.toString(StandardCharsets.UTF_8);
    System.out.println(output);

    assertThat(output).contains("the super seed seed-0 leaves");
    assertThat(s.agents()).as("the four that stayed").isEqualTo(4);
    assertThat(s.verified()).as(output).isEqualTo(4);
    // the copy-lost rule's answer, or its repeat to the same peer when the answer reached the agent
    // just as its round ended and it asked again (ALREADY_BACK_TO_SOURCE; docs/design.md, "The
    // copy lost"): one peer, either way, brings the rest from the origin
    assertThat(s.backToSourceReasons()).as(output).containsEntry("SEED_TRIGGER", 1L).hasSize(2);
    assertThat(
            s.backToSourceReasons().getOrDefault("COPY_LOST", 0L)
                + s.backToSourceReasons().getOrDefault("ALREADY_BACK_TO_SOURCE", 0L))
        .as(output)
        .isEqualTo(1L);
    assertThat(output)
        .containsPattern("back-to-source +2 peer\\(s\\).*(COPY_LOST|ALREADY_BACK_TO_SOURCE) 1");
  }

  @Test
  void theInputOrderLineIsReadFromTheDispatchersMetrics() {
    String metrics =
        String.join(
            "\n",
            "# TYPE swarmsched_dispatch_inputs_total counter",
            "swarmsched_dispatch_inputs_total{order=\"behind\",topic=\"p\"} 3.0",
            "swarmsched_dispatch_inputs_total{order=\"in_order\",topic=\"p\"} 997.0",
            "swarmsched_dispatch_inputs_total{order=\"in_order\",topic=\"r\"} 1000.0",
            "swarmsched_dispatch_input_behind_milliseconds_count 3",
            "swarmsched_dispatch_input_behind_milliseconds_sum 90.0",
            "swarmsched_dispatch_input_behind_milliseconds_max 50.0");
    assertThat(SwarmDemo.describeInputOrder(metrics))
        .isEqualTo(
            "1,997 in timestamp order, 3 behind the stream time (0.15%; mean 30 ms, max 50 ms;"
                + " behind/all: p 3/1,000, r 0/1,000)");
    assertThat(SwarmDemo.describeInputOrder("# nothing")).isEqualTo("(not in /metrics)");
    assertThat(
            SwarmDemo.describeLatency(
                String.join(
                    "\n",
                    "swarmsched_decision_latency_seconds_count 4",
                    "swarmsched_decision_latency_seconds_sum 0.2",
                    "swarmsched_decision_latency_seconds_max 0.125")))
        .isEqualTo(
            "mean 50 ms, max 125 ms over 4 requests (request timestamp to terminal decision)");
  }
}
