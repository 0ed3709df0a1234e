package io.swarmsched.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a topic from its beginning until a condition on what was read holds, or a deadline passes.
 * It assigns every partition itself (no consumer group, so no rebalance wait) and reads with {@code
 * read_committed}, so aborted transactional output never shows up.
 *
 * <pre>{@code
 * var records = TopicReader.of(EmbeddedKafka.get()).readUntil(topic,
 *     Deserializers.of(new StringDeserializer(), valueSerde.deserializer()),
 *     TopicReader.atLeast(3), Duration.ofSeconds(60));
 * }</pre>
 */
public final class TopicReader {

  /** A key and value deserializer pair. */
  public record Deserializers<K, V>(Deserializer<K> key, Deserializer<V> value) {
    public static <K, V> Deserializers<K, V> of(Deserializer<K> key, Deserializer<V> value) {
      return new Deserializers<>(key, value);
    }
  }

  private final String bootstrapServers;
  private final Map<String, Object> extraConfig;

  public TopicReader(String bootstrapServers) {
    this(bootstrapServers, Map.of());
  }

  /** {@code extraConfig} overrides consumer properties (e.g. isolation.level=read_uncommitted). */
  public TopicReader(String bootstrapServers, Map<String, Object> extraConfig) {
    this.bootstrapServers = bootstrapServers;
    this.extraConfig = Map.copyOf(extraConfig);
  }

  public static TopicReader of(EmbeddedKafka kafka) {
    return new TopicReader(kafka.bootstrapServers());
  }

  /** A condition that holds once at least {@code count} records were read. */
  public static <K, V> Predicate<List<ConsumerRecord<K, V>>> atLeast(int count) {
    return records -> records.size() >= count;
  }

  /** A condition that holds once some record read matches {@code match}. */
  public static <K, V> Predicate<List<ConsumerRecord<K, V>>> any(
      Predicate<ConsumerRecord<K, V>> match) {
    return records -> records.stream().anyMatch(match);
  }

  /**
   * Reads {@code topic} from the beginning until {@code done} holds for the records read so far (in
   * read order; per-partition order is kept) and returns them all.
   *
   * @throws AssertionError on timeout, saying how many records were read
   */
  public <K, V> List<ConsumerRecord<K, V>> readUntil(
      String topic,
      Deserializers<K, V> deserializers,
      Predicate<List<ConsumerRecord<K, V>>> done,
      Duration timeout) {
    return readUntil(topic, deserializers.key(), deserializers.value(), done, timeout);
  }

  /** As {@link #readUntil(String, Deserializers, Predicate, Duration)}. */
  public <K, V> List<ConsumerRecord<K, V>> readUntil(
      String topic,
      Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer,
      Predicate<List<ConsumerRecord<K, V>>> done,
      Duration timeout) {
    List<ConsumerRecord<K, V>> read = new ArrayList<>();
    java.util.concurrent.atomic.AtomicInteger skipped =
        new java.util.concurrent.atomic.AtomicInteger();
    try (KafkaConsumer<K, V> consumer = consumer(keyDeserializer, valueDeserializer)) {
      assignAll(consumer, topic, timeout);
      try {
        Await.until(
            timeout,
            "records on " + topic + " to satisfy the condition",
            () -> {
              try {
                for (ConsumerRecord<K, V> record : consumer.poll(Duration.ofMillis(200))) {
                  read.add(record);
                }
              } catch (org.apache.kafka.common.errors.RecordDeserializationException e) {
                // Every test class in a JVM shares one embedded cluster and its topics, and writes
                // under its own registry scope, whose schema ids mean other schemas to this
                // reader's deserializer: such a record is skipped, not allowed to stall the read
                // (the consumer would stay on it).
                consumer.seek(e.topicPartition(), e.offset() + 1);
                skipped.incrementAndGet();
              }
              return done.test(Collections.unmodifiableList(read));
            });
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage()
                + " (read "
                + read.size()
                + " records, skipped "
                + skipped.get()
                + " that did not decode: "
                + summary(read)
                + ")",
            e.getCause());
      }
    }
    return read;
  }

  /** Reads until {@code count} records were read; returns exactly the first {@code count}. */
  public <K, V> List<ConsumerRecord<K, V>> readCount(
      String topic,
      Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer,
      int count,
      Duration timeout) {
    return readUntil(topic, keyDeserializer, valueDeserializer, atLeast(count), timeout)
        .subList(0, count);
  }

  /** Reads until some record matches {@code match} and returns that record. */
  public <K, V> ConsumerRecord<K, V> readFirst(
      String topic,
      Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer,
      Predicate<ConsumerRecord<K, V>> match,
      Duration timeout) {
    Optional<ConsumerRecord<K, V>> found =
        readUntil(topic, keyDeserializer, valueDeserializer, any(match), timeout).stream()
            .filter(match)
            .findFirst();
    return found.orElseThrow();
  }

  /**
   * Everything currently in {@code topic} up to its end offsets at the time of the call (for
   * asserting that something did NOT arrive, after the thing that would have produced it is done).
   */
  public <K, V> List<ConsumerRecord<K, V>> readToEnd(
      String topic,
      Deserializer<K> keyDeserializer,
      Deserializer<V> valueDeserializer,
      Duration timeout) {
    List<ConsumerRecord<K, V>> read = new ArrayList<>();
    java.util.concurrent.atomic.AtomicInteger skipped =
        new java.util.concurrent.atomic.AtomicInteger();
    try (KafkaConsumer<K, V> consumer = consumer(keyDeserializer, valueDeserializer)) {
      List<TopicPartition> partitions = assignAll(consumer, topic, timeout);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      Await.until(
          timeout,
          "reading " + topic + " to its end offsets " + end,
          () -> {
            for (ConsumerRecord<K, V> record : consumer.poll(Duration.ofMillis(200))) {
              if (record.offset()
                  < end.get(new TopicPartition(record.topic(), record.partition()))) {
                read.add(record);
              }
            }
            return partitions.stream()
                .allMatch(tp -> consumer.position(tp, timeout) >= end.get(tp));
          });
    }
    return read;
  }

  private <K, V> KafkaConsumer<K, V> consumer(
      Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
    Map<String, Object> props = new java.util.HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putAll(extraConfig);
    return new KafkaConsumer<>(props, keyDeserializer, valueDeserializer);
  }

  private static List<TopicPartition> assignAll(
      KafkaConsumer<?, ?> consumer, String topic, Duration timeout) {
    List<TopicPartition> partitions =
        Await.value(
            timeout,
            "partitions of " + topic,
            () -> {
              var infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
              return infos == null || infos.isEmpty()
                  ? Optional.empty()
                  : Optional.of(
                      infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList());
            });
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return partitions;
  }

  private static String summary(List<? extends ConsumerRecord<?, ?>> records) {
    StringBuilder text = new StringBuilder("[");
    int shown = 0;
    for (ConsumerRecord<?, ?> record : records) {
      if (shown++ == 5) {
        text.append(", …");
        break;
      }
      if (shown > 1) {
        text.append(", ");
      }
      text.append(record.key()).append('=').append(record.value());
    }
    return text.append(']').toString();
  }
}
