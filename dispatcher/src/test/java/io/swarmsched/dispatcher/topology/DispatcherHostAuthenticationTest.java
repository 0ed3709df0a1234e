package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.ServiceKeys;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.topics.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 in the dispatcher: requests and piece events naming a bound host must be signed by its
 * key (global table swarm.host-keys.v1); forged and replayed ones are dead-lettered and change
 * nothing.
 */
class DispatcherHostAuthenticationTest extends HostAuthenticationTestBase {
  private final HostKeyPair h2Key = HostKeyPair.generate();

  private byte[] failedPiece(String hostId, String parentHost, long at, HostKeyPair signer) {
    PieceEvent ev =
        PieceEvent.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setTaskId("t9")
            .setPeerId("x-" + at)
            .setHostId(hostId)
            .setPieceNumber(0)
            .setOutcome(PieceOutcome.FAILED)
            .setSource(PieceSource.PARENT)
            .setParentPeerId("p1")
            .setParentHostId(parentHost)
            .setBytes(1024)
            .setCostMillis(10)
            .setTimestamp(Instant.ofEpochMilli(at))
            .build();
    return pipe(
        Topics.PIECE_EVENTS.name(),
        "t9",
        bytes(Topics.PIECE_EVENTS.name(), PieceEvent.class, ev),
        signer,
        at);
  }

  @Test
  void aSignedRequestOfABoundHostIsDecidedAndAForgedOneIsDeadLettered() {
    fixture();
    firstPeerBackToSource(f);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    bind("h2", h2Key);

    byte[] unsigned = sendRequest(request("r-forged", "t1", "p2", "h2", T0 + 20).build(), null);
    sendRequest(request("r-other-key", "t1", "p2", "h2", T0 + 21).build(), forger);
    assertThat(f.readDecisions()).as("nothing decided for a forged request").isEmpty();
    List<TestRecord<byte[], byte[]>> dead = deadLetters();
    assertThat(dead).hasSize(2);
    assertThat(dead)
        .allSatisfy(
            d ->
                assertThat(header(d, DeadLetterHeaders.STAGE))
                    .isEqualTo(DispatchProcessor.STAGE_REQUEST_AUTH));
    assertThat(header(dead.get(0), DeadLetterHeaders.REASON))
        .isEqualTo("host 'h2' is bound to key " + h2Key.keyId() + "; the record is not signed");
    assertThat(dead.get(0).value()).isEqualTo(unsigned);
    assertThat(header(dead.get(1), DeadLetterHeaders.REASON))
        .contains("signed by another key, " + forger.keyId());

    sendRequest(request("r-real", "t1", "p2", "h2", T0 + 30).build(), h2Key);
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getRequestId()).isEqualTo("r-real");
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.PARENTS);
            });
    assertThat(deadLetters()).isEmpty();
  }

  @Test
  void aReplayedOrStaleSignedRequestIsDeadLettered() {
    fixture();
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    bind("h2", h2Key);
    ScheduleRequest r = request("r1", "t1", "p2", "h2", T0).build();
    sendRequest(r, h2Key);
    assertThat(f.readDecisions()).hasSize(1);
    // remembered in a store (changelogged), not only in memory: a restart restores it
    org.apache.kafka.streams.state.KeyValueStore<String, Long> remembered =
        f.driver.getKeyValueStore(DispatcherTopology.SEEN_SIGNATURES_STORE);
    assertThat(remembered.approximateNumEntries()).isEqualTo(1);
    // the same bytes again: Ed25519 signatures are deterministic, so also the same signature
    sendRequest(r, h2Key);
    assertThat(f.readDecisions()).as("nothing decided again").isEmpty();
    assertThat(deadLetters())
        .singleElement()
        .satisfies(
            d -> assertThat(header(d, DeadLetterHeaders.REASON)).startsWith("replayed: the same"));

    // older than the window (10 min by default)
    sendRequest(request("r-old", "t1", "p2", "h2", T0 - 11 * 60_000).build(), h2Key);
    assertThat(deadLetters())
        .singleElement()
        .satisfies(
            d ->
                assertThat(header(d, DeadLetterHeaders.REASON))
                    .startsWith("replayed or delayed: timestamp"));
  }

  @Test
  void forgedPieceEventsCannotGetAHealthyHostQuarantined() {
    fixture(
        Map.of(
            DispatcherConfig.QUARANTINE_MIN_SAMPLES,
            "4",
            DispatcherConfig.QUARANTINE_WINDOW,
            "1s"));
    firstPeerBackToSource(f);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.host("h3", HostType.NORMAL, Liveness.ONLINE);
    bind("h2", h2Key);
    // the forger claims h2 saw p1 (on h1) fail, again and again
    for (int i = 0; i < 5; i++) {
      failedPiece("h2", "h1", T0 + 20 + i, i % 2 == 0 ? null : forger);
    }
    assertThat(deadLetters())
        .hasSize(5)
        .allSatisfy(
            d ->
                assertThat(header(d, DeadLetterHeaders.STAGE))
                    .isEqualTo(DispatchProcessor.STAGE_PIECE_EVENT_AUTH));
    f.advanceTo(T0 + 100, T0 + 6_000);
    f.send(request("r3", "t1", "p3", "h3", T0 + 6_010).build());
    assertThat(f.readDecisions())
        .as("h1 is not quarantined: p1 is still a parent")
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.getParents())
                    .extracting(ParentCandidate::getPeerId)
                    .containsExactly("p1"));
  }

  @Test
  void realFailuresFromTheBoundHostStillCount() {
    fixture(
        Map.of(
            DispatcherConfig.QUARANTINE_MIN_SAMPLES,
            "4",
            DispatcherConfig.QUARANTINE_WINDOW,
            "1s"));
    firstPeerBackToSource(f);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    f.host("h3", HostType.NORMAL, Liveness.ONLINE);
    bind("h2", h2Key);
    for (int i = 0; i < 5; i++) {
      failedPiece("h2", "h1", T0 + 20 + i, h2Key);
    }
    assertThat(deadLetters()).isEmpty();
    f.advanceTo(T0 + 100, T0 + 6_000);
    f.send(request("r3", "t1", "p3", "h3", T0 + 6_010).build());
    assertThat(f.readDecisions()).as("h1 quarantined: no parent yet").isEmpty();
  }

  @Test
  void theDispatchersOwnSignedLeftEventsPassForBoundHosts() {
    fixture();
    HostKeyPair service = HostKeyPair.generate();
    bind(ServiceKeys.bindingId("dispatcher", service.keyId()), service);
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    bind("h2", h2Key);
    io.swarmsched.schemas.PeerEvent left =
        io.swarmsched.schemas.PeerEvent.newBuilder()
            .setEventId("dispatcher/left/t1/p2/1")
            .setTaskId("t1")
            .setPeerId("p2")
            .setHostId("h2")
            .setType(io.swarmsched.schemas.PeerEventType.LEFT)
            .setTimestamp(Instant.ofEpochMilli(T0))
            .build();
    byte[] value = bytes(Topics.PEER_EVENTS.name(), io.swarmsched.schemas.PeerEvent.class, left);
    pipe(Topics.PEER_EVENTS.name(), "t1", value, service, T0);
    assertThat(deadLetters()).isEmpty();
    pipe(Topics.PEER_EVENTS.name(), "t1", value, forger, T0);
    assertThat(deadLetters())
        .singleElement()
        .satisfies(
            d ->
                assertThat(header(d, DeadLetterHeaders.STAGE))
                    .isEqualTo(DispatchProcessor.STAGE_PEER_EVENT_AUTH));
  }

  @Test
  void unboundHostsAreNotChecked() {
    fixture();
    f.host("h2", HostType.NORMAL, Liveness.ONLINE);
    sendRequest(request("r1", "t1", "p2", "h2", T0).build(), null);
    assertThat(f.readDecisions()).hasSize(1);
    assertThat(deadLetters()).isEmpty();
  }
}
