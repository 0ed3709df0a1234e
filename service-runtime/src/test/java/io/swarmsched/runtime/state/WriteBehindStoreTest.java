package io.swarmsched.runtime.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
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
    inner =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("s"), Serdes.String(), Serdes.String())
            .withLoggingDisabled()
            .build();
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
}
