package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.ServiceKeys;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.topics.Topics;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 for job events: a job event naming a bound worker or requester must be signed by its key
 * (or by the dispatcher's service key); forged ones are dead-lettered and leave the job as it was.
 */
class DispatcherJobAuthenticationTest extends HostAuthenticationTestBase {
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
