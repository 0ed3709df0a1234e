package io.swarmsched.dispatcher.topology;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ObjLongConsumer;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state-update processor of one global table: writes the store, as the global KTable did (a
 * null value deletes), and keeps the instance's {@link io.swarmsched.dispatcher.state.HostIndex} in
 * step with it.
 *
 * <p>It reads the topic as bytes and decodes here, because Streams' deserialization handler cannot
 * run on the global thread (its dead-letter response needs a record collector the global context
 * does not have: one bad record put the application into ERROR, and as the record stays in the
 * compacted topic every restart failed the same way, issue 13 finding 2). A record whose key is not
 * UTF-8 or whose value does not decode is skipped: logged with its coordinates and counted in
 * {@value #SKIPPED_METRIC} (group {@value #METRIC_GROUP}), and the entry keeps its previous value.
 * It is not dead-lettered from here: every dispatcher instance reads the whole table, and on every
 * restore, so each would dead-letter it again; {@code swarm.hosts.v1} is dead-lettered once by
 * scoring-streams, which consumes it as a stream.
 *
 * <p>Start-up: {@link #init} loads the index from the whole store, so the part of the table
 * restored from the local checkpoint (which Streams does not replay through the processor) is
 * indexed too; what Streams replays after the checkpoint, and everything live, goes through {@link
 * #process}.
 */
final class GlobalTableIndexer<V, W> implements Processor<byte[], byte[], Void, Void> {
  private static final Logger log = LoggerFactory.getLogger(GlobalTableIndexer.class);
  static final String METRIC_GROUP = "dispatcher-global-table-metrics";
  static final String SKIPPED_METRIC = "skipped-records-total";

  private final String storeName;
  private final Deserializer<V> values;
  private Sensor skipped;
  private long skippedCount;
  private final Function<V, W> decode;
  private final BiConsumer<String, W> put;
  private final Consumer<Map<String, W>> replaceAll;
  private final ObjLongConsumer<String> applied;
  private final Position position;
  private TimestampedKeyValueStore<String, V> store;
  private ProcessorContext<Void, Void> context;

  GlobalTableIndexer(
      String storeName,
      Deserializer<V> values,
      Function<V, W> decode,
      BiConsumer<String, W> put,
      Consumer<Map<String, W>> replaceAll) {
    this(storeName, values, decode, put, replaceAll, (key, timestamp) -> {}, (p, o) -> {});
  }

  /**
   * Learns the topic partition and offset of every record taken (for the decisions' provenance).
   */
  @FunctionalInterface
  interface Position {
    void applied(int partition, long offset);
  }

  /**
   * As above; {@code applied} learns the timestamp of every record applied (and of every entry
   * loaded at start-up), and {@code position} the partition and offset of every record taken, for
   * the decisions' provenance.
   */
  GlobalTableIndexer(
      String storeName,
      Deserializer<V> values,
      Function<V, W> decode,
      BiConsumer<String, W> put,
      Consumer<Map<String, W>> replaceAll,
      ObjLongConsumer<String> applied,
      Position position) {
    this.applied = applied;
    this.position = position;
    this.storeName = storeName;
    this.values = values;
    this.decode = decode;
    this.put = put;
    this.replaceAll = replaceAll;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    store = context.getStateStore(storeName);
    skipped = context.metrics().addSensor(storeName + "-skipped", Sensor.RecordingLevel.INFO);
    skipped.add(
        new MetricName(
            SKIPPED_METRIC,
            METRIC_GROUP,
            "Records of the global table that could not be decoded and were skipped",
            Map.of("store", storeName)),
        new CumulativeCount());
    Map<String, W> all = new HashMap<>();
    try (KeyValueIterator<String, ValueAndTimestamp<V>> it = store.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        W view = view(kv.key, kv.value == null ? null : kv.value.value());
        if (view != null) all.put(kv.key, view);
        if (kv.value != null) applied.accept(kv.key, kv.value.timestamp());
      }
    }
    replaceAll.accept(all);
    log.info("{}: indexed {} entries from the store", storeName, all.size());
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    try {
      apply(record);
    } finally {
      // every record taken counts, applied or skipped: a replay presents the table as of it
      context.recordMetadata().ifPresent(m -> position.applied(m.partition(), m.offset()));
    }
  }

  private void apply(Record<byte[], byte[]> record) {
    if (record.key() == null) return; // as the global KTable: a record without a key is dropped
    String key;
    try {
      key =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(record.key()))
              .toString();
    } catch (CharacterCodingException e) {
      skip(null, "the key is not valid UTF-8");
      return;
    }
    if (record.value() == null) {
      store.delete(key);
      put.accept(key, null);
      applied.accept(key, record.timestamp());
      return;
    }
    V value;
    try {
      value =
          values.deserialize(
              context.recordMetadata().map(m -> m.topic()).orElse(storeName),
              record.headers(),
              record.value());
    } catch (RuntimeException e) {
      skip(key, e.getMessage());
      return;
    }
    store.put(key, ValueAndTimestamp.make(value, record.timestamp()));
    put.accept(key, view(key, value));
    applied.accept(key, record.timestamp());
  }

  /** Records not decoded so far by this processor (the metric counts the same). */
  long skipped() {
    return skippedCount;
  }

  private void skip(String key, String why) {
    skippedCount++;
    skipped.record();
    String where =
        context
            .recordMetadata()
            .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
            .orElse("?");
    log.warn("{}: skipping record {} of key '{}': {}", storeName, where, key, why);
  }

  private W view(String key, V value) {
    if (value == null) return null;
    try {
      return decode.apply(value);
    } catch (RuntimeException e) {
      log.error("{}: cannot index the record of key '{}', treated as absent", storeName, key, e);
      return null;
    }
  }
}
