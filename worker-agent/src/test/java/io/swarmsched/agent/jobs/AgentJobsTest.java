package io.swarmsched.agent.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.agent.Agent;
import io.swarmsched.agent.AgentConfig;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SerdeConfig;
import io.swarmsched.serde.SpecificAvroDeserializer;
import io.swarmsched.serde.SpecificAvroSerializer;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.TopicReader;
import io.swarmsched.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent on a real broker with a jobs command, the test playing the dispatcher: ASSIGNED and
 * CANCELLED decisions in, job events and heartbeats out. The command is {@code sh}, so each job's
 * payload is the shell script it runs.
 */
class AgentJobsTest {
  private static final String REGISTRY = "mock://agent-jobs-test";
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static EmbeddedKafka kafka;
  private static KafkaProducer<String, ScheduleDecision> decisions;

  @TempDir Path dir;
  private final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.get();
    kafka.createTopics(Topics.ALL);
    Map<String, Object> p = new HashMap<>();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put(SerdeConfig.SCHEMA_REGISTRY_URL, REGISTRY);
    SpecificAvroSerializer<ScheduleDecision> s = new SpecificAvroSerializer<>();
    s.configure(p, false);
    decisions = new KafkaProducer<>(p, new StringSerializer(), s);
  }

  @AfterAll
  static void stop() {
    decisions.close();
  }

  @AfterEach
  void closeAgents() {
    agents.forEach(Agent::close);
  }

  private Agent agent(String hostId, String command, int maxTasks) throws Exception {
    Map<String, String> m = new HashMap<>();
    m.put("swarm.bootstrap.servers", kafka.bootstrapServers());
    m.put("swarm.schema.registry.url", REGISTRY);
    m.put(AgentConfig.HOST_ID, hostId);
    m.put(AgentConfig.DATA_DIR, dir.resolve(hostId).toString());
    m.put(AgentConfig.HEARTBEAT_INTERVAL, "1s");
    if (command != null) {
      m.put(AgentConfig.JOBS_COMMAND, command);
      m.put(AgentConfig.MAX_TASKS, Integer.toString(maxTasks));
    }
    Agent a = Agent.start(AgentConfig.from(Settings.of(m)));
    agents.add(a);
    return a;
  }

  private static void decide(
      String worker, DecisionOutcome outcome, String jobId, int attempt, String script, long ms) {
    ScheduleDecision d =
        ScheduleDecision.newBuilder()
            .setDecisionId(UUID.randomUUID().toString())
            .setRequestId("req-" + jobId)
            .setTaskId(jobId)
            .setPeerId("")
            .setTargetHostId(worker)
            .setRequesterHostId("client")
            .setOutcome(outcome)
            .setWorkerHostId(worker)
            .setPolicyId("scripted")
            .setDecidedAt(Instant.now())
            .setJobPayload(
                script == null ? null : ByteBuffer.wrap(script.getBytes(StandardCharsets.UTF_8)))
            .setJobTimeoutMs(ms)
            .setJobAttempt(attempt)
            .build();
    decisions.send(new ProducerRecord<>(Topics.SCHEDULE_DECISIONS.name(), worker, d));
    decisions.flush();
  }

  private static List<JobEvent> eventsUntil(String worker, Predicate<List<JobEvent>> done) {
    SpecificAvroDeserializer<JobEvent> des = new SpecificAvroDeserializer<>(JobEvent.class);
    des.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, REGISTRY), false);
    List<ConsumerRecord<String, JobEvent>> read =
        TopicReader.of(kafka)
            .readUntil(
                Topics.JOB_EVENTS.name(),
                new StringDeserializer(),
                des,
                rs -> done.test(mine(rs, worker)),
                WAIT);
    return mine(read, worker);
  }

  private static List<JobEvent> mine(List<ConsumerRecord<String, JobEvent>> rs, String worker) {
    return rs.stream()
        .map(ConsumerRecord::value)
        .filter(e -> worker.equals(e.getWorkerHostId()))
        .toList();
  }

  private static Predicate<List<JobEvent>> has(String jobId, JobEventType type) {
    return es -> es.stream().anyMatch(e -> e.getJobId().equals(jobId) && e.getType() == type);
  }

  private static long count(List<JobEvent> es, String jobId, JobEventType type) {
    return es.stream().filter(e -> e.getJobId().equals(jobId) && e.getType() == type).count();
  }

  private static String host(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  @Test
  void anAssignedJobRunsOnceEvenWhenTheDecisionComesTwiceAndReportsItsResult() throws Exception {
    String w = host("worker");
    agent(w, "sh", 2);
    decide(w, DecisionOutcome.ASSIGNED, "job-a", 1, "printf 'hello %s' \"$SWARM_JOB_ID\"", 30_000);
    // the same attempt again (a redelivery, with a new decision id): must not run a second time
    decide(w, DecisionOutcome.ASSIGNED, "job-a", 1, "printf 'hello %s' \"$SWARM_JOB_ID\"", 30_000);
    decide(w, DecisionOutcome.ASSIGNED, "job-b", 1, "true", 30_000);

    List<JobEvent> es =
        eventsUntil(
            w, has("job-a", JobEventType.SUCCEEDED).and(has("job-b", JobEventType.SUCCEEDED)));
    assertThat(count(es, "job-a", JobEventType.STARTED)).isEqualTo(1);
    assertThat(count(es, "job-a", JobEventType.SUCCEEDED)).isEqualTo(1);
    JobEvent done =
        es.stream()
            .filter(e -> e.getJobId().equals("job-a") && e.getType() == JobEventType.SUCCEEDED)
            .findFirst()
            .orElseThrow();
    assertThat(done.getAttempt()).isEqualTo(1);
    // sha256:<hex of stdout> <host>:<path of stdout>
    String[] ref = done.getResultRef().split(" ", 2);
    Path out = Path.of(ref[1].substring(w.length() + 1));
    assertThat(ref[1]).startsWith(w + ":");
    assertThat(Files.readString(out)).isEqualTo("hello job-a");
    assertThat(ref[0])
        .isEqualTo(
            "sha256:" + CommandExecutorTest.hex("hello job-a".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void heartbeatsAdvertiseMaxTasksAndCountRunningJobsAndAFullWorkerRefuses() throws Exception {
    String w = host("worker");
    Agent a = agent(w, "sh", 2);
    assertThat(a.heartbeat().getCapacity().getMaxTasks()).isEqualTo(2);
    assertThat(a.heartbeat().getLoad().getRunningTasks()).isZero();

    decide(w, DecisionOutcome.ASSIGNED, "slow-1", 1, "sleep 60", 120_000);
    decide(w, DecisionOutcome.ASSIGNED, "slow-2", 1, "sleep 60", 120_000);
    Await.until(WAIT, "two jobs running", () -> a.runningJobs() == 2);
    HostHeartbeat hb = a.heartbeat();
    assertThat(hb.getLoad().getRunningTasks()).isEqualTo(2);

    decide(w, DecisionOutcome.ASSIGNED, "slow-3", 1, "sleep 60", 120_000);
    List<JobEvent> es = eventsUntil(w, has("slow-3", JobEventType.FAILED));
    assertThat(count(es, "slow-3", JobEventType.STARTED)).isZero();
    assertThat(es)
        .filteredOn(e -> e.getJobId().equals("slow-3"))
        .singleElement()
        .satisfies(e -> assertThat(e.getReason()).startsWith("WORKER_FULL"));

    // cancel one attempt: it is killed, reported CANCELLED, and its slot is free again
    decide(w, DecisionOutcome.CANCELLED, "slow-1", 1, null, 0);
    es = eventsUntil(w, has("slow-1", JobEventType.CANCELLED));
    assertThat(count(es, "slow-1", JobEventType.SUCCEEDED)).isZero();
    Await.until(WAIT, "the cancelled job's slot to be free", () -> a.runningJobs() == 1);
    assertThat(a.peakRunningJobs()).isEqualTo(2);
  }

  @Test
  void aJobPastItsTimeoutIsKilledAndReportedFailedWithTimeout() throws Exception {
    String w = host("worker");
    agent(w, "sh", 2);
    decide(w, DecisionOutcome.ASSIGNED, "hang", 2, "sleep 60", 800);
    decide(w, DecisionOutcome.ASSIGNED, "bad", 1, "echo oops >&2; exit 4", 30_000);

    List<JobEvent> es =
        eventsUntil(w, has("hang", JobEventType.FAILED).and(has("bad", JobEventType.FAILED)));
    assertThat(es)
        .filteredOn(e -> e.getJobId().equals("hang") && e.getType() == JobEventType.FAILED)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getAttempt()).isEqualTo(2);
              assertThat(e.getReason()).isEqualTo("TIMEOUT: timeout after 800ms: killed");
            });
    assertThat(es)
        .filteredOn(e -> e.getJobId().equals("bad") && e.getType() == JobEventType.FAILED)
        .singleElement()
        .satisfies(e -> assertThat(e.getReason()).isEqualTo("exit code 4: oops"));
  }

  @Test
  void anAgentWithoutACommandAdvertisesNoCapacityAndRefusesJobs() throws Exception {
    String w = host("plain");
    Agent a = agent(w, null, 0);
    assertThat(a.heartbeat().getCapacity().getMaxTasks()).isZero();
    decide(w, DecisionOutcome.ASSIGNED, "nope", 1, "true", 30_000);
    List<JobEvent> es = eventsUntil(w, has("nope", JobEventType.FAILED));
    assertThat(es.get(0).getReason()).startsWith("NO_EXECUTOR");
  }
}
