package io.swarmsched.scoring.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.streams.StreamsProps;
import io.swarmsched.runtime.streams.StreamsService;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.scoring.LoadQualityParams;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.TopicReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the embedded cluster: an application stopped mid-stream, its local state wiped, and started
 * again restores its stores from the changelogs and ends with the same scores as an application
 * that ran over the same input without interruption.
 */
class ScoringRestartTest {
  /**
   * Record timestamps near the wall clock: the broker applies time-based retention to every topic
   * (input, changelog, output), so timestamps from years ago would be deleted under the test.
   */
  final long T0 = (System.currentTimeMillis() / 60_000) * 60_000 - 60_000;

  final long END = T0 + 40_000;
  static final int PARTITIONS = 3;
  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final List<String> HOSTS = List.of("h0", "h1", "h2", "h3", "h4", "h5");

  @TempDir Path tmp;

  private final EmbeddedKafka kafka = EmbeddedKafka.get();
  private final String scope = "scoring-restart-" + UUID.randomUUID();
  private final Map<String, Object> serdeConfig = Map.of("schema.registry.url", "mock://" + scope);
  private final Serde<PieceEvent> pieceSerde = SpecificAvroSerde.of(PieceEvent.class, serdeConfig);
  private final Serde<HostState> hostSerde = SpecificAvroSerde.of(HostState.class, serdeConfig);
  private final Serde<HostScore> scoreSerde = SpecificAvroSerde.of(HostScore.class, serdeConfig);

  /** One timestamped input record for either topic. */
  private record Input(boolean piece, String key, Object value, long timestamp) {}

  @Test
  void aRestartedApplicationRestoresItsStoresAndEndsWithTheSameScoresAsAnUninterruptedOne()
      throws Exception {
    List<Input> phaseA = input(T0, T0 + 20_000, 1);
    List<Input> phaseB = input(T0 + 20_000, END, 2);

    Run uninterrupted = new Run("uninterrupted");
    try (StreamsService app = uninterrupted.startApp(tmp.resolve("a"))) {
      uninterrupted.produce(phaseA);
      uninterrupted.produce(phaseB);
      uninterrupted.finish();
    }

    Run restarted = new Run("restarted");
    try (StreamsService app = restarted.startApp(tmp.resolve("b1"))) {
      restarted.produce(phaseA);
      restarted.awaitCaughtUp();
    }
    // a fresh state directory: everything must come back from the changelogs
    try (StreamsService app = restarted.startApp(tmp.resolve("b2"))) {
      restarted.produce(phaseB);
      restarted.finish();
    }

    Map<String, List<Object>> expected = uninterrupted.finalScores();
    assertThat(expected).containsOnlyKeys(HOSTS);
    assertThat(expected.values()).anySatisfy(v -> assertThat((double) v.get(0)).isLessThan(1.0));
    assertThat(restarted.finalScores()).isEqualTo(expected);
  }

  /** Heartbeats every 3 s per host and four served pieces per second, from a seeded random. */
  private List<Input> input(long from, long to, long seed) {
    Random random = new Random(seed);
    List<Input> out = new ArrayList<>();
    for (long t = from; t < to; t += 250) {
      if ((t - T0) % 3_000 == 0) {
        for (String host : HOSTS) {
          out.add(heartbeat(host, t, (long) random.nextInt(60) * 1_000_000L, random.nextInt(6)));
        }
      }
      String parent = HOSTS.get(random.nextInt(HOSTS.size()));
      out.add(piece(parent, t + 10, (1 + random.nextInt(40)) * 1_000_000L, random));
    }
    return out;
  }

  private Input heartbeat(String host, long at, long tx, int concurrent) {
    HostState state =
        ScoringTopologyTest.hostState(host, at, tx, 100_000_000L, concurrent, Liveness.ONLINE);
    return new Input(false, host, state, at);
  }

  private Input piece(String parent, long at, long bytes, Random random) {
    String task = "task-" + random.nextInt(20);
    PieceEvent event =
        PieceEvent.newBuilder()
            .setEventId(
                UUID.nameUUIDFromBytes((parent + at).getBytes(StandardCharsets.UTF_8)).toString())
            .setTaskId(task)
            .setPeerId("child")
            .setHostId("child-host")
            .setPieceNumber((int) ((at - T0) / 250))
            .setOutcome(PieceOutcome.FINISHED)
            .setSource(PieceSource.PARENT)
            .setParentPeerId("peer-" + parent)
            .setParentHostId(parent)
            .setBytes(bytes)
            .setCostMillis(50)
            .setTimestamp(Instant.ofEpochMilli(at))
            .build();
    return new Input(true, task, event, at);
  }

  /** One application over its own copy of the input topics. */
  private final class Run {
    final String appId;
    final String pieces;
    final String hosts;
    final String scores;
    final ScoringConfig config;
    final String deadLetters;

    Run(String name) {
      String suffix = name + "-" + UUID.randomUUID().toString().substring(0, 8);
      appId = "scoring-it-" + suffix;
      pieces = "pieces-" + suffix;
      hosts = "hosts-" + suffix;
      scores = "scores-" + suffix;
      deadLetters = "dlq-" + suffix;
      for (String topic : List.of(pieces, hosts, scores, deadLetters)) {
        kafka.createTopic(topic, PARTITIONS, Map.of());
      }
      config =
          new ScoringConfig(
              LoadQualityParams.defaults(),
              Duration.ofMinutes(5),
              ScoringConfig.DEFAULT_REPORTED_HOLD,
              0.0,
              Duration.ofSeconds(1),
              PARTITIONS,
              "it",
              pieces,
              hosts,
              scores,
              deadLetters,
              serdeConfig,
              ScoringConfig.DEFAULT_IN_MEMORY);
    }

    StreamsService startApp(Path stateDir) throws Exception {
      Files.createDirectories(stateDir);
      Settings settings =
          Settings.of(
              Map.of(
                  "swarm.bootstrap.servers",
                  kafka.bootstrapServers(),
                  "swarm.state.dir",
                  stateDir.toString(),
                  "swarm.schema.registry.url",
                  "mock://" + scope,
                  "swarm.instance.id",
                  appId,
                  "swarm.streams.commit.interval.ms",
                  "100",
                  "swarm.streams.num.stream.threads",
                  "1"));
      Properties props = StreamsProps.base(appId, settings);
      assertThat(props.get(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG))
          .isEqualTo(true);
      StreamsService service = new StreamsService(ScoringTopology.build(config), props);
      service.start();
      service.awaitRunning(TIMEOUT);
      return service;
    }

    void produce(List<Input> inputs) throws Exception {
      Map<String, Object> props = kafka.producerProps();
      List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent =
          new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
        for (Input in : inputs) {
          String topic = in.piece() ? pieces : hosts;
          byte[] value =
              in.piece()
                  ? pieceSerde.serializer().serialize(topic, (PieceEvent) in.value())
                  : hostSerde.serializer().serialize(topic, (HostState) in.value());
          sent.add(
              producer.send(
                  new ProducerRecord<>(
                      topic,
                      null,
                      in.timestamp(),
                      in.key().getBytes(StandardCharsets.UTF_8),
                      value)));
        }
        producer.flush();
      }
      for (var future : sent) {
        future.get(); // a failed send fails the test rather than silently shortening the input
      }
    }

    /**
     * Final heartbeats (same state twice, 2 s apart) once everything before them is processed, so
     * the last evaluation of every host sees all its input at the same stream time in both runs.
     */
    void finish() throws Exception {
      awaitCaughtUp();
      List<Input> last = new ArrayList<>();
      for (String host : HOSTS) {
        last.add(heartbeat(host, END + 2_000, 30_000_000L, 2));
      }
      produce(last);
      awaitCaughtUp();
      last.clear();
      for (String host : HOSTS) {
        last.add(heartbeat(host, END + 4_000, 30_000_000L, 2));
      }
      produce(last);
      awaitCaughtUp();
    }

    /** Waits until the application has committed the end of its input and repartition topics. */
    void awaitCaughtUp() {
      String repartition = appId + "-" + ScoringTopology.SERVED_REPARTITION + "-repartition";
      Await.until(
          TIMEOUT,
          appId + " to commit the end of its input",
          () -> {
            try {
              Map<TopicPartition, OffsetAndMetadata> committed =
                  kafka
                      .admin()
                      .listConsumerGroupOffsets(appId)
                      .partitionsToOffsetAndMetadata()
                      .get();
              Map<TopicPartition, OffsetSpec> request = new HashMap<>();
              for (String topic : List.of(pieces, hosts, repartition)) {
                for (int p = 0; p < PARTITIONS; p++) {
                  request.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
              }
              Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                  kafka.admin().listOffsets(request).all().get();
              return ends.entrySet().stream()
                  .allMatch(
                      e -> {
                        long end = e.getValue().offset();
                        OffsetAndMetadata c = committed.get(e.getKey());
                        return end == 0 || (c != null && c.offset() >= end);
                      });
            } catch (Exception e) {
              return false;
            }
          });
    }

    /** The last published score of each host, as the values that matter to the dispatcher. */
    Map<String, List<Object>> finalScores() {
      // the application is closed and has committed: everything it published is in the topic
      Map<String, HostScore> latest =
          Await.value(
              TIMEOUT,
              "a score for every host on " + scores,
              () -> {
                List<ConsumerRecord<String, HostScore>> records =
                    TopicReader.of(kafka)
                        .readToEnd(
                            scores, new StringDeserializer(), scoreSerde.deserializer(), TIMEOUT);
                Map<String, HostScore> byHost = new TreeMap<>();
                records.forEach(r -> byHost.put(r.key(), r.value()));
                return byHost.keySet().containsAll(HOSTS)
                    ? java.util.Optional.of(byHost)
                    : java.util.Optional.empty();
              });
      return latest.entrySet().stream()
          .collect(
              Collectors.toMap(
                  Map.Entry::getKey,
                  e -> {
                    HostScore s = e.getValue();
                    return List.<Object>of(
                        s.getLoadQuality(),
                        s.getPeakBandwidthUsage(),
                        s.getBandwidthDurationRatio(),
                        s.getConcurrentEfficiency(),
                        s.getWindow().getPeakTxBytesPerSec(),
                        s.getWindow().getSaturatedBuckets(),
                        s.getWindow().getConcurrentUploads(),
                        s.getLiveness());
                  },
                  (a, b) -> b,
                  TreeMap::new));
    }
  }
}
