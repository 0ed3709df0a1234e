package io.swarmsched.runtime.state;

import io.swarmsched.runtime.query.QueryThreads;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A bounded LRU of decoded values in front of a changelogged key-value store, for values that are
 * read and changed on nearly every record (a task's state, a host's ledger and health).
 *
 * <p>Reads are served from memory; a miss reads the store once (an absent key is remembered too).
 * Writes change the object in memory and mark the key dirty; dirty keys are written to the inner
 * store — and so to its changelog — when Streams flushes store caches ({@link #flushCache}), when a
 * dirty entry is evicted, and before any scan. This is the same write-behind as Kafka's own record
 * cache, through the same hook: on every commit a task first calls {@code flushCache()} on each
 * {@link CachedStateStore}, then flushes its record collector, and only then commits the
 * transaction (Kafka 4.3 {@code StreamTask.flush()}/{@code prepareCommit()}; {@code
 * WriteBehindFlushOrderTest} fails if an upgrade changes that order). So under exactly-once the
 * changelog records of every change are in the same transaction as the input offsets and the
 * outputs of the records that made them. On a dirty close (a crash, or an aborted transaction)
 * nothing is written, and the state is restored from the changelog as it was at the last commit, as
 * without the cache.
 *
 * <p>Interactive queries read the inner store: the state as of the last commit. That holds for IQv2
 * ({@link #query}) and for the classic API, whose calls come from HTTP threads marked by {@link
 * QueryThreads}: those never touch the cache, which only the stream thread uses. Values handed out
 * are the cached objects: callers must {@code put} a value after changing it.
 */
public final class WriteBehindStore<V> extends WriteBehindLifecycle<V>
    implements KeyValueStore<String, V> {
  private static final Object ABSENT = new Object();

  private final KeyValueStore<String, V> inner;
  private final int maxEntries;

  /** Key -> value (or ABSENT), in access order. */
  private final LinkedHashMap<String, Object> cache = new LinkedHashMap<>(1024, 0.75f, true);

  /** Keys changed since they were last written to the inner store, in order of change. */
  private final LinkedHashMap<String, Boolean> dirty = new LinkedHashMap<>();

  public WriteBehindStore(KeyValueStore<String, V> inner, int maxEntries) {
    super(inner);
    if (maxEntries < 1)
      throw new IllegalArgumentException("maxEntries must be >= 1, was " + maxEntries);
    this.inner = inner;
    this.maxEntries = maxEntries;
  }

  /** A builder of the standard store, wrapped. */
  public static <V> StoreBuilder<KeyValueStore<String, V>> builder(
      StoreBuilder<KeyValueStore<String, V>> inner, int maxEntries) {
    return new WriteBehindStoreBuilder<>(inner, maxEntries);
  }

  // ------------------------------------------------------------ reads and writes

  @Override
  @SuppressWarnings("unchecked")
  public V get(String key) {
    if (QueryThreads.active()) return inner.get(key); // another thread: never the cache
    Object v = cache.get(key);
    if (v == null) {
      V stored = inner.get(key);
      remember(key, stored == null ? ABSENT : stored);
      return stored;
    }
    return v == ABSENT ? null : (V) v;
  }

  @Override
  public void put(String key, V value) {
    remember(key, value == null ? ABSENT : value);
    dirty.put(key, Boolean.TRUE);
    changed();
  }

  private void remember(String key, Object value) {
    cache.put(key, value);
    if (cache.size() > maxEntries) {
      Iterator<Map.Entry<String, Object>> it = cache.entrySet().iterator();
      Map.Entry<String, Object> eldest = it.next();
      if (dirty.remove(eldest.getKey()) != null) write(eldest.getKey(), eldest.getValue());
      it.remove();
    }
  }

  @SuppressWarnings("unchecked")
  private void write(String key, Object value) {
    if (value == ABSENT) {
      inner.delete(key);
    } else {
      inner.put(key, (V) value);
    }
  }

  /** Writes every dirty entry to the inner store (and its changelog), oldest change first. */
  @Override
  public void flushDirty() {
    if (dirty.isEmpty()) return;
    for (String key : dirty.keySet()) {
      Object v = cache.get(key);
      write(key, v == null ? ABSENT : v);
    }
    dirty.clear();
  }

  /** Number of changed keys not yet written to the inner store. */
  public int dirtyCount() {
    return dirty.size();
  }

  // ------------------------------------------------------------ scans see every change

  @Override
  public KeyValueIterator<String, V> range(String from, String to) {
    if (!QueryThreads.active()) flushDirty();
    return inner.range(from, to);
  }

  @Override
  public KeyValueIterator<String, V> reverseRange(String from, String to) {
    if (!QueryThreads.active()) flushDirty();
    return inner.reverseRange(from, to);
  }

  @Override
  public KeyValueIterator<String, V> all() {
    if (!QueryThreads.active()) flushDirty();
    return inner.all();
  }

  @Override
  public KeyValueIterator<String, V> reverseAll() {
    if (!QueryThreads.active()) flushDirty();
    return inner.reverseAll();
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(
      P prefix, PS prefixKeySerializer) {
    flushDirty();
    return inner.prefixScan(prefix, prefixKeySerializer);
  }

  @Override
  public long approximateNumEntries() {
    if (!QueryThreads.active()) flushDirty();
    return inner.approximateNumEntries();
  }

  // ------------------------------------------------------------ lifecycle (WriteBehindLifecycle)

  @Override
  protected void forget() {
    cache.clear();
    dirty.clear();
  }

  @Override
  public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
    return inner.query(query, positionBound, config);
  }
}
