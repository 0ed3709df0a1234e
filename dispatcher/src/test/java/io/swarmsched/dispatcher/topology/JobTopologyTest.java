package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.jobs.JobRecord;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.scheduling.worker.JobState;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** Jobs through the whole topology: request → SUBMITTED event → the pool → decisions. */
class JobTopologyTest extends TopologyTestBase {

  private TestInputTopic<String, JobEvent> jobEvents() {
    return f.driver.createInputTopic(
        Topics.JOB_EVENTS.name(),
        new StringSerializer(),
        SpecificAvroSerde.of(JobEvent.class, f.config.serdeConfig()).serializer());
  }

  private void worker(String id, int maxTasks) {
    f.hosts.pipeInput(
        id,
        DispatcherFixture.hostState(id, HostType.NORMAL, Liveness.ONLINE, false)
            .setCapacity(HostCapacity.newBuilder().setMaxTasks(maxTasks).build())
            .build(),
        T0);
  }

  @Test
  void aJobRequestIsAssignedWithItsPayloadTimeoutAndAttempt() {
    fixture();
    worker("w1", 1);
    f.send(
        request("r1", "job-1", "", "client", T0)
            .setUrl("")
            .setJob(
                JobRequirements.newBuilder()
                    .setPayload(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)))
                    .setTimeoutMs(5_000)
                    .build())
            .build());
    f.send(
        request("r2", "job-2", "", "client", T0)
            .setUrl("")
            .setJob(JobRequirements.newBuilder().build())
            .build());

    List<ScheduleDecision> ds = f.readDecisions();
    assertThat(ds)
        .extracting(ScheduleDecision::getOutcome)
        .containsExactly(DecisionOutcome.ASSIGNED, DecisionOutcome.QUEUED);
    ScheduleDecision a = ds.get(0);
    assertThat(a.getTargetHostId()).isEqualTo("w1");
    assertThat(a.getJobAttempt()).isEqualTo(1);
    assertThat(a.getJobTimeoutMs()).isEqualTo(5_000);
    assertThat(StandardCharsets.UTF_8.decode(a.getJobPayload()).toString()).isEqualTo("hello");
    assertThat(ds.get(1).getTargetHostId()).isEqualTo("client");

    jobEvents()
        .pipeInput(
            "job-1",
            JobEvent.newBuilder()
                .setEventId("e1")
                .setJobId("job-1")
                .setAttempt(1)
                .setWorkerHostId("w1")
                .setType(JobEventType.SUCCEEDED)
                .setResultRef("sha256:abc")
                .setTimestamp(Instant.ofEpochMilli(T0))
                .build());
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(d -> assertThat(d.getTaskId()).isEqualTo("job-2"));
    KeyValueStore<String, JobRecord> jobs =
        f.driver.getKeyValueStore(DispatcherTopology.JOBS_STORE);
    assertThat(jobs.get("job-1").state).isEqualTo(JobState.SUCCEEDED);
    assertThat(jobs.get("job-1").resultRef).isEqualTo("sha256:abc");
    assertThat(jobs.get("job-2").state).isEqualTo(JobState.ASSIGNED);
  }

  @Test
  void badJobRequestsAreRejectedAndBadJobEventsDeadLettered() {
    fixture();
    f.send(
        request("r1", "job-1", "", "client", T0)
            .setUrl("")
            .setJob(JobRequirements.newBuilder().setTimeoutMs(-1).build())
            .build());
    assertThat(f.readDecisions())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.getOutcome()).isEqualTo(DecisionOutcome.REJECTED);
              assertThat(d.getReason()).isEqualTo("job.timeout_ms: must not be negative");
            });

    var events = jobEvents();
    JobEvent.Builder started =
        JobEvent.newBuilder()
            .setEventId("e")
            .setJobId("job-9")
            .setAttempt(1)
            .setType(JobEventType.STARTED)
            .setTimestamp(Instant.ofEpochMilli(T0));
    events.pipeInput("other-key", started.setWorkerHostId("w").build());
    events.pipeInput("job-9", started.setWorkerHostId(null).build());
    events.pipeInput(
        "job-9", JobEvent.newBuilder(started.build()).setType(JobEventType.SUBMITTED).build());
    assertThat(f.deadLetters.readRecordsToList())
        .extracting(
            r -> DeadLetterHeaders.lastValue(r.headers(), DeadLetterHeaders.REASON).orElse(null))
        .containsExactly(
            "record key 'other-key' is not the job_id 'job-9'",
            "worker_host_id: required in a STARTED event",
            "job: required in a SUBMITTED event");
  }

  /**
   * The job pool is a sub-topology of its own, so it runs as one task (the job-events topic's one
   * partition) in the whole application: the single writer of every worker's count. Sharing a sink
   * with the dispatch processor once made it six pools, whose idle five zeroed the job gauges.
   */
  @Test
  void theJobPoolIsASubTopologyOfItsOwnReadingOnlyTheJobEvents() {
    fixture();
    var sub =
        DispatcherTopology.build(f.config, new io.swarmsched.dispatcher.state.HostIndex())
            .describe()
            .subtopologies()
            .stream()
            .filter(
                st ->
                    st.nodes().stream()
                        .anyMatch(n -> n.name().equals(DispatcherTopology.JOB_POOL_PROCESSOR)))
            .findFirst()
            .orElseThrow();
    assertThat(sub.nodes())
        .extracting(org.apache.kafka.streams.TopologyDescription.Node::name)
        .containsExactlyInAnyOrder(
            DispatcherTopology.JOB_EVENTS_SOURCE,
            DispatcherTopology.JOB_POOL_PROCESSOR,
            DispatcherTopology.JOB_DECISIONS_SINK,
            DispatcherTopology.JOB_DEAD_LETTERS_SINK);
  }
}
