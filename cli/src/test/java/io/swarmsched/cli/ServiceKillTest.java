package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.chaos.ServiceProcess;
import io.swarmsched.chaos.Workload;
import io.swarmsched.cluster.CatalogProvisioning;
import io.swarmsched.cluster.Ports;
import io.swarmsched.ingest.liveness.HostStates;
import io.swarmsched.registry.server.RegistryServerConfig;
import io.swarmsched.registry.server.SchemaRegistryServer;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostLoad;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.scoring.BucketSeries;
import io.swarmsched.scoring.LoadQuality;
import io.swarmsched.scoring.LoadQualityCalculator;
import io.swarmsched.scoring.LoadQualityParams;
import io.swarmsched.scoring.streams.ScoringTopology;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.TopicReader;
import io.swarmsched.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * heartbeat-ingest and scoring-streams, each as its own process ({@code swarmsched ingest}, {@code
 * swarmsched score}: the cli's main class in a child JVM, as the swarmsched script and compose run
 * them, through the chaos harness's {@link ServiceProcess}), killed with {@code kill -9} in the
 * middle of a bounded input stream and started again at once on the same state directory, as a
 * supervisor restarts a container on its volume. Both run exactly-once by default ({@code
 * swarm.processing.guarantee=exactly_once_v2}), so what a {@code read_committed} reader sees must
 * be as if the kill never happened: nothing lost, nothing published twice, every host's final
 * output what its input says. The time from the restart to the first output is printed ({@code
 * KILL} lines; docs/reliability.md has the figures).
 */
class ServiceKillTest {
  static final Duration AWAIT = Duration.ofSeconds(120);

  /** What a process killed by SIGKILL exits with (128 + 9). */
  static final int SIGKILL_STATUS = 137;

  static EmbeddedKafka kafka;
  static SchemaRegistryServer registry;

  @TempDir Path dir;

  /** This attempt's id: in host, task and application ids, so a rerun reads only its own. */
  final String run = UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void cluster() {
    kafka = EmbeddedKafka.get();
    kafka.createTopics(Topics.ALL);
    registry =
        SchemaRegistryServer.start(
            new RegistryServerConfig(
                kafka.bootstrapServers(), "127.0.0.1", 0, EmbeddedKafka.uniqueName("_schemas")));
    CatalogProvisioning.registerSchemas(registry.url(), Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  /**
   * 150 hosts send 24 heartbeats each (3,600 records, 9 s at 400 a second); every heartbeat changes
   * the host's reported load, so ingest publishes each one (see heartbeat-ingest/README.md, "What
   * is published when"). Asserted from {@code swarm.hosts.v1} read {@code read_committed}: every
   * heartbeat's state was published exactly once and in order, and each host's last state is its
   * last heartbeat's.
   */
  @Test
  void heartbeatIngestKilledMidStreamPublishesEveryHeartbeatExactlyOnce() throws Exception {
    int hosts = 150;
    int rounds = 24;
    String appId = "kill-ingest-" + run;
    Workload workload = new Workload(run);
    Supplier<ServiceProcess> start = service("ingest", "swarm.ingest.application.id", appId);

    // heartbeat timestamps are taken when sent: ingest refuses ones too far from its clock
    List<Function<Instant, ProducerRecord<String, byte[]>>> stream = new ArrayList<>();
    var serializer = SpecificAvroSerde.of(HostHeartbeat.class, serde()).serializer();
    String topic = Topics.HOST_HEARTBEATS.name();
    for (int r = 1; r <= rounds; r++) {
      for (int i = 0; i < hosts; i++) {
        int host = i;
        long sequence = r;
        stream.add(
            at -> {
              HostHeartbeat hb = heartbeat(workload, host, sequence, at);
              return new ProducerRecord<>(
                  topic, hb.getHostId().toString(), serializer.serialize(topic, hb));
            });
      }
    }
    KillReport report =
        killMidStream(start, stream, appId, List.of(topic), Topics.HOSTS.name(), () -> {});

    Deserializer<HostState> states = SpecificAvroSerde.of(HostState.class, serde()).deserializer();
    Map<String, List<HostState>> committed = byHost(read(Topics.HOSTS.name(), states, true));
    Map<String, List<HostState>> uncommitted = byHost(read(Topics.HOSTS.name(), states, false));
    List<Long> everyHeartbeat = LongStream.rangeClosed(1, rounds).boxed().toList();
    Map<String, List<Long>> wrong = new TreeMap<>();
    int lost = 0;
    int twice = 0;
    for (int i = 0; i < hosts; i++) {
      String host = hostId(i);
      List<Long> published = onlineSequences(committed.getOrDefault(host, List.of()));
      if (!published.equals(everyHeartbeat)) {
        wrong.put(host, published);
        lost += (int) everyHeartbeat.stream().filter(s -> !published.contains(s)).count();
        twice += published.size() - (int) published.stream().distinct().count();
      }
    }
    long abortedSeen =
        uncommitted.values().stream().mapToLong(l -> onlineSequences(l).size()).sum()
            - committed.values().stream().mapToLong(l -> onlineSequences(l).size()).sum();
    System.out.printf(
        "KILL heartbeat-ingest: %s; %d heartbeats sent, %d publications read_committed,"
            + " %d more read_uncommitted (the killed instance's aborted transaction),"
            + " %d lost, %d published twice%n",
        report,
        hosts * rounds,
        committed.values().stream().mapToLong(l -> onlineSequences(l).size()).sum(),
        abortedSeen,
        lost,
        twice);

    assertThat(report.exitStatus())
        .as("exit status of the killed ingest")
        .isEqualTo(SIGKILL_STATUS);
    assertThat(report.sentAtKill()).as("heartbeats sent at the kill").isLessThan(hosts * rounds);
    assertThat(wrong)
        .as(
            "hosts whose published sequences are not 1..%d (%d lost, %d twice)",
            rounds, lost, twice)
        .isEmpty();
    for (int i = 0; i < hosts; i++) {
      List<HostState> all = committed.get(hostId(i));
      HostState last = all.get(all.size() - 1);
      assertThat(last.getLastSequence()).as("last sequence of " + hostId(i)).isEqualTo(rounds);
      assertThat(last.getLoad().getTxBytesPerSec())
          .as("reported load in the last state of " + hostId(i))
          .isEqualTo(txOf(rounds));
    }
  }

  /**
   * 40 hosts and 4,000 served pieces with record timestamps over 25 s (10 s to send at 400 a
   * second), host states every 3 s of record time. The final score of every host, read {@code
   * read_committed} from {@code swarm.host-scores.v1}, must hold exactly the served bytes, peak and
   * saturated buckets of its pieces (computed here from what was sent) and the load quality the
   * calculator gives for them; and no score is published twice (the publish policy never publishes
   * one host twice within a second of stream time, so a repeated publication shows as one).
   */
  @Test
  void scoringStreamsKilledMidStreamEndsWithTheScoresOfItsInput() throws Exception {
    int hosts = 40;
    int pieces = 4_000;
    long span = 25_000;
    long t0 = (System.currentTimeMillis() / 1000) * 1000;
    String appId = "kill-score-" + run;
    Workload workload = new Workload(run);
    Supplier<ServiceProcess> start = service("score", "swarm.scoring.application.id", appId);

    var pieceSerializer = SpecificAvroSerde.of(PieceEvent.class, serde()).serializer();
    var stateSerializer = SpecificAvroSerde.of(HostState.class, serde()).serializer();
    SplittableRandom random = new SplittableRandom(13);
    List<Function<Instant, ProducerRecord<String, byte[]>>> stream = new ArrayList<>();
    Map<String, Map<Long, Long>> servedByBucket = new HashMap<>();
    long nextStates = t0;
    for (int k = 0; k < pieces; k++) {
      long ts = t0 + 1 + k * span / pieces;
      if (ts >= nextStates) {
        for (int i = 0; i < hosts; i++) {
          HostState state = hostState(workload, i, random.nextInt(6), nextStates);
          stream.add(record(Topics.HOSTS.name(), hostId(i), state, nextStates, stateSerializer));
        }
        nextStates += 3_000;
      }
      int parent = random.nextInt(hosts);
      long bytes = (1 + random.nextInt(64)) * (1L << 20);
      PieceEvent event = servedPiece(k, parent, bytes, ts);
      stream.add(record(Topics.PIECE_EVENTS.name(), event.getTaskId(), event, ts, pieceSerializer));
      servedByBucket
          .computeIfAbsent(hostId(parent), h -> new HashMap<>())
          .merge(Math.floorDiv(ts, 1000L) * 1000L, bytes, Long::sum);
    }
    String repartition = appId + "-" + ScoringTopology.SERVED_REPARTITION + "-repartition";
    List<String> inputs = List.of(Topics.PIECE_EVENTS.name(), Topics.HOSTS.name(), repartition);
    long end = t0 + span + 4_000;
    KillReport report =
        killMidStream(
            start,
            stream,
            appId,
            inputs,
            Topics.HOST_SCORES.name(),
            () -> {
              // Everything before is processed: a last state per host (a concurrency never sent
              // before) scores the whole input. Twice, 2 s of stream time apart: a change that the
              // publish policy holds back at the first (a punctuation triggered by another host's
              // last state published this host's score at that stream time just before) is
              // published at the second; without the second it would wait for stream time to
              // advance, which at the end of the input it never does (scoring-streams/README.md).
              for (long at : List.of(end - 2_000, end)) {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                try (KafkaProducer<String, byte[]> producer = producer()) {
                  for (int i = 0; i < hosts; i++) {
                    HostState last = hostState(workload, i, FINAL_CONCURRENCY, at);
                    sent.add(
                        producer.send(
                            record(Topics.HOSTS.name(), hostId(i), last, at, stateSerializer)
                                .apply(Instant.now())));
                  }
                }
                for (Future<RecordMetadata> f : sent) {
                  f.get(60, TimeUnit.SECONDS);
                }
                awaitCaughtUp(appId, inputs);
              }
            });

    Deserializer<HostScore> scores = SpecificAvroSerde.of(HostScore.class, serde()).deserializer();
    Map<String, List<HostScore>> committed = byHost(read(Topics.HOST_SCORES.name(), scores, true));
    long uncommitted =
        byHost(read(Topics.HOST_SCORES.name(), scores, false)).values().stream()
            .mapToLong(List::size)
            .sum();
    long published = committed.values().stream().mapToLong(List::size).sum();
    System.out.printf(
        "KILL scoring-streams: %s; %d records sent, %d scores read_committed, %d more"
            + " read_uncommitted (the killed instance's aborted transaction)%n",
        report, stream.size() + 2 * hosts, published, uncommitted - published);

    assertThat(report.exitStatus())
        .as("exit status of the killed scoring")
        .isEqualTo(SIGKILL_STATUS);
    assertThat(report.sentAtKill()).as("records sent at the kill").isLessThan(stream.size());
    LoadQualityParams params = LoadQualityParams.defaults();
    LoadQualityCalculator calculator = new LoadQualityCalculator(params);
    Map<String, List<Object>> expected = new TreeMap<>();
    Map<String, List<Object>> actual = new TreeMap<>();
    List<String> publishedTwice = new ArrayList<>();
    for (int i = 0; i < hosts; i++) {
      String host = hostId(i);
      Map<Long, Long> served = servedByBucket.getOrDefault(host, Map.of());
      long maxTx = workload.heartbeat(i, 1, Instant.EPOCH).getCapacity().getMaxTxBytesPerSec();
      LoadQuality lq =
          calculator.compute(
              BucketSeries.ofHorizon(
                      served, Map.of(), end, params.horizonBuckets(), params.bucketMillis())
                  .tx(),
              params.horizonBuckets(),
              maxTx,
              FINAL_CONCURRENCY);
      expected.put(
          host,
          List.of(
              served.values().stream().mapToLong(Long::longValue).sum(),
              lq.peakTx(),
              lq.saturatedBuckets(),
              lq.loadQuality(),
              lq.peakBandwidthUsage(),
              lq.bandwidthDurationRatio(),
              lq.concurrentEfficiency()));
      List<HostScore> all = committed.getOrDefault(host, List.of());
      if (!all.isEmpty()) {
        HostScore last = all.get(all.size() - 1);
        actual.put(
            host,
            List.of(
                last.getWindow().getServedTxBytes(),
                last.getWindow().getPeakTxBytesPerSec(),
                last.getWindow().getSaturatedBuckets(),
                last.getLoadQuality(),
                last.getPeakBandwidthUsage(),
                last.getBandwidthDurationRatio(),
                last.getConcurrentEfficiency()));
        assertThat(last.getComputedAt().toEpochMilli())
            .as("stream time of the last score of " + host)
            .isGreaterThanOrEqualTo(end - 2_000);
      }
      for (int s = 1; s < all.size(); s++) {
        long gap =
            all.get(s).getComputedAt().toEpochMilli()
                - all.get(s - 1).getComputedAt().toEpochMilli();
        if (gap < 1_000) {
          publishedTwice.add(host + " at " + all.get(s).getComputedAt() + " (" + gap + " ms)");
        }
      }
    }
    assertThat(expected.values())
        .as("the input saturates some buckets")
        .anySatisfy(v -> assertThat((int) v.get(2)).isPositive());
    assertThat(actual)
        .as("final scores: served bytes, peak, saturated buckets, load quality and its parts")
        .isEqualTo(expected);
    assertThat(publishedTwice)
        .as("scores of one host less than 1 s of stream time apart")
        .isEmpty();
  }

  // ---------------------------------------------------------------- the kill

  static final int FINAL_CONCURRENCY = 7;

  /** Input records a second: the stream takes about 10 s, and the kill falls in its middle. */
  static final int PER_SECOND = 400;

  /**
   * What one kill measured: when, the exit status of the killed process, how many input records had
   * been sent then, the transactions it left open, and the seconds from the restart to Streams'
   * start and RUNNING in the new process and to the first output record it committed.
   */
  record KillReport(
      LocalTime killedAt,
      int exitStatus,
      int sentAtKill,
      String openTransactions,
      double restartToStreamsStart,
      double restartToRunning,
      double restartToFirstOutput) {
    @Override
    public String toString() {
      return String.format(
          "kill -9 at %s after %d input records sent (exit status %d; its transactions left open:"
              + " %s); restarted at once: Streams started (CREATED -> REBALANCING) after %.1f s,"
              + " RUNNING after %.1f s, first committed output after %.1f s",
          killedAt,
          sentAtKill,
          exitStatus,
          openTransactions,
          restartToStreamsStart,
          restartToRunning,
          restartToFirstOutput);
    }
  }

  /**
   * Seconds from {@code from} to the last line of {@code log} that contains {@code text} (the
   * service logs Streams' state changes with the time of day in milliseconds), NaN if none does.
   */
  static double secondsToLogLine(Path log, LocalTime from, String text) {
    try {
      return Files.readAllLines(log).stream()
          .filter(l -> l.contains(text) && l.length() > 12)
          .map(l -> LocalTime.parse(l.substring(0, 12)))
          .reduce((a, b) -> b)
          .map(t -> Duration.between(from, t).toMillis() / 1e3)
          .orElse(Double.NaN);
    } catch (java.io.IOException | java.time.format.DateTimeParseException e) {
      return Double.NaN;
    }
  }

  /** A step that may throw. */
  interface Step {
    void run() throws Exception;
  }

  /**
   * Starts the service, sends {@code stream} at {@link #PER_SECOND} from another thread, kills the
   * service with {@code kill -9} once it has committed a fifth of the stream (the stream holds
   * halfway until then, so the kill always falls in its middle however slow the machine), starts it
   * again at once (same name, same state directory), and returns when the restarted instance has
   * committed the whole stream and {@code finish} has run; the service is stopped on return.
   */
  private KillReport killMidStream(
      Supplier<ServiceProcess> start,
      List<Function<Instant, ProducerRecord<String, byte[]>>> stream,
      String appId,
      List<String> inputs,
      String output,
      Step finish)
      throws Exception {
    Map<String, Long> baseline = new HashMap<>();
    endOffsets(inputs.subList(0, 1), false)
        .forEach((tp, o) -> baseline.merge(tp.topic(), o, Long::sum));
    ServiceProcess first = start.get();
    ServiceProcess second = null;
    AtomicInteger sent = new AtomicInteger();
    CountDownLatch killed = new CountDownLatch(1);
    CompletableFuture<Void> sender = new CompletableFuture<>();
    try {
      first.awaitHealthy(AWAIT);
      Thread thread =
          new Thread(
              () -> {
                try {
                  send(stream, PER_SECOND, sent, killed);
                  sender.complete(null);
                } catch (Throwable e) {
                  sender.completeExceptionally(e);
                }
              },
              "kill-test-sender");
      thread.setDaemon(true);
      thread.start();
      String counted = inputs.get(0);
      long killAfter =
          baseline.getOrDefault(counted, 0L)
              + stream.stream().filter(r -> r.apply(Instant.EPOCH).topic().equals(counted)).count()
                  / 5;
      Await.until(
          AWAIT,
          appId + " to commit a fifth of its input on " + counted,
          () ->
              sender.isCompletedExceptionally()
                  || !first.isAlive()
                  || committed(appId, counted) >= killAfter);
      assertThat(first.isAlive()).as(first.name + " alive before the kill").isTrue();
      // the case that matters: a transaction with output in it (best effort, within 5 s)
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (openTransactions(appId).equals("[]") && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      int sentAtKill = sent.get();
      LocalTime killedAt = LocalTime.now();
      int status = first.kill();
      killed.countDown();
      String open = openTransactions(appId);
      Map<TopicPartition, Long> outputEnd = endOffsets(List.of(output), false);
      LocalTime restartedClock = LocalTime.now();
      long restartedAt = System.nanoTime();
      second = start.get();
      awaitOutputBeyond(output, outputEnd);
      double firstOutput = (System.nanoTime() - restartedAt) / 1e9;
      sender.get(AWAIT.toSeconds(), TimeUnit.SECONDS);
      awaitCaughtUp(appId, inputs);
      finish.run();
      return new KillReport(
          killedAt,
          status,
          sentAtKill,
          open,
          secondsToLogLine(second.log(), restartedClock, "CREATED -> REBALANCING"),
          secondsToLogLine(second.log(), restartedClock, "-> RUNNING"),
          firstOutput);
    } finally {
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }

  /**
   * Sends every record, {@code perSecond} a second in tenths of a second, holding halfway until
   * {@code killed}, and checks each.
   */
  private void send(
      List<Function<Instant, ProducerRecord<String, byte[]>>> stream,
      int perSecond,
      AtomicInteger sent,
      CountDownLatch killed)
      throws Exception {
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer = producer()) {
      int batch = Math.max(1, perSecond / 10);
      long due = System.nanoTime();
      for (int i = 0; i < stream.size(); i++) {
        if (i == stream.size() / 2 && killed.getCount() > 0) {
          if (!killed.await(AWAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("no kill within " + AWAIT);
          }
          due = System.nanoTime(); // the same pace after the hold, not a burst to catch up
        }
        acks.add(producer.send(stream.get(i).apply(Instant.now())));
        sent.incrementAndGet();
        if ((i + 1) % batch == 0) {
          due += TimeUnit.MILLISECONDS.toNanos(100);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
      }
    }
    for (Future<RecordMetadata> ack : acks) {
      ack.get(60, TimeUnit.SECONDS); // a failed send fails the test, not shortens the stream
    }
  }

  /** Waits for a {@code read_committed} record past the offsets the killed instance could reach. */
  private void awaitOutputBeyond(String topic, Map<TopicPartition, Long> offsets) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(true)) {
      consumer.assign(offsets.keySet());
      offsets.forEach(consumer::seek);
      Await.until(
          AWAIT,
          "output on " + topic + " from the restarted instance",
          () -> !consumer.poll(Duration.ofMillis(100)).isEmpty());
    }
  }

  /**
   * The killed instance's transactions the broker still holds open, with the partitions each has
   * written: what the kill interrupted, which the broker must abort before anything downstream (and
   * the restarted instance's offsets) moves on.
   */
  private String openTransactions(String appId) {
    try {
      List<String> ids =
          kafka.admin().listTransactions().all().get(10, TimeUnit.SECONDS).stream()
              .map(org.apache.kafka.clients.admin.TransactionListing::transactionalId)
              .filter(id -> id.startsWith(appId + "-"))
              .toList();
      return kafka
          .admin()
          .describeTransactions(ids)
          .all()
          .get(10, TimeUnit.SECONDS)
          .values()
          .stream()
          .filter(d -> d.state() == org.apache.kafka.clients.admin.TransactionState.ONGOING)
          .map(d -> d.topicPartitions().size() + " partitions")
          .toList()
          .toString();
    } catch (Exception e) {
      return "unknown (" + e + ")";
    }
  }

  /** Waits until {@code appId} has committed the end of every partition of {@code topics}. */
  private void awaitCaughtUp(String appId, List<String> topics) {
    Await.until(
        AWAIT,
        appId + " to commit the end of " + topics,
        () -> {
          Map<TopicPartition, Long> end = endOffsets(topics, false);
          Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(appId);
          return end.entrySet().stream()
              .allMatch(
                  e ->
                      e.getValue() == 0
                          || (committed.get(e.getKey()) != null
                              && committed.get(e.getKey()).offset() >= e.getValue()));
        });
  }

  /** The sum of {@code appId}'s committed offsets on {@code topic}. */
  private long committed(String appId, String topic) {
    return committedOffsets(appId).entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic))
        .mapToLong(e -> e.getValue().offset())
        .sum();
  }

  private Map<TopicPartition, OffsetAndMetadata> committedOffsets(String appId) {
    try {
      return kafka
          .admin()
          .listConsumerGroupOffsets(appId)
          .partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return Map.of();
    }
  }

  /**
   * Log-end offsets of every partition of {@code topics} ({@code committed}: the last stable
   * offsets).
   */
  private Map<TopicPartition, Long> endOffsets(List<String> topics, boolean committed) {
    try {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (var d :
          kafka.admin().describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
        d.partitions()
            .forEach(
                p -> request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          kafka
              .admin()
              .listOffsets(
                  request,
                  new org.apache.kafka.clients.admin.ListOffsetsOptions(
                      committed
                          ? org.apache.kafka.common.IsolationLevel.READ_COMMITTED
                          : org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED))
              .all()
              .get(10, TimeUnit.SECONDS);
      Map<TopicPartition, Long> result = new HashMap<>();
      ends.forEach((tp, info) -> result.put(tp, info.offset()));
      return result;
    } catch (Exception e) {
      throw new IllegalStateException("cannot list the end offsets of " + topics + ": " + e, e);
    }
  }

  // ---------------------------------------------------------------- inputs and outputs

  private String hostId(int i) {
    return "kill-" + run + "-h" + i;
  }

  private static long txOf(long sequence) {
    return sequence * 1_000L;
  }

  /**
   * The chaos workload's heartbeat of host {@code i}, under this run's id, with a load of its own.
   */
  private HostHeartbeat heartbeat(Workload workload, int i, long sequence, Instant at) {
    HostHeartbeat hb = workload.heartbeat(i, sequence, at);
    return HostHeartbeat.newBuilder(hb)
        .setHostId(hostId(i))
        .setLoad(HostLoad.newBuilder(hb.getLoad()).setTxBytesPerSec(txOf(sequence)).build())
        .build();
  }

  /**
   * The state ingest would publish for host {@code i}: reporting no upload (so the served pieces
   * alone make its tx) and {@code concurrent} uploads.
   */
  private HostState hostState(Workload workload, int i, int concurrent, long at) {
    HostHeartbeat hb = heartbeat(workload, i, 1, Instant.ofEpochMilli(at));
    HostHeartbeat idle =
        HostHeartbeat.newBuilder(hb)
            .setLoad(
                HostLoad.newBuilder(hb.getLoad())
                    .setTxBytesPerSec(0)
                    .setConcurrentUploads(concurrent)
                    .build())
            .build();
    return HostStates.apply(idle, null, Instant.ofEpochMilli(at));
  }

  private PieceEvent servedPiece(int k, int parent, long bytes, long at) {
    return PieceEvent.newBuilder()
        .setEventId("kill-" + run + "-e" + k)
        .setTaskId("kill-" + run + "-t" + (k % 50))
        .setPeerId("kill-" + run + "-child-" + k)
        .setHostId("kill-" + run + "-child-host")
        .setPieceNumber(k / 50)
        .setOutcome(PieceOutcome.FINISHED)
        .setSource(PieceSource.PARENT)
        .setParentPeerId("kill-" + run + "-parent-" + parent)
        .setParentHostId(hostId(parent))
        .setBytes(bytes)
        .setCostMillis(40)
        .setTimestamp(Instant.ofEpochMilli(at))
        .build();
  }

  /** A record with a fixed timestamp, whatever the time it is sent. */
  private static <T extends SpecificRecord>
      Function<Instant, ProducerRecord<String, byte[]>> record(
          String topic,
          String key,
          T value,
          long timestamp,
          org.apache.kafka.common.serialization.Serializer<T> serializer) {
    byte[] bytes = serializer.serialize(topic, value);
    return at -> new ProducerRecord<>(topic, null, timestamp, key, bytes);
  }

  private static List<Long> onlineSequences(List<HostState> states) {
    return states.stream()
        .filter(s -> s.getLiveness() == Liveness.ONLINE)
        .map(HostState::getLastSequence)
        .toList();
  }

  /** This run's records, grouped by key in offset order. */
  private <V> Map<String, List<V>> byHost(List<ConsumerRecord<String, V>> records) {
    return records.stream()
        .filter(
            r -> r.key() != null && r.key().startsWith("kill-" + run + "-") && r.value() != null)
        .sorted(
            java.util.Comparator.<ConsumerRecord<String, V>>comparingInt(ConsumerRecord::partition)
                .thenComparingLong(ConsumerRecord::offset))
        .collect(
            Collectors.groupingBy(
                ConsumerRecord::key,
                LinkedHashMap::new,
                Collectors.mapping(ConsumerRecord::value, Collectors.toList())));
  }

  private <V> List<ConsumerRecord<String, V>> read(
      String topic, Deserializer<V> values, boolean committed) {
    return new TopicReader(
            kafka.bootstrapServers(),
            Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                committed ? "read_committed" : "read_uncommitted"))
        .readToEnd(topic, new StringDeserializer(), values, AWAIT);
  }

  /**
   * {@code swarmsched <command>} of this run with application id {@code appId} (setting {@code
   * applicationIdKey}): each call starts a new process on the same state directory.
   */
  private Supplier<ServiceProcess> service(String command, String applicationIdKey, String appId) {
    Map<String, String> settings = common();
    settings.put(applicationIdKey, appId);
    List<String> jvm = jvm();
    return () ->
        ServiceProcess.startInstance(
            command + "-" + run, command, Ports.findFree(), settings, jvm, dir);
  }

  /**
   * The settings of every service process: the cluster, and {@code -Dkill.set.<key>=<value>} to
   * measure another setting (e.g. {@code -Dkill.set.swarm.processing.guarantee=at_least_once}).
   */
  private Map<String, String> common() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("swarm.bootstrap.servers", kafka.bootstrapServers());
    settings.put("swarm.schema.registry.url", registry.url());
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("kill.set.")) {
        settings.put(name.substring("kill.set.".length()), System.getProperty(name));
      }
    }
    return settings;
  }

  private static Map<String, Object> serde() {
    return Map.of("schema.registry.url", registry.url());
  }

  private List<String> jvm() {
    try {
      return ServiceProcess.jvmOptions(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            true,
            ProducerConfig.LINGER_MS_CONFIG,
            5),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> consumer(boolean committed) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            committed ? "read_committed" : "read_uncommitted"),
        new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }
}
