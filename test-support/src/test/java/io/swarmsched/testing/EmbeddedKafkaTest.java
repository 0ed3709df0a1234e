package io.swarmsched.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void getReturnsTheSameRunningClusterEveryTime() {
    assertThat(EmbeddedKafka.get()).isSameAs(EmbeddedKafka.get());
    assertThat(EmbeddedKafka.get().bootstrapServers()).matches(".+:\\d+");
  }

  @Test
  void readinessProbeLeavesItsTopicAndCommittedGroupOffsetsBehind() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.get();
    kafka.probe(TIMEOUT); // a second probe on a running cluster succeeds too

    assertThat(kafka.admin().listTopics().names().get(30, TimeUnit.SECONDS))
        .contains(EmbeddedKafka.PROBE_TOPIC);
    var groups = kafka.admin().listGroups().all().get(30, TimeUnit.SECONDS);
    var probeGroups =
        groups.stream()
            .map(g -> g.groupId())
            .filter(id -> id.startsWith("_swarmsched-readiness-"))
            .toList();
    assertThat(probeGroups).isNotEmpty();
    var committed =
        kafka
            .admin()
            .listConsumerGroupOffsets(probeGroups.get(0))
            .partitionsToOffsetAndMetadata()
            .get(30, TimeUnit.SECONDS);
    assertThat(committed.values()).allSatisfy(offset -> assertThat(offset.offset()).isPositive());
  }

  @Test
  void createTopicsAcceptsCatalogLikeRecordsAndIsIdempotent() throws Exception {
    record CatalogTopic(String name, int partitions, Map<String, String> configs) {}
    EmbeddedKafka kafka = EmbeddedKafka.get();
    String name = EmbeddedKafka.uniqueName("catalog");
    CatalogTopic topic = new CatalogTopic(name, 3, Map.of("cleanup.policy", "compact"));

    kafka.createTopics(topic);
    kafka.createTopics(List.of(topic)); // already exists: no error

    TopicDescription description =
        kafka
            .admin()
            .describeTopics(List.of(name))
            .allTopicNames()
            .get(30, TimeUnit.SECONDS)
            .get(name);
    assertThat(description.partitions()).hasSize(3);
  }

  @Test
  void createTopicsRejectsThingsThatAreNotTopics() {
    assertThatThrownBy(() -> EmbeddedKafka.get().createTopics(42))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Not a topic");
  }

  @Test
  void autoTopicCreationIsOff() {
    String missing = EmbeddedKafka.uniqueName("never-created");
    try (var producer =
        new KafkaProducer<>(
            Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                EmbeddedKafka.get().bootstrapServers(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                2000),
            new StringSerializer(),
            new StringSerializer())) {
      assertThatThrownBy(
              () ->
                  producer.send(new ProducerRecord<>(missing, "k", "v")).get(30, TimeUnit.SECONDS))
          .hasMessageContaining(missing);
    }
  }

  @Test
  void transactionalProducerCommitsOnTheSingleBroker() {
    EmbeddedKafka kafka = EmbeddedKafka.get();
    String topic = EmbeddedKafka.uniqueName("tx");
    kafka.createTopic(topic, 2, Map.of());
    Map<String, Object> props = kafka.producerProps();
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + topic);
    try (var producer =
        new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "a", "1"));
      producer.send(new ProducerRecord<>(topic, "b", "2"));
      producer.commitTransaction();
    }

    var records =
        TopicReader.of(kafka)
            .readUntil(
                topic,
                TopicReader.Deserializers.of(new StringDeserializer(), new StringDeserializer()),
                TopicReader.atLeast(2),
                TIMEOUT);

    assertThat(records)
        .extracting(r -> r.key() + "=" + r.value())
        .containsExactlyInAnyOrder("a=1", "b=2");
  }

  @Test
  void topicReaderTimesOutNamingTheTopicAndWhatItRead() {
    EmbeddedKafka kafka = EmbeddedKafka.get();
    String topic = EmbeddedKafka.uniqueName("short");
    kafka.createTopic(topic);

    assertThatThrownBy(
            () ->
                TopicReader.of(kafka)
                    .readUntil(
                        topic,
                        new StringDeserializer(),
                        new StringDeserializer(),
                        TopicReader.atLeast(1),
                        Duration.ofSeconds(2)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(topic)
        .hasMessageContaining("read 0 records");
  }

  @Test
  void topicReaderSkipsRecordsItsDeserializerCannotReadAndGoesOn() {
    EmbeddedKafka kafka = EmbeddedKafka.get();
    String topic = EmbeddedKafka.uniqueName("mixed");
    kafka.createTopic(topic, 1, Map.of());
    try (var producer =
        new KafkaProducer<>(
            kafka.producerProps(), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", "foreign"));
      producer.send(new ProducerRecord<>(topic, "k", "ours"));
      producer.flush();
    }
    // as a record written under another test class's registry scope reads to this one
    org.apache.kafka.common.serialization.Deserializer<String> picky =
        (t, data) -> {
          String v = new String(data, java.nio.charset.StandardCharsets.UTF_8);
          if (v.equals("foreign")) {
            throw new org.apache.kafka.common.errors.SerializationException("unknown schema id");
          }
          return v;
        };

    var records =
        TopicReader.of(kafka)
            .readUntil(
                topic,
                new StringDeserializer(),
                picky,
                TopicReader.any(r -> r.value().equals("ours")),
                TIMEOUT);

    assertThat(records).extracting(r -> r.value()).containsExactly("ours");
  }
}
