package io.swarmsched.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order {@link WriteBehindStore} relies on, on a real exactly-once Streams application: on each
 * commit Streams calls {@code flushCache()} on the store before it flushes the task's record
 * collector and commits the transaction, so the changelog records of the cached changes are in the
 * same transaction as the outputs and input offsets of the records that made them. If a Kafka
 * upgrade calls {@code flushCache()} after the commit (or not at all), the last changes would sit
 * in an open transaction (or nowhere) while their outputs are already visible, and a crash would
 * restore a store that disagrees with the outputs: both checks below then fail.
 *
 * <p>The processor counts records per key in a write-behind store and forwards each count. Checks:
 * (1) the stream thread's producer, instrumented, sees every change's changelog record sent before
 * the {@code commitTransaction} that follows the change; (2) after each round of input, a
 * read_committed reader of the output and of the changelog sees, per key, the same latest count.
 */
class WriteBehindFlushOrderTest {
  static final String STORE = "wb-counts";

  @TempDir Path stateDir;

  final EmbeddedKafka kafka = EmbeddedKafka.get();
  final String input = EmbeddedKafka.uniqueName("wb-in");
  final String output = EmbeddedKafka.uniqueName("wb-out");
  final String appId = EmbeddedKafka.uniqueName("wb-order");

  /** What the stream thread did, in order (written by the stream thread only). */
  final List<String> events = Collections.synchronizedList(new ArrayList<>());

  Topology topology() {
    Topology t = new Topology();
    t.addSource("in", Serdes.String().deserializer(), Serdes.Long().deserializer(), input);
    t.addProcessor(
        "count",
        () ->
            new Processor<String, Long, String, Long>() {
              KeyValueStore<String, Long> store;
              ProcessorContext<String, Long> context;

              @Override
              public void init(ProcessorContext<String, Long> context) {
                this.context = context;
                store = context.getStateStore(STORE);
              }

              @Override
              public void process(Record<String, Long> record) {
                Long old = store.get(record.key());
                long n = (old == null ? 0 : old) + 1;
                store.put(record.key(), n);
                events.add("process " + record.key() + "=" + n);
                context.forward(record.withValue(n));
              }
            },
        "in");
    // Kafka's own record cache is off: only the write-behind store delays the changelog writes.
    t.addStateStore(
        WriteBehindStore.builder(
            Stores.keyValueStoreBuilder(
                    Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.Long())
                .withCachingDisabled(),
            1_000),
        "count");
    t.addSink("out", output, new StringSerializer(), new LongSerializer(), "count");
    return t;
  }

  /** The stream thread's producer, recording changelog sends and transaction ends. */
  final class RecordingSupplier extends DefaultKafkaClientSupplier {
    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
      return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()) {
        @Override
        public Future<RecordMetadata> send(
            ProducerRecord<byte[], byte[]> record, Callback callback) {
          if (record.topic().endsWith(STORE + "-changelog")) {
            String key = new StringDeserializer().deserialize(record.topic(), record.key());
            Long value = new LongDeserializer().deserialize(record.topic(), record.value());
            events.add("changelog " + key + "=" + value);
          }
          return super.send(record, callback);
        }

        @Override
        public void commitTransaction() {
          super.commitTransaction();
          events.add("commit");
        }

        @Override
        public void abortTransaction() {
          super.abortTransaction();
          events.add("abort");
        }
      };
    }
  }

  @Test
  void changelogOfCachedChangesCommitsWithTheOutputs() throws Exception {
    kafka.createTopics(input, output);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    String changelog = appId + "-" + STORE + "-changelog";

    Map<String, Object> producerProps = kafka.producerProps();
    try (KafkaStreams streams = new KafkaStreams(topology(), props, new RecordingSupplier());
        KafkaProducer<byte[], byte[]> in = new KafkaProducer<>(producerProps);
        KafkaConsumer<String, Long> outReader = reader("out");
        KafkaConsumer<String, Long> changelogReader = reader("changelog")) {
      streams.start();
      Await.until(
          Duration.ofSeconds(120),
          "streams running",
          () -> streams.state() == KafkaStreams.State.RUNNING);
      TopicPartition out = new TopicPartition(output, 0);
      outReader.assign(List.of(out));
      outReader.seekToBeginning(List.of(out));

      Map<String, Long> outputs = new HashMap<>();
      int expected = 0;
      int[] seen = {0}; // outputs read so far
      String[] keys = {"a", "b", "a", "c", "a"};
      for (int round = 0; round < 4; round++) {
        for (String k : keys) {
          in.send(
                  new ProducerRecord<>(
                      input,
                      new StringSerializer().serialize(input, k),
                      new LongSerializer().serialize(input, 1L)))
              .get();
        }
        expected += keys.length;
        int want = expected;
        // Wait until every output of this round is committed (read_committed hides the rest).
        Await.until(
            Duration.ofSeconds(60),
            "round outputs committed",
            () -> {
              for (ConsumerRecord<String, Long> r : outReader.poll(Duration.ofMillis(100))) {
                outputs.put(r.key(), r.value());
                seen[0]++;
              }
              return seen[0] >= want;
            });
        // Everything committed in the changelog by now: up to its last stable offset.
        Map<String, Long> stored = readCommitted(changelogReader, new TopicPartition(changelog, 0));
        assertThat(stored)
            .as("changelog (read_committed) after round %d matches the committed outputs", round)
            .isEqualTo(outputs);
      }
      assertThat(outputs).containsEntry("a", 12L).containsEntry("b", 4L).containsEntry("c", 4L);
    }
    assertFlushedBeforeEachCommit(new ArrayList<>(events));
  }

  /**
   * Between two transaction ends, the changelog records sent must be exactly the last change of
   * each key processed since the previous end: the cached changes were flushed before the commit.
   */
  static void assertFlushedBeforeEachCommit(List<String> events) {
    Map<String, String> processed = new HashMap<>();
    Map<String, String> sent = new HashMap<>();
    int commitsWithChanges = 0;
    for (String e : events) {
      if (e.startsWith("process ")) {
        String[] kv = e.substring(8).split("=");
        processed.put(kv[0], kv[1]);
      } else if (e.startsWith("changelog ")) {
        String[] kv = e.substring(10).split("=");
        sent.put(kv[0], kv[1]);
      } else if (e.equals("commit")) {
        assertThat(sent)
            .as("changelog records sent before this commit (events: %s)", events)
            .isEqualTo(processed);
        if (!processed.isEmpty()) commitsWithChanges++;
        processed.clear();
        sent.clear();
      } else if (e.equals("abort")) {
        processed.clear();
        sent.clear();
      }
    }
    assertThat(commitsWithChanges).as("commits that carried changes").isPositive();
  }

  KafkaConsumer<String, Long> reader(String name) {
    Map<String, Object> p = kafka.consumerProps(EmbeddedKafka.uniqueName("wb-" + name));
    return new KafkaConsumer<>(p, new StringDeserializer(), new LongDeserializer());
  }

  /** Latest value per key in {@code tp}, as a read_committed reader sees it now. */
  static Map<String, Long> readCommitted(KafkaConsumer<String, Long> c, TopicPartition tp) {
    c.assign(List.of(tp));
    c.seekToBeginning(List.of(tp));
    long end = c.endOffsets(List.of(tp)).get(tp); // the last stable offset under read_committed
    Map<String, Long> latest = new HashMap<>();
    Await.until(
        Duration.ofSeconds(30),
        "changelog read to its last stable offset",
        () -> {
          for (ConsumerRecord<String, Long> r : c.poll(Duration.ofMillis(100))) {
            if (r.offset() < end) latest.put(r.key(), r.value());
          }
          return c.position(tp) >= end;
        });
    return latest;
  }
}
