package io.swarmsched.runtime.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.runtime.streams.StreamsService;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A range query through {@link LocalQueries} reaches the store's {@code all()} from the query's
 * thread marked as an interactive query ({@link QueryThreads}), although Kafka's classic API calls
 * it only when the returned iterator is first advanced. Unmarked, the dispatcher's write-behind
 * task store took the HTTP thread for its stream thread and flushed its cache from it, racing the
 * stream thread: under load about one run in ten of DashboardSystemTest lost a peer's last events
 * (left RUNNING after its SUCCEEDED event was processed and its offset committed).
 */
class RangeQueriesRunMarkedTest {
  static final String STORE = QueriesDuringWritesTest.STORE;

  @TempDir Path stateDir;

  final EmbeddedKafka kafka = EmbeddedKafka.get();
  final String topic = EmbeddedKafka.uniqueName("marked");

  /**
   * Each call into the store from a thread other than a stream thread: method and marked or not.
   */
  static final List<String> offThreadCalls = new CopyOnWriteArrayList<>();

  static void record(String method) {
    if (!Thread.currentThread().getName().contains("StreamThread")) {
      offThreadCalls.add(method + (QueryThreads.active() ? " marked" : " UNMARKED"));
    }
  }

  @Test
  void everyCallARangeQueryMakesIntoTheStoreRunsMarked() throws Exception {
    kafka.createTopic(topic, 1, Map.of());
    offThreadCalls.clear();
    try (StreamsService service =
        QueriesDuringWritesTest.start(
            kafka,
            stateDir,
            "m",
            QueriesDuringWritesTest.topology(topic, new Recording()),
            "marked")) {
      try (var producer =
          new KafkaProducer<>(
              kafka.producerProps(), Serdes.String().serializer(), Serdes.Long().serializer())) {
        producer.send(new ProducerRecord<>(topic, "a", 1L));
        producer.send(new ProducerRecord<>(topic, "b", 2L));
        producer.flush();
      }
      LocalQueries local =
          new LocalQueries(StoreAccess.of(service.streams()), new HostInfo("127.0.0.1", 1));
      List<KeyValue<String, Long>> all =
          Await.value(
              Duration.ofSeconds(60),
              "both values in the store",
              () -> {
                try {
                  List<KeyValue<String, Long>> v = local.all(STORE);
                  return v.size() == 2 ? java.util.Optional.of(v) : java.util.Optional.empty();
                } catch (NotQueryableException e) {
                  return java.util.Optional.empty();
                }
              });
      assertThat(all).extracting(kv -> kv.key).containsExactly("a", "b");
      assertThat(local.<String, Long>get(STORE, "a", 0)).contains(1L);
      assertThat(offThreadCalls).as("calls from the query's thread").contains("all marked");
      assertThat(offThreadCalls).noneMatch(c -> c.endsWith("UNMARKED"));
    }
  }

  /** A RocksDB store that records the reads made into it from other threads. */
  static final class Recording implements KeyValueBytesStoreSupplier {
    private final KeyValueBytesStoreSupplier rocks = Stores.persistentKeyValueStore(STORE);

    @Override
    public String name() {
      return STORE;
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
      KeyValueStore<Bytes, byte[]> s = rocks.get();
      return new KeyValueStore<>() {
        @Override
        public byte[] get(Bytes key) {
          record("get");
          return s.get(key);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
          record("range");
          return s.range(from, to);
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
          record("all");
          return s.all();
        }

        @Override
        public long approximateNumEntries() {
          record("approximateNumEntries");
          return s.approximateNumEntries();
        }

        @Override
        public void put(Bytes key, byte[] value) {
          s.put(key, value);
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
          return s.putIfAbsent(key, value);
        }

        @Override
        public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
          s.putAll(entries);
        }

        @Override
        public byte[] delete(Bytes key) {
          return s.delete(key);
        }

        @Override
        public String name() {
          return s.name();
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
          s.init(context, root);
        }

        @Override
        @SuppressWarnings("deprecation")
        public void flush() {
          s.flush();
        }

        @Override
        public void commit(Map<org.apache.kafka.common.TopicPartition, Long> offsets) {
          s.commit(offsets);
        }

        @Override
        public boolean managesOffsets() {
          return s.managesOffsets();
        }

        @Override
        public Long committedOffset(org.apache.kafka.common.TopicPartition partition) {
          return s.committedOffset(partition);
        }

        @Override
        public void close() {
          s.close();
        }

        @Override
        public boolean persistent() {
          return s.persistent();
        }

        @Override
        public boolean isOpen() {
          return s.isOpen();
        }

        @Override
        public <R> QueryResult<R> query(
            Query<R> query, PositionBound positionBound, QueryConfig config) {
          return s.query(query, positionBound, config);
        }

        @Override
        public Position getPosition() {
          return s.getPosition();
        }
      };
    }

    @Override
    public String metricsScope() {
      return rocks.metricsScope();
    }
  }
}
