package io.swarmsched.dispatcher.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.state.HostIndex;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The global stores' processor keeps the store and the index in step, including what is already in
 * the store.
 */
class GlobalTableIndexerTest {
  private static final String STORE = "test-global";

  private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
  private final Map<String, String> index = new TreeMap<>();
  private TimestampedKeyValueStore<String, String> store;

  @BeforeEach
  void setUp() {
    store =
        Stores.timestampedKeyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(STORE), Serdes.String(), Serdes.String())
            .withLoggingDisabled()
            .build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
  }

  private GlobalTableIndexer<String, String> indexer() {
    return new GlobalTableIndexer<>(
        STORE,
        (topic, bytes) -> {
          String v = new String(bytes, StandardCharsets.UTF_8);
          if (v.equals("undecodable")) throw new SerializationException("Unknown magic byte 0x75");
          return v;
        },
        v -> {
          if (v.equals("poison")) throw new IllegalArgumentException("cannot decode");
          return "view:" + v;
        },
        (k, v) -> {
          if (v == null) index.remove(k);
          else index.put(k, v);
        },
        all -> {
          index.clear();
          index.putAll(all);
        });
  }

  @Test
  void initIndexesWhatTheStoreAlreadyHoldsAndForgetsWhatItDoesNot() {
    store.put("h1", ValueAndTimestamp.make("a", 1));
    store.put("h2", ValueAndTimestamp.make("b", 2));
    index.put("stale", "view:x");

    indexer().init(context);

    assertThat(index).containsExactly(Map.entry("h1", "view:a"), Map.entry("h2", "view:b"));
  }

  @Test
  void recordsAndTombstonesUpdateBothTheStoreAndTheIndex() {
    GlobalTableIndexer<String, String> p = indexer();
    p.init(context);
    p.process(record("h1", "a", 10));
    p.process(record("h2", "b", 11));
    p.process(record("h1", null, 12));

    assertThat(store.get("h1")).isNull();
    assertThat(store.get("h2")).isEqualTo(ValueAndTimestamp.make("b", 11));
    assertThat(index).containsExactly(Map.entry("h2", "view:b"));
  }

  private static Record<byte[], byte[]> record(String key, String value, long ts) {
    return record(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, ts);
  }

  private static Record<byte[], byte[]> record(byte[] key, String value, long ts) {
    return new Record<>(key, value == null ? null : value.getBytes(StandardCharsets.UTF_8), ts);
  }

  @Test
  void aRecordWithoutKeyIsDroppedAndOneThatCannotBeIndexedIsAbsentFromTheIndex() {
    GlobalTableIndexer<String, String> p = indexer();
    p.init(context);
    p.process(record("h1", "a", 10));
    p.process(record((String) null, "b", 11));
    p.process(record("h1", "poison", 12));

    assertThat(index).isEmpty();
    assertThat(store.approximateNumEntries()).isEqualTo(1);
  }

  @Test
  void aRecordThatCannotBeDecodedOrHasANonUtf8KeyIsSkippedAndCountedAndTheEntryKeepsItsValue() {
    GlobalTableIndexer<String, String> p = indexer();
    p.init(context);
    p.process(record("h1", "a", 10));
    p.process(record("h1", "undecodable", 11));
    p.process(record(new byte[] {(byte) 0xff, (byte) 0xfe}, "b", 12));
    p.process(record("h2", "c", 13));

    assertThat(p.skipped()).isEqualTo(2);
    assertThat(store.get("h1")).isEqualTo(ValueAndTimestamp.make("a", 10));
    assertThat(index).containsExactly(Map.entry("h1", "view:a"), Map.entry("h2", "view:c"));
  }

  @Test
  void everyRecordTakenAdvancesItsPartitionsPositionEvenWhenSkipped() {
    HostIndex hosts = new HostIndex();
    GlobalTableIndexer<String, String> p =
        new GlobalTableIndexer<>(
            STORE,
            (topic, bytes) -> {
              String v = new String(bytes, StandardCharsets.UTF_8);
              if (v.equals("undecodable")) throw new SerializationException("bad");
              return v;
            },
            v -> v,
            (k, v) -> {},
            all -> {},
            hosts::hostApplied,
            hosts::hostPosition);
    p.init(context);
    assertThat(hosts.hostsPositions()).isEmpty();

    context.setRecordMetadata("swarm.hosts.v1", 2, 40);
    p.process(record("h1", "a", 10));
    context.setRecordMetadata("swarm.hosts.v1", 0, 7);
    p.process(record("h2", "undecodable", 11));
    context.setRecordMetadata("swarm.hosts.v1", 2, 41);
    p.process(record((String) null, "b", 12));

    // the offset after the last record taken per partition; -1 where none was (partition 1)
    assertThat(hosts.hostsPositions()).containsExactly(8L, -1L, 42L);
    assertThat(hosts.hostVersion("h1")).isEqualTo(10);
  }
}
