package io.swarmsched.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The demo's timeline: milestones from records, relative to the start of the downloads. */
class DemoTimelineTest {
  private static final long T0 = 1_000_000L;

  private static ScheduleRequest request(String host) {
    return ScheduleRequest.newBuilder()
        .setRequestId(host + ":0")
        .setTaskId("t")
        .setPeerId(host + "-p")
        .setHostId(host)
        .setUrl("http://o/f")
        .setTimestamp(Instant.EPOCH)
        .build();
  }

  private static ScheduleDecision decision(String host, DecisionOutcome outcome) {
    return ScheduleDecision.newBuilder()
        .setDecisionId(host + outcome)
        .setRequestId(host + ":0")
        .setTaskId("t")
        .setPeerId(host + "-p")
        .setTargetHostId(host)
        .setRequesterHostId(host)
        .setOutcome(outcome)
        .setParents(List.of())
        .setPolicyId("p")
        .setDecidedAt(Instant.EPOCH)
        .build();
  }

  private static PieceEvent piece(String host, PieceSource source, long bytes) {
    return PieceEvent.newBuilder()
        .setEventId(host + source + bytes)
        .setTaskId("t")
        .setPeerId(host + "-p")
        .setHostId(host)
        .setPieceNumber(0)
        .setOutcome(PieceOutcome.FINISHED)
        .setSource(source)
        .setBytes(bytes)
        .setCostMillis(1)
        .setTimestamp(Instant.EPOCH)
        .build();
  }

  private static PeerEvent peer(String host, PeerEventType type) {
    return PeerEvent.newBuilder()
        .setEventId(host + type)
        .setTaskId("t")
        .setPeerId(host + "-p")
        .setHostId(host)
        .setType(type)
        .setPiecesFinished(0)
        .setPieceCount(0)
        .setContentLength(0)
        .setTimestamp(Instant.EPOCH)
        .build();
  }

  @Test
  void milestonesAreSecondsFromTheStartAndPerChildRangesCountTheChildren() {
    DemoTimeline t = new DemoTimeline(T0, "seed-0", Set.of("agent-1", "agent-2"));
    t.before("agents started (before)", 2_500);
    t.request(T0 + 200, request("agent-1"));
    t.request(T0 + 100, request("agent-2"));
    t.decision(T0 + 300, decision("seed-0", DecisionOutcome.SEED_TRIGGER));
    t.request(T0 + 1_000, request("seed-0"));
    t.decision(T0 + 1_200, decision("seed-0", DecisionOutcome.BACK_TO_SOURCE));
    t.piece(T0 + 2_000, piece("seed-0", PieceSource.ORIGIN, 1 << 20));
    t.piece(T0 + 4_000, piece("seed-0", PieceSource.ORIGIN, 1 << 20));
    t.decision(T0 + 1_500, decision("agent-1", DecisionOutcome.PARENTS));
    t.decision(T0 + 3_000, decision("agent-1", DecisionOutcome.PARENTS)); // a later one
    t.piece(T0 + 2_500, piece("agent-1", PieceSource.PARENT, 1 << 20));
    t.peer(T0 + 9_000, peer("agent-1", PeerEventType.SUCCEEDED));
    t.peer(T0 + 9_500, peer("seed-0", PeerEventType.SUCCEEDED)); // not a child

    assertThat(t.lines())
        .containsExactly(
            "agents started (before)               2.5 s",
            "first schedule request                0.1 s",
            "seed triggered (SEED_TRIGGER)         0.3 s",
            "seed's own request                    1.0 s",
            "seed's decision                       1.2 s",
            "seed's first origin piece             2.0 s",
            "seed's last origin piece              4.0 s (1.0 MiB/s from its first piece)",
            "children's first parents              1.5 s .. 1.5 s (1 of 2)",
            "children's first peer piece           2.5 s .. 2.5 s (1 of 2)",
            "children done                         9.0 s .. 9.0 s (1 of 2)");
  }

  @Test
  void whatNeverHappenedIsADash() {
    DemoTimeline t = new DemoTimeline(T0, "seed-0", Set.of("agent-1"));
    assertThat(t.lines()).contains("seed triggered (SEED_TRIGGER)           -");
    assertThat(t.lines()).contains("children done                           -");
  }
}
