package io.swarmsched.runtime.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmsched.runtime.config.LocalSettings;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.deadletter.AvroDecoding;
import io.swarmsched.runtime.deadletter.DeadLetterHeaders;
import io.swarmsched.runtime.deadletter.DeadLetterRouting;
import io.swarmsched.runtime.deadletter.ProcessingResult;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.http.Response;
import io.swarmsched.runtime.streams.StreamsProps;
import io.swarmsched.runtime.streams.StreamsService;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.TopicReader;
import io.swarmsched.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two StreamsService instances of a tiny counting topology on the embedded cluster: either one
 * answers for every key (forwarding to the owner), lists merge across both, bad input goes to the
 * dead-letter topic, and after one instance stops the other answers for all.
 */
class TwoInstanceRoutingTest {
  static final String STORE = "word-counts";
  static final Duration WAIT = Duration.ofSeconds(90);
  static final int KEYS = 12;

  @TempDir Path stateDir;

  final EmbeddedKafka kafka = EmbeddedKafka.get();
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  final String topic = EmbeddedKafka.uniqueName("words");
  final String appId = EmbeddedKafka.uniqueName("routing-test");
  Node a;
  Node b;

  static Topology topology(String topic) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, ProcessingResult<String>> decoded =
        builder.stream(
                topic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("words-source"))
            .processValues(
                AvroDecoding.decode(
                    new StringDeserializer(),
                    "word-validate",
                    (key, word) ->
                        word.isBlank() ? Optional.of("word is blank") : Optional.empty()),
                Named.as("words-decode"));
    DeadLetterRouting.split(decoded, "words-dlq")
        .groupByKey(Grouped.with("words-grouped", Serdes.String(), Serdes.String()))
        .count(
            Named.as("words-count"),
            Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as(STORE)
                .withKeySerde(Serdes.String())
                .withValueSerde(Serdes.Long()));
    return builder.build();
  }

  /** One instance: HTTP API first (its port is the advertised application.server), then Streams. */
  final class Node implements AutoCloseable {
    final HttpApi api = HttpApi.create("127.0.0.1", 0, 64 * 1024);
    final StreamsService service;
    final String advertised;

    Node(String name) throws Exception {
      api.start();
      advertised = "127.0.0.1:" + api.port();
      Settings settings =
          LocalSettings.of(
              kafka,
              stateDir.resolve(name),
              name,
              advertised,
              "swarm.streams.commit.interval.ms",
              "200",
              "swarm.streams.num.stream.threads",
              "1");
      service = new StreamsService(topology(topic), StreamsProps.base(appId, settings));
      KeyQueryRouter router = KeyQueryRouter.create(service.streams(), advertised);
      AllInstances all = AllInstances.create(service.streams(), advertised);
      api.get(
          "/counts/{word}",
          req ->
              router.route(
                  req,
                  STORE,
                  req.pathParam("word"),
                  Serdes.String().serializer(),
                  (Optional<Long> count) ->
                      count
                          .map(c -> Response.ok(Map.of("word", req.pathParam("word"), "count", c)))
                          .orElseGet(
                              () ->
                                  Response.error(
                                      404, "word " + req.pathParam("word") + " not counted"))));
      all.register(
          api,
          "counts",
          req ->
              router.local().<String, Long>all(STORE).stream()
                  .map(kv -> Map.of("word", kv.key, "count", kv.value))
                  .toList());
      api.get("/counts", req -> Response.ok(all.collect("counts", req)));
      api.registerHealthCheck("streams", service.healthCheck());
      service.bindMetrics(api.meterRegistry());
      service.start();
    }

    HostInfo host() {
      return HostInfo.buildFromEndpoint(advertised);
    }

    @Override
    public void close() {
      service.close(Duration.ofSeconds(60));
      api.close();
    }
  }

  @AfterEach
  void stop() {
    if (b != null) b.close();
    if (a != null) a.close();
  }

  HttpResponse<String> get(Node node, String path) {
    try {
      return client.send(
          HttpRequest.newBuilder(URI.create(node.api.localUrl() + path))
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " failed: " + e, e);
    }
  }

  static String word(int i) {
    return String.format("w%02d", i);
  }

  static long expected(int i) {
    return i % 3 + 1;
  }

  @Test
  void eitherInstanceAnswersEveryKeyAndTheSurvivorAnswersAllAfterTheOtherStops() throws Exception {
    kafka.createTopic(topic, 4, Map.of());
    kafka.createTopics(Topics.DEAD_LETTERS);
    a = new Node("a");
    b = new Node("b");

    Map<String, Object> producerProps = new HashMap<>(kafka.producerProps());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
      for (int i = 0; i < KEYS; i++) {
        for (int n = 0; n < expected(i); n++) {
          producer.send(new ProducerRecord<>(topic, bytes(word(i)), bytes("x")));
        }
      }
      producer.send(new ProducerRecord<>(topic, bytes("blank"), bytes("  ")));
      producer.flush();
    }

    Await.until(
        WAIT,
        "both instances RUNNING, each owning partitions",
        () ->
            a.service.streams().state() == KafkaStreams.State.RUNNING
                && b.service.streams().state() == KafkaStreams.State.RUNNING
                && ownsPartitions(a)
                && ownsPartitions(b));

    // every key through either instance; record who answered
    Map<String, String> answeredViaA = new TreeMap<>();
    Map<String, String> answeredViaB = new TreeMap<>();
    for (int i = 0; i < KEYS; i++) {
      String w = word(i);
      long count = expected(i);
      answeredViaA.put(w, awaitCount(a, w, count));
      answeredViaB.put(w, awaitCount(b, w, count));
    }
    assertThat(answeredViaA).containsValue(b.advertised).containsValue(a.advertised);
    assertThat(answeredViaB).containsValue(a.advertised).containsValue(b.advertised);
    assertThat(answeredViaA).isEqualTo(answeredViaB); // the owner answers, whoever was asked

    HttpResponse<String> unknown = get(a, "/counts/never-seen");
    assertThat(unknown.statusCode()).isEqualTo(404);

    // the list fans out to every instance; with a standby replica per task (the service default) a
    // probing rebalance may move a task while it runs, so it is complete once the group is settled
    Await.until(
        WAIT,
        "the list through A names every key",
        () -> {
          HttpResponse<String> list = get(a, "/counts");
          try {
            return list.statusCode() == 200
                && HttpApi.JSON.readTree(list.body()).findValuesAsText("word").size() == KEYS;
          } catch (java.io.IOException e) {
            return false;
          }
        });

    assertThat(get(a, "/health").statusCode()).isEqualTo(200);
    assertThat(get(a, "/metrics").body()).contains("kafka_stream");

    ConsumerRecord<byte[], byte[]> dead =
        TopicReader.of(kafka)
            .readFirst(
                Topics.DEAD_LETTERS.name(),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer(),
                r ->
                    topic.equals(
                        DeadLetterHeaders.lastValue(r.headers(), DeadLetterHeaders.SOURCE_TOPIC)
                            .orElse(null)),
                WAIT);
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo("blank");
    assertThat(DeadLetterHeaders.lastValue(dead.headers(), DeadLetterHeaders.REASON))
        .contains("validation failed: word is blank");

    // B stops: A takes its partitions over and answers every key itself
    b.close();
    b = null;
    for (int i = 0; i < KEYS; i++) {
      String w = word(i);
      long count = expected(i);
      Await.until(
          WAIT,
          "survivor to answer " + w + " itself",
          () -> {
            HttpResponse<String> response = get(a, "/counts/" + w);
            return response.statusCode() == 200
                && response
                    .headers()
                    .firstValue(QueryForwarder.ANSWERED_BY)
                    .orElse("")
                    .equals(a.advertised)
                && countOf(response) == count;
          });
    }
  }

  private boolean ownsPartitions(Node node) {
    return node.service.streams().metadataForAllStreamsClients().stream()
        .anyMatch(m -> m.hostInfo().equals(node.host()) && !m.topicPartitions().isEmpty());
  }

  /** Polls until {@code word} has {@code count} via {@code node}; returns who answered. */
  private String awaitCount(Node node, String word, long count) {
    return Await.value(
        WAIT,
        word + "=" + count + " via " + node.advertised,
        () -> {
          HttpResponse<String> response = get(node, "/counts/" + word);
          if (response.statusCode() == 200 && countOf(response) == count) {
            return response.headers().firstValue(QueryForwarder.ANSWERED_BY);
          }
          return Optional.empty();
        });
  }

  private static long countOf(HttpResponse<String> response) {
    try {
      JsonNode body = HttpApi.JSON.readTree(response.body());
      return body.path("count").asLong(-1);
    } catch (Exception e) {
      return -1;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
