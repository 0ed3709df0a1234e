package io.swarmsched.dispatcher.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swarmsched.dispatcher.jobs.JobRecord;
import io.swarmsched.scheduling.worker.JobState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * Compatibility of the JSON store values (retry store, host-health store, job store): golden values
 * as the dispatcher wrote them must still decode to the same object, and today's writer must keep
 * producing today's bytes. A change that would break state already in a store or its changelog
 * fails here; if the change is meant, bump {@link JsonSerde#VERSION} and add the new shape as a
 * golden value beside the old ones (never edit an old one).
 */
class JsonStoreFormatTest {
  // ---------------------------------------------------------------- PendingRequest (retries)

  /** Written before the format marker existed (version 0). */
  static final String PENDING_V0 =
      "{\"taskId\":\"task-1\",\"requestId\":\"req-1\",\"request\":\"AQID\",\"emptyRounds\":2,"
          + "\"seedRounds\":1,\"rounds\":4,\"firstSeenAt\":1000,\"dueAt\":2000,"
          + "\"reason\":\"NO_CANDIDATES\",\"origin\":\"PARENT_LOST\"}";

  static final String PENDING_V1 =
      "{\"taskId\":\"task-1\",\"requestId\":\"req-1\",\"request\":\"AQID\",\"emptyRounds\":2,"
          + "\"seedRounds\":1,\"rounds\":4,\"firstSeenAt\":1000,\"dueAt\":2000,"
          + "\"reason\":\"NO_CANDIDATES\",\"origin\":\"PARENT_LOST\",\"_format\":1}";

  static PendingRequest pending() {
    PendingRequest p = new PendingRequest();
    p.taskId = "task-1";
    p.requestId = "req-1";
    p.request = new byte[] {1, 2, 3};
    p.emptyRounds = 2;
    p.seedRounds = 1;
    p.rounds = 4;
    p.firstSeenAt = 1000;
    p.dueAt = 2000;
    p.reason = "NO_CANDIDATES";
    p.origin = "PARENT_LOST";
    return p;
  }

  static void assertPending(PendingRequest p) {
    assertEquals("task-1", p.taskId);
    assertEquals("req-1", p.requestId);
    assertArrayEquals(new byte[] {1, 2, 3}, p.request);
    assertEquals(2, p.emptyRounds);
    assertEquals(1, p.seedRounds);
    assertEquals(4, p.rounds);
    assertEquals(1000, p.firstSeenAt);
    assertEquals(2000, p.dueAt);
    assertEquals("NO_CANDIDATES", p.reason);
    assertEquals("PARENT_LOST", p.origin);
  }

  @Test
  void pendingRequestGoldenValuesDecode() {
    JsonSerde<PendingRequest> serde = new JsonSerde<>(PendingRequest.class);
    assertPending(decode(serde, PENDING_V0));
    assertPending(decode(serde, PENDING_V1));
    assertEquals(PENDING_V1, encode(serde, pending()));
  }

  /** Version 1 with the rounds it waited through (an added field, null and left out before). */
  static final String PENDING_V1_WITH_ROUNDS =
      "{\"taskId\":\"task-1\",\"requestId\":\"req-1\",\"request\":\"AQID\",\"emptyRounds\":2,"
          + "\"seedRounds\":1,\"rounds\":4,\"firstSeenAt\":1000,\"dueAt\":2000,"
          + "\"reason\":\"NO_CANDIDATES\",\"origin\":\"PARENT_LOST\",\"earlierRounds\":[{\"at\":1500,"
          + "\"input\":\"swarm.schedule-requests.v1-0@7\",\"inputPositions\":"
          + "{\"swarm.schedule-requests.v1-0\":7},\"hostsPositions\":[3],\"scoresPositions\":[-1]}],"
          + "\"_format\":1}";

  @Test
  void pendingRequestWithItsEarlierRoundsRoundTrips() {
    JsonSerde<PendingRequest> serde = new JsonSerde<>(PendingRequest.class);
    PendingRequest p = pending();
    PendingRequest.Round r = new PendingRequest.Round();
    r.at = 1500;
    r.input = "swarm.schedule-requests.v1-0@7";
    r.inputPositions = java.util.Map.of("swarm.schedule-requests.v1-0", 7L);
    r.hostsPositions = java.util.List.of(3L);
    r.scoresPositions = java.util.List.of(-1L);
    p.earlierRounds = java.util.List.of(r);
    assertEquals(PENDING_V1_WITH_ROUNDS, encode(serde, p));
    PendingRequest back = decode(serde, PENDING_V1_WITH_ROUNDS);
    assertPending(back);
    assertEquals(1, back.earlierRounds.size());
    assertEquals(1500, back.earlierRounds.get(0).at);
    assertEquals("swarm.schedule-requests.v1-0@7", back.earlierRounds.get(0).input);
    assertEquals(7L, back.earlierRounds.get(0).inputPositions.get("swarm.schedule-requests.v1-0"));
    assertEquals(java.util.List.of(3L), back.earlierRounds.get(0).hostsPositions);
    // entries stored before the field have none
    assertEquals(null, decode(serde, PENDING_V1).earlierRounds);
  }

  // ---------------------------------------------------------------- HostHealth

  static final String HEALTH_V0 =
      "{\"hostId\":\"host-1\",\"windowStart\":5000,\"served\":10,\"failed\":3,"
          + "\"quarantinedUntil\":9000}";

  static final String HEALTH_V1 =
      "{\"hostId\":\"host-1\",\"windowStart\":5000,\"served\":10,\"failed\":3,"
          + "\"quarantinedUntil\":9000,\"_format\":1}";

  static void assertHealth(HostHealth h) {
    assertEquals("host-1", h.hostId);
    assertEquals(5000, h.windowStart);
    assertEquals(10, h.served);
    assertEquals(3, h.failed);
    assertEquals(9000, h.quarantinedUntil);
  }

  @Test
  void hostHealthGoldenValuesDecode() {
    JsonSerde<HostHealth> serde = new JsonSerde<>(HostHealth.class);
    assertHealth(decode(serde, HEALTH_V0));
    assertHealth(decode(serde, HEALTH_V1));
    HostHealth h = new HostHealth("host-1", 5000);
    h.served = 10;
    h.failed = 3;
    h.quarantinedUntil = 9000;
    assertEquals(HEALTH_V1, encode(serde, h));
  }

  // ---------------------------------------------------------------- JobRecord (job pool)

  static final String JOB_BODY =
      "{\"jobId\":\"job-1\",\"requestId\":\"jreq-1\",\"requesterHostId\":\"client-1\","
          + "\"state\":\"RETRY_WAIT\",\"priority\":5,\"seq\":42,\"deadline\":90000,"
          + "\"requiredTags\":[\"gpu\",\"eu\"],\"minMemoryBytes\":1048576,\"minCpuCores\":2,"
          + "\"gpus\":1,\"payload\":\"aGk=\",\"timeoutMs\":30000,\"noQueue\":true,"
          + "\"maxAttempts\":3,\"attempt\":1,\"workerHostId\":\"worker-7\","
          + "\"reason\":\"worker lost\",\"resultRef\":null,\"submittedAt\":1000,\"readyAt\":1500,"
          + "\"assignedAt\":2000,\"finishedAt\":0,\"nextAttemptAt\":4000,\"history\":["
          + "{\"at\":1000,\"state\":\"QUEUED\",\"attempt\":0,\"workerHostId\":null,"
          + "\"reason\":\"submitted\"},"
          + "{\"at\":3000,\"state\":\"RETRY_WAIT\",\"attempt\":1,\"workerHostId\":\"worker-7\","
          + "\"reason\":\"worker lost\"}]";

  static final String JOB_V0 = JOB_BODY + "}";
  static final String JOB_V1 = JOB_BODY + ",\"_format\":1}";

  static JobRecord.Step step(long at, JobState s, int attempt, String worker, String reason) {
    JobRecord.Step st = new JobRecord.Step();
    st.at = at;
    st.state = s;
    st.attempt = attempt;
    st.workerHostId = worker;
    st.reason = reason;
    return st;
  }

  static JobRecord job() {
    JobRecord j = new JobRecord();
    j.jobId = "job-1";
    j.requestId = "jreq-1";
    j.requesterHostId = "client-1";
    j.state = JobState.RETRY_WAIT;
    j.priority = 5;
    j.seq = 42;
    j.deadline = 90_000L;
    j.requiredTags.addAll(List.of("gpu", "eu"));
    j.minMemoryBytes = 1_048_576;
    j.minCpuCores = 2;
    j.gpus = 1;
    j.payload = "hi".getBytes(StandardCharsets.UTF_8);
    j.timeoutMs = 30_000;
    j.noQueue = true;
    j.maxAttempts = 3;
    j.attempt = 1;
    j.workerHostId = "worker-7";
    j.reason = "worker lost";
    j.submittedAt = 1000;
    j.readyAt = 1500;
    j.assignedAt = 2000;
    j.nextAttemptAt = 4000;
    j.history.add(step(1000, JobState.QUEUED, 0, null, "submitted"));
    j.history.add(step(3000, JobState.RETRY_WAIT, 1, "worker-7", "worker lost"));
    return j;
  }

  static void assertJob(JobRecord j) {
    assertEquals("job-1", j.jobId);
    assertEquals("jreq-1", j.requestId);
    assertEquals("client-1", j.requesterHostId);
    assertEquals(JobState.RETRY_WAIT, j.state);
    assertEquals(5, j.priority);
    assertEquals(42, j.seq);
    assertEquals(90_000L, j.deadline);
    assertEquals(List.of("gpu", "eu"), j.requiredTags);
    assertEquals(1_048_576, j.minMemoryBytes);
    assertEquals(2, j.minCpuCores);
    assertEquals(1, j.gpus);
    assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), j.payload);
    assertEquals(30_000, j.timeoutMs);
    assertTrue(j.noQueue);
    assertEquals(3, j.maxAttempts);
    assertEquals(1, j.attempt);
    assertEquals("worker-7", j.workerHostId);
    assertEquals("worker lost", j.reason);
    assertNull(j.resultRef);
    assertEquals(1000, j.submittedAt);
    assertEquals(1500, j.readyAt);
    assertEquals(2000, j.assignedAt);
    assertEquals(0, j.finishedAt);
    assertEquals(4000, j.nextAttemptAt);
    assertEquals(2, j.history.size());
    JobRecord.Step first = j.history.get(0);
    assertEquals(1000, first.at);
    assertEquals(JobState.QUEUED, first.state);
    assertEquals(0, first.attempt);
    assertNull(first.workerHostId);
    assertEquals("submitted", first.reason);
    JobRecord.Step second = j.history.get(1);
    assertEquals(3000, second.at);
    assertEquals(JobState.RETRY_WAIT, second.state);
    assertEquals(1, second.attempt);
    assertEquals("worker-7", second.workerHostId);
    assertEquals("worker lost", second.reason);
  }

  @Test
  void jobRecordGoldenValuesDecode() {
    JsonSerde<JobRecord> serde = new JsonSerde<>(JobRecord.class);
    assertJob(decode(serde, JOB_V0));
    assertJob(decode(serde, JOB_V1));
    assertEquals(JOB_V1, encode(serde, job()));
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void newerFormatAndNonObjectsFailClearly() {
    JsonSerde<HostHealth> serde = new JsonSerde<>(HostHealth.class);
    SerializationException newer =
        assertThrows(
            SerializationException.class, () -> decode(serde, "{\"hostId\":\"h\",\"_format\":2}"));
    assertTrue(newer.getMessage().contains("format 2"), newer.getMessage());
    assertThrows(SerializationException.class, () -> decode(serde, "[1,2]"));
    assertThrows(SerializationException.class, () -> decode(serde, "{not json"));
    assertNull(serde.deserializer().deserialize("t", null));
    assertNull(serde.serializer().serialize("t", null));
  }

  static <T> T decode(JsonSerde<T> serde, String json) {
    return serde.deserializer().deserialize("t", json.getBytes(StandardCharsets.UTF_8));
  }

  static <T> String encode(JsonSerde<T> serde, T value) {
    return new String(serde.serializer().serialize("t", value), StandardCharsets.UTF_8);
  }
}
