package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The topology around its requests: patrol, bad input, policies, jobs, quarantine, time, replay,
 * metrics.
 */
class DispatcherOperationsTest extends TopologyTestBase {

  @Test
  void childrenOfAPeerOnAnOfflineHostGetAFreshDecisionWithoutAsking() {
    var f = fixture();
    firstPeerBackToSource(f);
    f.host("h3", HostType.NORMAL, Liveness.ONLINE);
    f.peer("t1", "p3", "h3", PeerEventType.SUCCEEDED, T0 + 15);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 20).build());
    assertThat(f.readDecisions().get(0).getParents())
        .extracting(ParentCandidate::getPeerId)
        .containsExactlyInAnyOrder("p1", "p3");
    f.peer("t1", "p2", "h2", PeerEventType.RUNNING, T0 + 30);

    f.host("h1", HostType.NORMAL, Liveness.OFFLINE);
    f.advanceTo(T0 + 100, T0 + 6_000);

    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.PARENTS);
              assertThat(d.getReason()).isEqualTo("PARENT_LOST");
              assertThat(d.getPeerId()).isEqualTo("p2");
              assertThat(d.getTargetHostId()).isEqualTo("h2");
              assertThat(d.getParents())
                  .extracting(ParentCandidate::getPeerId)
                  .containsExactly("p3");
            });
    List<PeerEvent> left =
        f.peerEventsOut.readValuesToList().stream()
            .filter(e -> e.getType() == PeerEventType.LEFT)
            .toList();
    assertThat(left)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getPeerId()).isEqualTo("p1");
              assertThat(e.getReason()).isEqualTo("HOST_OFFLINE");
            });
  }

  @Test
  void aPeerWithoutProgressForThirtyMinutesLeaves() {
    var f = fixture(Map.of(DispatcherConfig.PEER_IDLE_TIMEOUT, "2s"));
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.peer("t1", "p1", "h1", PeerEventType.RUNNING, T0);
    f.advanceTo(T0 + 100, T0 + 8_000);
    assertThat(
            f.peerEventsOut.readValuesToList().stream()
                .filter(e -> e.getType() == PeerEventType.LEFT))
        .singleElement()
        .satisfies(e -> assertThat(e.getReason()).isEqualTo("NO_PROGRESS"));
  }

  @Test
  void malformedRequestsAreRejectedWithTheReason() {
    var f = fixture();
    f.send(request("r1", "t1", "", "h1", T0).build());
    f.send(request("r2", "t1", "p1", "h1", T0).setUrl("").build());
    f.requests.pipeInput("other-task", request("r3", "t1", "p1", "h1", T0).build(), T0);
    // NUL separates a task id from a peer id in the task store's keys
    String nul = "t" + '\u0000' + "p";
    f.requests.pipeInput(nul, request("r4", nul, "p1", "h1", T0).build(), T0);

    List<ScheduleDecision> out = f.readDecisions();
    assertThat(out).extracting(ScheduleDecision::getOutcome).containsOnly(DecisionOutcome.REJECTED);
    assertThat(out)
        .extracting(ScheduleDecision::getReason)
        .containsExactly(
            "peer_id: required",
            "url: required for a download request",
            "record key 'other-task' is not the task_id 't1'",
            "task_id: contains NUL");
    assertThat(out).extracting(ScheduleDecision::getTargetHostId).containsOnly("h1");
  }

  @Test
  void undeserializableRequestsGoToTheDeadLetterTopicAndProcessingContinues() {
    var f = fixture();
    f.rawRequests.pipeInput("t1", "not avro".getBytes(StandardCharsets.UTF_8), T0);
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r1", "t1", "p1", "h1", T0 + 1).build());

    TestRecord<byte[], byte[]> dead = f.deadLetters.readRecord();
    assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
    assertThat(DeadLetterHeaders.lastValue(dead.headers(), DeadLetterHeaders.SOURCE_TOPIC))
        .contains(Topics.SCHEDULE_REQUESTS.name());
    assertThat(DeadLetterHeaders.lastValue(dead.headers(), DeadLetterHeaders.REASON)).isPresent();
    assertThat(f.readDecisions())
        .extracting(ScheduleDecision::getOutcome)
        .containsExactly(DecisionOutcome.BACK_TO_SOURCE);
  }

  @Test
  void invalidPeerEventsGoToTheDeadLetterTopicWithTheirReason() {
    var f = fixture();
    f.peerEvents.pipeInput(
        "t1",
        PeerEvent.newBuilder()
            .setEventId("e1")
            .setTaskId("t1")
            .setPeerId("p1")
            .setHostId("h1")
            .setType(PeerEventType.RUNNING)
            .setPiecesFinished(-3)
            .setTimestamp(Instant.ofEpochMilli(T0))
            .build(),
        T0);
    TestRecord<byte[], byte[]> dead = f.deadLetters.readRecord();
    assertThat(DeadLetterHeaders.lastValue(dead.headers(), DeadLetterHeaders.REASON))
        .contains("pieces_finished: must not be negative");
    assertThat(DeadLetterHeaders.lastValue(dead.headers(), DeadLetterHeaders.STAGE))
        .contains("peer-event-validate");
  }

  @Test
  void theRandomPolicyIsNamedInItsDecisions() {
    var f = fixture(Map.of(DispatcherConfig.POLICY, "random"));
    firstPeerBackToSource(f);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 20).build());
    ScheduleDecision d = f.readDecisions().get(0);
    assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.PARENTS);
    assertThat(d.getPolicyId()).startsWith("random");
  }

  @Test
  void jobRequestsAreAssignedToTheLeastLoadedMatchingWorker() {
    var f = fixture();
    f.hosts.pipeInput(
        "w1",
        DispatcherFixture.hostState("w1", HostType.NORMAL, Liveness.ONLINE, false)
            .setTags(List.of("gpu"))
            .setCapacity(
                io.swarmsched.schemas.HostCapacity.newBuilder().setMaxTasks(4).setGpus(1).build())
            .setLoad(io.swarmsched.schemas.HostLoad.newBuilder().setRunningTasks(3).build())
            .build(),
        T0);
    f.hosts.pipeInput(
        "w2",
        DispatcherFixture.hostState("w2", HostType.NORMAL, Liveness.ONLINE, false)
            .setTags(List.of("gpu", "cuda-12"))
            .setCapacity(
                io.swarmsched.schemas.HostCapacity.newBuilder().setMaxTasks(4).setGpus(1).build())
            .setLoad(io.swarmsched.schemas.HostLoad.newBuilder().setRunningTasks(1).build())
            .build(),
        T0);
    f.hosts.pipeInput(
        "w3",
        DispatcherFixture.hostState("w3", HostType.NORMAL, Liveness.ONLINE, false)
            .setCapacity(io.swarmsched.schemas.HostCapacity.newBuilder().setMaxTasks(8).build())
            .build(),
        T0);
    f.send(
        request("j1", "job-1", "", "client", T0)
            .setUrl("")
            .setJob(JobRequirements.newBuilder().setRequiredTags(List.of("gpu")).setGpus(1).build())
            .build());

    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.ASSIGNED);
              assertThat(d.getWorkerHostId()).isEqualTo("w2");
              assertThat(d.getTargetHostId()).isEqualTo("w2");
              assertThat(d.getRequesterHostId()).isEqualTo("client");
            });
  }

  /**
   * scoring-streams publishes a host's score only when it changed. Children given a parent that
   * never fetch from it (as in the chaos runs, where no peer ever downloads) must not keep its host
   * full for ever: after {@code allocation.ttl} (10 s) of stream time their allocations no longer
   * count, and the host is a candidate again though no newer score came.
   */
  @Test
  void allocationsThatNeverBecameUploadsStopTakingTheHostsSlotsAfterTheTtl() {
    var f = fixture();
    f.hosts.pipeInput(
        "h1",
        DispatcherFixture.hostState("h1", HostType.NORMAL, Liveness.ONLINE, false)
            .setCapacity(
                io.swarmsched.schemas.HostCapacity.newBuilder()
                    .setMaxTxBytesPerSec(100L << 20)
                    .setUploadSlotLimit(2)
                    .build())
            .build(),
        T0);
    f.score("h1", 0.1, 0.1, 0.1); // computed at T0, never again: the host's load does not change
    f.send(request("r1", "t1", "p1", "h1", T0).build());
    f.readDecisions();
    f.peer("t1", "p1", "h1", PeerEventType.BACK_TO_SOURCE, T0 + 10);
    for (int i = 2; i <= 4; i++) f.host("h" + i, HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 20).build());
    f.send(request("r3", "t1", "p3", "h3", T0 + 30).build());
    assertThat(f.readDecisions())
        .extracting(ScheduleDecision::getOutcome)
        .containsExactly(DecisionOutcome.PARENTS, DecisionOutcome.PARENTS);
    // both go away without fetching a byte: their allocations on h1 never become uploads
    f.peer("t1", "p2", "h2", PeerEventType.LEFT, T0 + 32);
    f.peer("t1", "p3", "h3", PeerEventType.LEFT, T0 + 34);

    f.send(request("r4", "t1", "p4", "h4", T0 + 40).build());
    f.advanceTo(T0 + 100, T0 + 4_000);
    assertThat(terminalFor(f.readDecisions(), "r4"))
        .as("h1's two slots are allocated: r4 finds no candidate, retried until back to source")
        .satisfies(d -> assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.BACK_TO_SOURCE));

    f.advanceTo(T0 + 4_100, T0 + 10_100);
    f.host("h5", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r5", "t1", "p5", "h5", T0 + 10_150).build());
    assertThat(terminalFor(f.readDecisions(), "r5"))
        .as("the two allocations are older than the TTL: h1 has its slots again")
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.PARENTS);
              assertThat(d.getParents()).extracting(ParentCandidate::getPeerId).contains("p1");
            });
  }

  private static ScheduleDecision terminalFor(List<ScheduleDecision> decisions, String requestId) {
    return DispatcherFixture.terminal(decisions).stream()
        .filter(d -> d.getRequestId().equals(requestId))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no decision for " + requestId + ": " + decisions));
  }

  @Test
  void aHostWhoseUploadsKeepFailingIsQuarantinedAndGetsNoChildren() {
    var f =
        fixture(
            Map.of(
                DispatcherConfig.QUARANTINE_MIN_SAMPLES,
                "4",
                DispatcherConfig.QUARANTINE_WINDOW,
                "1s"));
    firstPeerBackToSource(f);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    for (int i = 0; i < 5; i++) {
      f.piece("t9", "x" + i, "h2", "p1", "h1", PieceOutcome.FAILED, 10, T0 + 20 + i);
    }
    f.advanceTo(T0 + 100, T0 + 6_000);
    f.send(request("r2", "t1", "p2", "h2", T0 + 6_010).build());
    assertThat(f.readDecisions())
        .as("p1 is the only holder, on a quarantined host: no parent, a retry")
        .isEmpty();
    f.advanceTo(T0 + 6_100, T0 + 10_000);
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.BACK_TO_SOURCE);
              assertThat(d.getReason()).isEqualTo("NO_CANDIDATES");
            });
  }

  @Test
  void theIdleWallClockStillRetriesOnAQuietPartition() {
    var f = fixture();
    f.host("h1", HostType.NORMAL, Liveness.ONLINE, true);
    f.peer("t1", "p1", "h1", PeerEventType.BACK_TO_SOURCE, T0);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 10).build());
    for (int i = 0; i < 60 && f.decisions.isEmpty(); i++) {
      f.driver.advanceWallClockTime(Duration.ofMillis(100));
    }
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(d -> assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.BACK_TO_SOURCE));
  }

  @Test
  void replayingTheSameInputsReproducesTheSameDecisions() {
    List<ScheduleDecision> first = scenario();
    f.close();
    List<ScheduleDecision> second = scenario();
    assertThat(second).isEqualTo(first);
  }

  private List<ScheduleDecision> scenario() {
    var f = fixture(Map.of(DispatcherConfig.IDLE_CLOCK_ADVANCE, "false"));
    firstPeerBackToSource(f);
    for (int i = 2; i < 8; i++) {
      f.host("h" + i, HostType.NORMAL, Liveness.ONLINE);
      f.score("h" + i, i / 10.0, 0.5, 0.5);
      f.send(request("r" + i, "t1", "p" + i, "h" + i, T0 + 20 + i).build());
      f.peer("t1", "p" + i, "h" + i, PeerEventType.RUNNING, T0 + 30 + i);
    }
    f.advanceTo(T0 + 100, T0 + 3_000);
    return f.readDecisions();
  }

  @Test
  void anIllegalPeerTransitionIsRejectedAndCountedInTheStreamsMetrics() {
    var f = fixture();
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.peer("t1", "p1", "h1", PeerEventType.SUCCEEDED, T0);
    f.peer(
        "t1",
        "p1",
        "h1",
        PeerEventType.RUNNING,
        T0 + 1); // SUCCEEDED -> RUNNING is not a legal move
    f.peer("t1", "p1", "h1", PeerEventType.SUCCEEDED, T0 + 2); // unchanged: not counted
    double total =
        f.driver.metrics().entrySet().stream()
            .filter(
                e ->
                    e.getKey().group().equals("stream-dispatcher-metrics")
                        && e.getKey().name().equals("illegal-peer-transition-total"))
            .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
            .sum();
    assertThat(total).isEqualTo(1.0);
    // the peer stays SUCCEEDED: a later request gets it as a parent
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r2", "t1", "p2", "h2", T0 + 3).build());
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.PARENTS);
              assertThat(d.getParents()).extracting(c -> c.getPeerId()).containsExactly("p1");
            });
  }
}
