package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.RecordSignatures;
import io.swarmsched.runtime.auth.ServiceKeys;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 in the dispatcher: requests and piece events naming a bound host must be signed by its
 * key (global table swarm.host-keys.v1); forged and replayed ones are dead-lettered and change
 * nothing.
 */
class DispatcherHostAuthenticationTest extends TopologyTestBase {
  private final HostKeyPair h2Key = HostKeyPair.generate();
  private final HostKeyPair forger = HostKeyPair.generate();

  private void bind(String host, HostKeyPair key) {
    TestInputTopic<String, HostKey> keys =
        f.driver.createInputTopic(
            Topics.HOST_KEYS.name(),
            new StringSerializer(),
            SpecificAvroSerde.of(HostKey.class, f.config.serdeConfig()).serializer());
    keys.pipeInput(
        host,
        HostKey.newBuilder()
            .setHostId(host)
            .setPublicKey(ByteBuffer.wrap(key.publicKey()))
            .setBoundAt(Instant.ofEpochMilli(T0))
            .setBoundBy("first-heartbeat")
            .build(),
        T0);
  }

  private <T extends SpecificRecord> byte[] bytes(String topic, Class<T> type, T value) {
    return SpecificAvroSerde.of(type, f.config.serdeConfig()).serializer().serialize(topic, value);
  }

  /** Pipes the exact bytes, signed by {@code key} when not null; returns the bytes. */
  private byte[] pipe(String topic, String key, byte[] value, HostKeyPair signer, long at) {
    RecordHeaders headers = new RecordHeaders();
    if (signer != null) {
      RecordSignatures.sign(signer, value, headers);
    }
    f.driver
        .createInputTopic(topic, new StringSerializer(), new ByteArraySerializer())
        .pipeInput(new TestRecord<>(key, value, headers, Instant.ofEpochMilli(at)));
    return value;
  }

  private byte[] sendRequest(ScheduleRequest r, HostKeyPair signer) {
    byte[] value = bytes(Topics.SCHEDULE_REQUESTS.name(), ScheduleRequest.class, r);
    return pipe(
        Topics.SCHEDULE_REQUESTS.name(),
        r.getTaskId(),
        value,
        signer,
        r.getTimestamp().toEpochMilli());
  }

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

  private List<TestRecord<byte[], byte[]>> deadLetters() {
    return f.deadLetters.readRecordsToList();
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    return DeadLetterHeaders.lastValue(r.headers(), name).orElse(null);
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

  // ---------------------------------------------------------------- job events

  private void worker(String id) {
    f.hosts.pipeInput(
        id,
        DispatcherFixture.hostState(id, HostType.NORMAL, Liveness.ONLINE, false)
            .setCapacity(io.swarmsched.schemas.HostCapacity.newBuilder().setMaxTasks(1).build())
            .build(),
        T0);
  }

  private static io.swarmsched.schemas.JobEvent jobEvent(
      String jobId, String worker, io.swarmsched.schemas.JobEventType type, long at) {
    return io.swarmsched.schemas.JobEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setJobId(jobId)
        .setAttempt(1)
        .setWorkerHostId(worker)
        .setType(type)
        .setResultRef(type == io.swarmsched.schemas.JobEventType.SUCCEEDED ? "sha256:x" : null)
        .setTimestamp(Instant.ofEpochMilli(at))
        .build();
  }

  private byte[] sendJobEvent(io.swarmsched.schemas.JobEvent e, HostKeyPair signer) {
    byte[] value = bytes(Topics.JOB_EVENTS.name(), io.swarmsched.schemas.JobEvent.class, e);
    return pipe(
        Topics.JOB_EVENTS.name(), e.getJobId(), value, signer, e.getTimestamp().toEpochMilli());
  }

  private io.swarmsched.scheduling.worker.JobState jobState(String jobId) {
    org.apache.kafka.streams.state.KeyValueStore<String, io.swarmsched.dispatcher.jobs.JobRecord>
        jobs = f.driver.getKeyValueStore(DispatcherTopology.JOBS_STORE);
    return jobs.get(jobId).state;
  }

  private void submitJob(String requestId, String jobId, String requester, HostKeyPair signer) {
    sendRequest(
        request(requestId, jobId, "", requester, T0)
            .setUrl("")
            .setJob(io.swarmsched.schemas.JobRequirements.newBuilder().build())
            .build(),
        signer);
  }

  @Test
  void aForgedJobEventCannotFinishAJobRunningOnABoundWorkerButItsOwnSignedOneDoes() {
    fixture();
    HostKeyPair w1Key = HostKeyPair.generate();
    worker("w1");
    bind("w1", w1Key);
    submitJob("r1", "job-1", "client", null);
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.ASSIGNED);
              assertThat(d.getTargetHostId()).isEqualTo("w1");
            });

    // another host says w1's job succeeded: unsigned, then signed by the forger's own key
    sendJobEvent(
        jobEvent("job-1", "w1", io.swarmsched.schemas.JobEventType.SUCCEEDED, T0 + 5), null);
    sendJobEvent(
        jobEvent("job-1", "w1", io.swarmsched.schemas.JobEventType.FAILED, T0 + 6), forger);
    List<TestRecord<byte[], byte[]>> dead = deadLetters();
    assertThat(dead)
        .hasSize(2)
        .allSatisfy(
            d ->
                assertThat(header(d, DeadLetterHeaders.STAGE))
                    .isEqualTo(io.swarmsched.dispatcher.jobs.JobPoolProcessor.STAGE_AUTHENTICATE));
    assertThat(header(dead.get(0), DeadLetterHeaders.REASON))
        .isEqualTo("host 'w1' is bound to key " + w1Key.keyId() + "; the record is not signed");
    assertThat(header(dead.get(1), DeadLetterHeaders.REASON))
        .contains("signed by another key, " + forger.keyId());
    assertThat(jobState("job-1")).isEqualTo(io.swarmsched.scheduling.worker.JobState.ASSIGNED);

    // the worker's own signed SUCCEEDED finishes it; the same bytes again are a replay
    byte[] real =
        sendJobEvent(
            jobEvent("job-1", "w1", io.swarmsched.schemas.JobEventType.SUCCEEDED, T0 + 7), w1Key);
    assertThat(deadLetters()).isEmpty();
    assertThat(jobState("job-1")).isEqualTo(io.swarmsched.scheduling.worker.JobState.SUCCEEDED);
    pipe(Topics.JOB_EVENTS.name(), "job-1", real, w1Key, T0 + 7);
    assertThat(deadLetters())
        .singleElement()
        .satisfies(
            d -> assertThat(header(d, DeadLetterHeaders.REASON)).startsWith("replayed: the same"));
  }

  @Test
  void forgedSubmissionsAndCancelsCannotSpeakForABoundRequester() {
    HostKeyPair service = HostKeyPair.generate();
    fixture(service);
    bind(ServiceKeys.bindingId("dispatcher", service.keyId()), service);
    HostKeyPair clientKey = HostKeyPair.generate();
    bind("c1", clientKey);
    worker("w1");

    // the client's signed request becomes a SUBMITTED signed by the dispatcher: it passes
    submitJob("r1", "job-1", "c1", clientKey);
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(d -> assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.ASSIGNED));
    assertThat(deadLetters()).isEmpty();

    // a SUBMITTED written straight to the topic in c1's name, and a cancel of c1's job
    sendJobEvent(
        io.swarmsched.schemas.JobEvent.newBuilder()
            .setEventId("forged-submit")
            .setJobId("job-2")
            .setAttempt(0)
            .setType(io.swarmsched.schemas.JobEventType.SUBMITTED)
            .setRequesterHostId("c1")
            .setJob(io.swarmsched.schemas.JobRequirements.newBuilder().build())
            .setTimestamp(Instant.ofEpochMilli(T0 + 5))
            .build(),
        forger);
    sendJobEvent(
        jobEvent("job-1", null, io.swarmsched.schemas.JobEventType.CANCELLED, T0 + 6), null);
    assertThat(deadLetters())
        .extracting(d -> header(d, DeadLetterHeaders.REASON))
        .containsExactly(
            "host 'c1' is bound to key "
                + clientKey.keyId()
                + "; the record is signed by another key, "
                + forger.keyId(),
            "host 'c1' is bound to key " + clientKey.keyId() + "; the record is not signed");
    assertThat(jobState("job-1")).isEqualTo(io.swarmsched.scheduling.worker.JobState.ASSIGNED);
    assertThat(f.driver.getKeyValueStore(DispatcherTopology.JOBS_STORE).get("job-2")).isNull();

    // the dispatcher's own cancel (its HTTP API signs with the service key) goes through
    sendJobEvent(
        jobEvent("job-1", null, io.swarmsched.schemas.JobEventType.CANCELLED, T0 + 7), service);
    assertThat(deadLetters()).isEmpty();
    assertThat(jobState("job-1")).isEqualTo(io.swarmsched.scheduling.worker.JobState.CANCELLED);
  }
}
