package io.swarmsched.runtime.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.runtime.config.LocalSettings;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.streams.StreamsProps;
import io.swarmsched.runtime.streams.StreamsService;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.testing.ThreadDumps;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive queries while the stream thread writes the same RocksDB store, as every service's
 * HTTP API does (a dispatcher's schedule call waits on the decisions store while the stream thread
 * stores decisions). Kafka Streams 4.3's IQv2 path locks the store's position and then the store,
 * while a put locks the store and then the position (KAFKA-19629, fixed in Kafka 4.4.0): under load
 * the two deadlocked, which stopped the stream thread for good and left HTTP calls hanging (seen as
 * a job pool that stopped placing, a restarted dispatcher that never decided, and CI timeouts).
 * This test hammers both sides and asserts that no thread is ever deadlocked and that every write
 * is processed.
 */
class QueriesDuringWritesTest {
  static final String STORE = "last-values";
  static final int RECORDS = 60_000;
  static final int KEYS = 64;

  @TempDir Path stateDir;

  final EmbeddedKafka kafka = EmbeddedKafka.get();
  final String topic = EmbeddedKafka.uniqueName("writes");

  /** Records the stream thread has stored (read by the test thread, which never queries). */
  static final AtomicLong processed = new AtomicLong();

  static Topology topology(String topic) {
    return topology(topic, Stores.persistentKeyValueStore(STORE));
  }

  /**
   * Stores each record's value under its key in the store {@code supplier} makes (named {@link
   * #STORE}), counting them in processed.
   */
  static Topology topology(String topic, KeyValueBytesStoreSupplier supplier) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(
        Stores.keyValueStoreBuilder(supplier, Serdes.String(), Serdes.Long())
            .withCachingDisabled()); // every put reaches RocksDB, as the dispatcher's stores do
    builder.stream(topic, Consumed.with(Serdes.String(), Serdes.Long()))
        .process(
            () ->
                new Processor<String, Long, Void, Void>() {
                  private KeyValueStore<String, Long> store;

                  @Override
                  public void init(ProcessorContext<Void, Void> context) {
                    store = context.getStateStore(STORE);
                  }

                  @Override
                  public void process(Record<String, Long> record) {
                    store.put(record.key(), record.value());
                    processed.incrementAndGet();
                  }
                },
            STORE);
    return builder.build();
  }

  /**
   * A one-thread Streams service on {@code kafka} running {@code topology} (commit every 100 ms),
   * started and RUNNING.
   */
  static StreamsService start(
      EmbeddedKafka kafka, Path stateDir, String instance, Topology topology, String application)
      throws InterruptedException {
    Settings settings =
        LocalSettings.of(
            kafka,
            stateDir,
            instance,
            "127.0.0.1:1",
            "swarm.streams.commit.interval.ms",
            "100",
            "swarm.streams.num.stream.threads",
            "1");
    StreamsService service =
        new StreamsService(
            topology, StreamsProps.base(EmbeddedKafka.uniqueName(application), settings));
    service.start();
    service.awaitRunning(Duration.ofSeconds(90));
    return service;
  }

  @Test
  void keyAndRangeQueriesNeverDeadlockWithTheStreamThreadsWrites() throws Exception {
    kafka.createTopic(topic, 1, Map.of());
    processed.set(0);
    try (StreamsService service = start(kafka, stateDir, "q", topology(topic), "iq-writes")) {
      LocalQueries local =
          new LocalQueries(StoreAccess.of(service.streams()), new HostInfo("127.0.0.1", 1));

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong queries = new AtomicLong();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Runnable reader =
          () -> {
            long n = 0;
            while (!stop.get()) {
              try {
                if (n++ % 16 == 0) local.all(STORE);
                else local.get(STORE, "k" + (n % KEYS), 0);
                queries.incrementAndGet();
              } catch (NotQueryableException e) {
                // rebalancing or restoring: ask again
              } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
              }
            }
          };
      Thread r1 = new Thread(reader, "iq-reader-1");
      Thread r2 = new Thread(reader, "iq-reader-2");
      r1.setDaemon(true);
      r2.setDaemon(true);
      r1.start();
      r2.start();
      try (var producer =
          new KafkaProducer<>(
              kafka.producerProps(), Serdes.String().serializer(), Serdes.Long().serializer())) {
        for (long i = 1; i <= RECORDS; i++) {
          producer.send(new ProducerRecord<>(topic, "k" + (i % KEYS), i));
        }
        producer.flush();
      }
      try {
        Await.until(
            Duration.ofMinutes(3),
            "the stream thread to store the last write while queries run",
            () -> {
              // this thread never queries: on a deadlock it must stay free to report it
              long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
              assertThat(deadlocked)
                  .as(
                      "deadlocked threads (dump: %s)",
                      deadlocked == null ? "" : ThreadDumps.write("deadlock"))
                  .isNull();
              return processed.get() >= RECORDS;
            });
      } finally {
        stop.set(true);
      }
      r1.join(10_000);
      r2.join(10_000);
      assertThat(failure.get()).isNull();
      assertThat(queries.get()).as("queries answered while writing").isPositive();
      assertThat(ManagementFactory.getThreadMXBean().findDeadlockedThreads()).isNull();
    }
  }
}
