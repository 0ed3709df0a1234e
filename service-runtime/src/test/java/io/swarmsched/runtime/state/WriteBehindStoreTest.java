package io.swarmsched.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WriteBehindStoreTest {
  private KeyValueStore<String, String> inner;
  private WriteBehindStore<String> store;

  @BeforeEach
  void setUp() {
    inner = innerStore("s");
    store = new WriteBehindStore<>(inner, 2);
    store.init(new MockProcessorContext<>().getStateStoreContext(), store);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void changesReachTheInnerStoreWhenStreamsFlushesCaches() {
    store.put("a", "1");
    store.put("b", "2");
    store.delete("b");
    assertThat(store.get("a")).isEqualTo("1");
    assertThat(store.get("b")).isNull();
    assertThat(inner.get("a")).isNull();
    store.flushCache();
    assertThat(inner.get("a")).isEqualTo("1");
    assertThat(inner.get("b")).isNull();
    assertThat(store.dirtyCount()).isZero();
  }

  @Test
  void aDeleteOfAStoredKeyIsWrittenAsADelete() {
    inner.put("a", "old");
    assertThat(store.delete("a")).isEqualTo("old");
    store.flushCache();
    assertThat(inner.get("a")).isNull();
  }

  @Test
  void scansSeeEveryChange() {
    store.put("a", "1");
    store.put("c", "3");
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, String> it = store.all()) {
      it.forEachRemaining((KeyValue<String, String> kv) -> keys.add(kv.key));
    }
    assertThat(keys).containsExactly("a", "c");
  }

  @Test
  void evictingADirtyEntryWritesItFirst() {
    store.put("a", "1");
    store.put("b", "2");
    store.put("c", "3"); // bound is 2: "a", the least recently used, is written and dropped
    assertThat(inner.get("a")).isEqualTo("1");
    assertThat(store.get("a")).isEqualTo("1");
  }

  @Test
  void clearingTheCacheDropsUnflushedChanges() {
    inner.put("a", "committed");
    store.put("a", "uncommitted");
    store.clearCache();
    assertThat(store.get("a")).isEqualTo("committed");
  }

  // ------------------------------------------------------------ one flush for the whole thread

  private static KeyValueStore<String, String> innerStore(String name) {
    KeyValueStore<String, String> kv =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.String())
            .withLoggingDisabled()
            .build();
    return kv;
  }

  /** An in-memory store and the write-behind store over it, as one task holds them. */
  private record Backed(KeyValueStore<String, String> inner, WriteBehindStore<String> store) {}

  /** A store initialised as Streams would with {@code commit.interval.ms = commitMs}. */
  private static Backed backed(String name, long commitMs) {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092");
    config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitMs));
    KeyValueStore<String, String> inner = innerStore(name);
    WriteBehindStore<String> s = new WriteBehindStore<>(inner, 10);
    s.init(new MockProcessorContext<>(config).getStateStoreContext(), s);
    return new Backed(inner, s);
  }

  @Test
  void withFrequentCommitsAFlushOfAnyTasksCachesWritesEveryStoreChangedOnTheThread() {
    // two tasks' stores on one stream thread: the first task's flush sends both, so the thread's
    // producer flush after it carries everything and the second task finds nothing left to send
    Backed first = backed("first", 10);
    Backed other = backed("other", 10);
    try {
      first.store().put("a", "1");
      other.store().put("x", "9");
      first.store().flushCache();
      assertThat(first.inner().get("a")).isEqualTo("1");
      assertThat(other.inner().get("x")).isEqualTo("9");
      assertThat(other.store().dirtyCount()).isZero();

      // listed again after the flush: the next change is written by the next flush too
      other.store().put("x", "10");
      first.store().flushCache();
      assertThat(other.inner().get("x")).isEqualTo("10");
    } finally {
      other.store().close();
      first.store().close();
    }
  }

  @Test
  void aStoreChangedOnAnotherThreadIsLeftToItsOwnFlush() throws Exception {
    Backed first = backed("first", 10);
    Backed other = backed("other", 10);
    try {
      Thread t = new Thread(() -> other.store().put("x", "9"));
      t.start();
      t.join();
      first.store().put("a", "1");
      first.store().flushCache();
      assertThat(first.inner().get("a")).isEqualTo("1");
      assertThat(other.inner().get("x")).isNull();
      assertThat(other.store().dirtyCount()).isEqualTo(1);
      other.store().flushCache(); // its own task's flush still writes its own changes
      assertThat(other.inner().get("x")).isEqualTo("9");
    } finally {
      other.store().close();
      first.store().close();
    }
  }

  @Test
  void aStoreForgottenAfterItChangedWritesNothing() {
    // a task closed dirty (crash, aborted transaction) after changing its store: the change is
    // dropped as before, though the store is still listed for the thread's next flush
    Backed first = backed("first", 10);
    Backed other = backed("other", 10);
    other.store().put("x", "9");
    other.store().clearCache();
    first.store().put("a", "1");
    first.store().flushCache();
    assertThat(first.inner().get("a")).isEqualTo("1");
    assertThat(other.inner().get("x")).isNull();
    other.store().close();
    first.store().close();
  }

  @Test
  void withCommitsOfAHundredMillisecondsOrMoreEachTaskWritesItsOwn() {
    Backed first = backed("first", 100);
    Backed other = backed("other", 100);
    try {
      first.store().put("a", "1");
      other.store().put("x", "9");
      first.store().flushCache();
      assertThat(first.inner().get("a")).isEqualTo("1");
      assertThat(other.inner().get("x")).isNull();
      other.store().flushCache();
      assertThat(other.inner().get("x")).isEqualTo("9");
    } finally {
      other.store().close();
      first.store().close();
    }
  }

  @Test
  void readsTheCommitIntervalStreamsWasGiven() {
    assertThat(WriteBehindLifecycle.commitIntervalMs(java.util.Map.of("commit.interval.ms", 10L)))
        .isEqualTo(10);
    assertThat(WriteBehindLifecycle.commitIntervalMs(java.util.Map.of("commit.interval.ms", "20")))
        .isEqualTo(20);
    // absent or unreadable: the per-task flush
    assertThat(WriteBehindLifecycle.commitIntervalMs(java.util.Map.of()))
        .isEqualTo(WriteBehindLifecycle.THREAD_WIDE_FLUSH_BELOW_MS);
    assertThat(WriteBehindLifecycle.commitIntervalMs(java.util.Map.of("commit.interval.ms", "x")))
        .isEqualTo(WriteBehindLifecycle.THREAD_WIDE_FLUSH_BELOW_MS);
  }
}
