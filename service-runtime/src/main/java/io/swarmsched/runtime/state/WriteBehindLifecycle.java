package io.swarmsched.runtime.state;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * The lifecycle every write-behind store in front of a changelogged store shares ({@link
 * WriteBehindStore}, the dispatcher's task store): what it caches is forgotten when the store is
 * (re)initialised, cleared or closed, and written to the inner store whenever Streams flushes store
 * caches or flushes or commits the store, which under exactly-once is inside the transaction of the
 * records that made the changes (see {@link WriteBehindStore} for the order this relies on).
 * Everything else is the inner store's.
 *
 * @param <V> the values the store hands out
 */
public abstract class WriteBehindLifecycle<V> implements StateStore, CachedStateStore<String, V> {
  private final StateStore innerStore;

  protected WriteBehindLifecycle(StateStore innerStore) {
    this.innerStore = innerStore;
  }

  /** Writes every changed entry to the inner store. */
  protected abstract void flushDirty();

  /** Forgets every cached and changed entry without writing it. */
  protected abstract void forget();

  /** The value of {@code key}, from the cache or, on a miss, the inner store. */
  public abstract V get(String key);

  /** Changes {@code key} in the cache and marks it for the next flush; null deletes. */
  public abstract void put(String key, V value);

  public V putIfAbsent(String key, V value) {
    V old = get(key);
    if (old == null) put(key, value);
    return old;
  }

  public void putAll(List<KeyValue<String, V>> entries) {
    for (KeyValue<String, V> kv : entries) put(kv.key, kv.value);
  }

  public V delete(String key) {
    V old = get(key);
    put(key, null);
    return old;
  }

  @Override
  public String name() {
    return innerStore.name();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    forget();
    innerStore.init(context, root);
  }

  @Override
  public void flushCache() {
    flushDirty();
  }

  @Override
  public void clearCache() {
    forget();
  }

  @Override
  public boolean setFlushListener(CacheFlushListener<String, V> listener, boolean sendOldValues) {
    return false;
  }

  @Override
  @SuppressWarnings("deprecation")
  public void flush() {
    flushDirty();
    innerStore.flush();
  }

  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    flushDirty();
    innerStore.commit(changelogOffsets);
  }

  @Override
  public boolean managesOffsets() {
    return innerStore.managesOffsets();
  }

  @Override
  public Long committedOffset(TopicPartition partition) {
    return innerStore.committedOffset(partition);
  }

  @Override
  public void close() {
    // A clean close comes after a commit (nothing dirty); a dirty close must not write.
    forget();
    innerStore.close();
  }

  @Override
  public boolean persistent() {
    return innerStore.persistent();
  }

  @Override
  public boolean isOpen() {
    return innerStore.isOpen();
  }

  @Override
  public Position getPosition() {
    return innerStore.getPosition();
  }
}
