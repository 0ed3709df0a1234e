package io.swarmsched.dispatcher.topology;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state-update processor of one global table: writes the store, as the global KTable did (a null value
 * deletes), and keeps the instance's {@link io.swarmsched.dispatcher.state.HostIndex} in step with it.
 *
 * <p>Start-up: {@link #init} loads the index from the whole store, so the part of the table restored from the
 * local checkpoint (which Streams does not replay through the processor) is indexed too; what Streams replays
 * after the checkpoint, and everything live, goes through {@link #process}.
 */
final class GlobalTableIndexer<V, W> implements Processor<String, V, Void, Void> {
  private static final Logger log = LoggerFactory.getLogger(GlobalTableIndexer.class);

  private final String storeName;
  private final Function<V, W> decode;
  private final BiConsumer<String, W> put;
  private final Consumer<Map<String, W>> replaceAll;
  private TimestampedKeyValueStore<String, V> store;

  GlobalTableIndexer(String storeName, Function<V, W> decode, BiConsumer<String, W> put,
      Consumer<Map<String, W>> replaceAll) {
    this.storeName = storeName;
    this.decode = decode;
    this.put = put;
    this.replaceAll = replaceAll;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
    Map<String, W> all = new HashMap<>();
    try (KeyValueIterator<String, ValueAndTimestamp<V>> it = store.all()) {
      while (it.hasNext()) {
        var kv = it.next();
        W view = view(kv.key, kv.value == null ? null : kv.value.value());
        if (view != null) all.put(kv.key, view);
      }
    }
    replaceAll.accept(all);
    log.info("{}: indexed {} entries from the store", storeName, all.size());
  }

  @Override
  public void process(Record<String, V> record) {
    if (record.key() == null) return; // as the global KTable: a record without a key is dropped
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), ValueAndTimestamp.make(record.value(), record.timestamp()));
    }
    put.accept(record.key(), view(record.key(), record.value()));
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
