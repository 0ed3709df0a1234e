package io.swarmsched.dispatcher.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.dispatcher.DispatcherApp;
import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.schemas.HostCapacity;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.JobEventType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.SkipUndecodable;
import io.swarmsched.testing.ThreadDumps;
import io.swarmsched.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Dispatcher instances, workers and jobs on the embedded cluster, for the job pool's tests. Every
 * run has its own tag that its workers carry and its jobs require, so the jobs and workers of other
 * tests on the shared topics never meet this run's.
 */
final class JobCluster implements AutoCloseable {
  static final Duration AWAIT = Duration.ofSeconds(120);
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCOPE = "dispatcher-jobs-cluster";

  final EmbeddedKafka kafka = EmbeddedKafka.get();
  final String run = UUID.randomUUID().toString().substring(0, 8);
  final String tag = "run-" + run;
  final String appId = EmbeddedKafka.uniqueName("dispatcher-jobs");
  final List<DispatcherApp> apps = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final KafkaProducer<String, HostState> hosts;
  private final KafkaProducer<String, JobEvent> events;

  JobCluster() {
    kafka.createTopics(Topics.ALL);
    hosts =
        new KafkaProducer<>(
            kafka.producerProps(),
            new StringSerializer(),
            SpecificAvroSerde.of(HostState.class, serdeConfig()).serializer());
    events =
        new KafkaProducer<>(
            kafka.producerProps(),
            new StringSerializer(),
            SpecificAvroSerde.of(JobEvent.class, serdeConfig()).serializer());
  }

  static Map<String, String> serdeConfig() {
    return Map.of("schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + SCOPE);
  }

  DispatcherApp start(String name, Map<String, String> extra) throws Exception {
    return start(name, Files.createTempDirectory("dispatcher-jobs-" + name), extra);
  }

  DispatcherApp start(String name, Path stateDir, Map<String, String> extra) throws Exception {
    Map<String, String> values = dispatcherSettings(kafka, SCOPE, appId, name, stateDir, extra);
    DispatcherApp app = DispatcherApp.start(Settings.of(values));
    apps.add(app);
    app.awaitRunning(AWAIT);
    return app;
  }

  /**
   * The settings of dispatcher instance {@code name} of application {@code appId} on the embedded
   * cluster, with registry scope {@code scope}: an ephemeral HTTP port, and a short session timeout
   * so that a crashed instance's partitions move within seconds. {@code extra} comes first: these
   * win.
   */
  static Map<String, String> dispatcherSettings(
      EmbeddedKafka kafka,
      String scope,
      String appId,
      String name,
      Path stateDir,
      Map<String, String> extra) {
    Map<String, String> values = new HashMap<>(extra);
    values.put("swarm.bootstrap.servers", kafka.bootstrapServers());
    values.put("swarm.schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + scope);
    values.put("swarm.http.host", "127.0.0.1");
    values.put("swarm.http.port", "0");
    values.put("swarm.state.dir", stateDir.toString());
    values.put("swarm.instance.id", name);
    values.put(DispatcherConfig.APPLICATION_ID, appId);
    values.put("swarm.streams.session.timeout.ms", "6000");
    values.put("swarm.streams.heartbeat.interval.ms", "1000");
    return values;
  }

  /** This run's worker {@code id} as the hosts table has it (what heartbeat-ingest publishes). */
  String worker(String id, int maxTasks, Liveness liveness) throws Exception {
    String hostId = run + "-" + id;
    hosts
        .send(
            new ProducerRecord<>(
                Topics.HOSTS.name(),
                hostId,
                hostState(
                    hostId,
                    hostId + ":65002",
                    List.of(tag),
                    HostCapacity.newBuilder().setMaxTasks(maxTasks).build(),
                    liveness)))
        .get();
    return hostId;
  }

  /** A NORMAL host as heartbeat-ingest publishes it after its first heartbeat, seen now. */
  static HostState hostState(
      String hostId,
      String pieceServerAddress,
      List<String> tags,
      HostCapacity capacity,
      Liveness liveness) {
    Instant now = Instant.now();
    return HostState.newBuilder()
        .setHostId(hostId)
        .setPieceServerAddress(pieceServerAddress)
        .setType(HostType.NORMAL)
        .setTags(tags)
        .setCapacity(capacity)
        .setLoad(HostLoad.newBuilder().build())
        .setLastSequence(1)
        .setLastSeen(now)
        .setFirstSeen(now)
        .setLiveness(liveness)
        .setLivenessChangedAt(now)
        .build();
  }

  /** What a worker's agent sends about attempt {@code attempt} of {@code jobId}. */
  void report(String jobId, int attempt, String worker, JobEventType type, String reason)
      throws Exception {
    events
        .send(
            new ProducerRecord<>(
                Topics.JOB_EVENTS.name(),
                jobId,
                JobEvent.newBuilder()
                    .setEventId(UUID.randomUUID().toString())
                    .setJobId(jobId)
                    .setAttempt(attempt)
                    .setWorkerHostId(worker)
                    .setType(type)
                    .setReason(reason)
                    .setResultRef(type == JobEventType.SUCCEEDED ? "ok:" + jobId : null)
                    .setTimestamp(Instant.now())
                    .build()))
        .get();
  }

  KafkaConsumer<String, ScheduleDecision> decisions() {
    // the topic is shared with the other test classes of this JVM, whose records use other
    // registry scopes: those are skipped (null), not allowed to fail the poll
    var strict = SpecificAvroSerde.of(ScheduleDecision.class, serdeConfig()).deserializer();
    var tolerant = SkipUndecodable.of(strict);
    KafkaConsumer<String, ScheduleDecision> consumer =
        new KafkaConsumer<>(
            kafka.consumerProps(EmbeddedKafka.uniqueName("jobs-decisions")),
            new StringDeserializer(),
            tolerant);
    consumer.subscribe(List.of(Topics.SCHEDULE_DECISIONS.name()));
    return consumer;
  }

  /** A job body for {@code POST /api/v1/jobs} that needs this run's tag. */
  String job(String jobId, int priority, String more) {
    return "{\"job_id\":\""
        + jobId
        + "\",\"required_tags\":[\""
        + tag
        + "\"],\"priority\":"
        + priority
        + (more.isEmpty() ? "" : "," + more)
        + "}";
  }

  HttpResponse<String> call(DispatcherApp app, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(app.url() + path)).timeout(Duration.ofSeconds(90));
    b =
        body == null
            ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.net.http.HttpTimeoutException e) {
      throw new java.net.http.HttpTimeoutException(
          method
              + " "
              + path
              + " timed out (threads: "
              + ThreadDumps.write(method + " " + path)
              + ")");
    }
  }

  JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Override
  public void close() {
    for (DispatcherApp app : apps) app.close();
    hosts.close();
    events.close();
  }
}
