package io.swarmsched.dispatcher.state;

import io.swarmsched.runtime.query.QueryThreads;
import io.swarmsched.runtime.state.WriteBehindLifecycle;
import io.swarmsched.scheduling.resource.Peer;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The task store: tasks kept decoded in memory (a bounded LRU, as the other write-behind stores of
 * the dispatcher), stored as {@link TaskRecords} — a header per task, a record per peer and per
 * waiting request — in a changelogged byte store. A change marks what it changed on the task
 * ({@link StoredTask#changed}, the pending map by itself), and the flush writes only those records
 * and the header if its bytes changed: a decision on a task of 1,000 peers writes the requester's
 * record, not the task.
 *
 * <p>Write-behind exactly as {@code WriteBehindStore} (service-runtime): changed tasks are written
 * to the inner store when Streams flushes store caches at each commit ({@link #flushCache}), before
 * the record collector is flushed and the transaction committed, when a changed task is evicted,
 * and before any scan; a dirty close writes nothing, and the tasks come back from the changelog as
 * of the last commit. The memory is never the only copy past a commit.
 *
 * <p>Interactive queries (IQv2 {@link KeyQuery} and {@link RangeQuery}, and the classic API from
 * threads marked by {@link QueryThreads}) read the inner store, decoding each task from its
 * records: the state as of the last flush. A query that runs during a flush may see some of a
 * task's records before and some after it (a peer's in-edge to a peer already gone is dropped on
 * reading, as is one that would close a cycle).
 *
 * <p>With {@code -Dswarmsched.dispatcher.task-store.verify=true} (the dispatcher's tests) every
 * flush reads each task it wrote back from the inner store and fails if it differs from the task in
 * memory: a change that was not marked fails there.
 */
public final class TaskStore extends WriteBehindLifecycle<StoredTask>
    implements KeyValueStore<String, StoredTask> {
  static final boolean VERIFY = Boolean.getBoolean("swarmsched.dispatcher.task-store.verify");

  private final KeyValueStore<String, byte[]> inner;
  private final int maxEntries;

  /** Task id -> the task as in memory and what the inner store holds of it, in access order. */
  private final LinkedHashMap<String, Cached> cache = new LinkedHashMap<>(1024, 0.75f, true);

  /** Task ids changed since they were last written, in order of change. */
  private final LinkedHashSet<String> dirty = new LinkedHashSet<>();

  private static final class Cached {
    /** Null: no task. */
    StoredTask task;

    /** The header as the inner store holds it; null when it holds none, or an older whole task. */
    byte[] header;

    /** The inner store holds something under the task id (a header or an older whole task). */
    boolean stored;
  }

  public TaskStore(KeyValueStore<String, byte[]> inner, int maxEntries) {
    super(inner);
    if (maxEntries < 1)
      throw new IllegalArgumentException("maxEntries must be >= 1, was " + maxEntries);
    this.inner = inner;
    this.maxEntries = maxEntries;
  }

  public static StoreBuilder<KeyValueStore<String, StoredTask>> builder(
      StoreBuilder<KeyValueStore<String, byte[]>> inner, int maxEntries) {
    return new Builder(inner, maxEntries);
  }

  /** The task store behind the decorators Streams puts around a processor's stores. */
  public static TaskStore of(StateStore store) {
    StateStore s = store;
    while (!(s instanceof TaskStore) && s instanceof WrappedStateStore<?, ?, ?> w) s = w.wrapped();
    if (s instanceof TaskStore t) return t;
    throw new IllegalArgumentException("not a task store: " + store.getClass().getName());
  }

  // ------------------------------------------------------------ reads and writes

  @Override
  public StoredTask get(String taskId) {
    if (QueryThreads.active()) return readStored(taskId); // another thread: never the cache
    Cached c = cache.get(taskId);
    if (c == null) c = load(taskId);
    return c.task;
  }

  /** The task ids of the store (headers only: no task is decoded). */
  public Set<String> taskIds() {
    if (!QueryThreads.active()) flushDirty();
    Set<String> ids = new LinkedHashSet<>();
    try (KeyValueIterator<String, byte[]> it = inner.all()) {
      while (it.hasNext()) {
        String key = it.next().key;
        if (TaskRecords.isHeaderKey(key)) ids.add(key);
      }
    }
    return ids;
  }

  @Override
  public void put(String taskId, StoredTask task) {
    if (task != null && !task.taskId().equals(taskId))
      throw new IllegalArgumentException("task " + task.taskId() + " put under " + taskId);
    Cached c = cache.get(taskId);
    if (c == null) c = load(taskId);
    if (task != null && task != c.task) task.rewrite = true; // not the object the marks are on
    c.task = task;
    dirty.add(taskId);
    changed();
  }

  /** Reads the task from the inner store into the cache (an absent task is remembered too). */
  private Cached load(String taskId) {
    Cached c = new Cached();
    byte[] value = inner.get(taskId);
    if (value != null) {
      c.stored = true;
      if (TaskRecords.isHeader(value)) {
        c.header = value;
        c.task = TaskRecords.read(value, records(taskId));
      } else {
        c.task = TaskRecords.readWhole(value); // an older whole task: rewritten as records
      }
    }
    cache.put(taskId, c);
    if (cache.size() > maxEntries) {
      Iterator<Map.Entry<String, Cached>> it = cache.entrySet().iterator();
      Map.Entry<String, Cached> eldest = it.next();
      if (dirty.remove(eldest.getKey())) write(eldest.getKey(), eldest.getValue());
      it.remove();
    }
    return c;
  }

  private List<Map.Entry<String, byte[]>> records(String taskId) {
    List<Map.Entry<String, byte[]>> records = new ArrayList<>();
    String prefix = TaskRecords.firstRecordKey(taskId);
    try (KeyValueIterator<String, byte[]> it =
        inner.range(prefix, TaskRecords.pastRecordsKey(taskId))) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        if (kv.key.startsWith(prefix)) records.add(new AbstractMap.SimpleEntry<>(kv.key, kv.value));
      }
    }
    return records;
  }

  /** The task as the inner store holds it, not cached. */
  private StoredTask readStored(String taskId) {
    byte[] value = inner.get(taskId);
    if (value == null) return null;
    return TaskRecords.isHeader(value)
        ? TaskRecords.read(value, records(taskId))
        : TaskRecords.readWhole(value);
  }

  // ------------------------------------------------------------ the flush

  /** Writes every changed task's changed records to the inner store (and its changelog). */
  @Override
  public void flushDirty() {
    if (dirty.isEmpty()) return;
    for (String taskId : dirty) write(taskId, cache.get(taskId));
    dirty.clear();
  }

  /** Number of changed tasks not yet written to the inner store. */
  public int dirtyCount() {
    return dirty.size();
  }

  private void write(String taskId, Cached c) {
    StoredTask t = c.task;
    if (t == null) {
      if (c.stored) {
        for (Map.Entry<String, byte[]> r : records(taskId)) inner.delete(r.getKey());
        inner.delete(taskId);
      }
      c.stored = false;
      c.header = null;
      return;
    }
    if (t.rewrite) {
      rewrite(taskId, t, c.stored);
    } else {
      for (String peerId : t.changedPeers) {
        Peer p = t.task().peer(peerId).orElse(null);
        if (p != null) inner.put(TaskRecords.peerKey(taskId, peerId), TaskRecords.peer(t, p));
        else if (c.stored) inner.delete(TaskRecords.peerKey(taskId, peerId));
      }
      writeChanged(
          t.changedPending,
          t.pending,
          id -> TaskRecords.pendingKey(taskId, id),
          TaskRecords::pending,
          c.stored);
      writeChanged(
          t.changedDeparted,
          t.departed,
          id -> TaskRecords.departedKey(taskId, id),
          TaskRecords::departed,
          c.stored);
    }
    byte[] header = TaskRecords.header(t);
    if (c.header == null || !Arrays.equals(header, c.header)) inner.put(taskId, header);
    c.header = header;
    c.stored = true;
    t.written();
    if (VERIFY) verify(taskId, t);
  }

  /** Every record of the task written; records of peers or requests it no longer has deleted. */
  private void rewrite(String taskId, StoredTask t, boolean stored) {
    Set<String> keep = new HashSet<>();
    for (Peer p : t.task().peerList()) {
      String key = TaskRecords.peerKey(taskId, p.peerId());
      keep.add(key);
      inner.put(key, TaskRecords.peer(t, p));
    }
    writeAll(t.pending, id -> TaskRecords.pendingKey(taskId, id), TaskRecords::pending, keep);
    writeAll(t.departed, id -> TaskRecords.departedKey(taskId, id), TaskRecords::departed, keep);
    if (!stored) return;
    for (Map.Entry<String, byte[]> r : records(taskId))
      if (!keep.contains(r.getKey())) inner.delete(r.getKey());
  }

  /**
   * The records of a keyed part of the task (waiting requests, departures) whose keys changed:
   * written, or deleted when the key is gone (and the task was stored before).
   */
  private <V> void writeChanged(
      Set<String> changed,
      Map<String, V> entries,
      Function<String, String> key,
      Function<V, byte[]> value,
      boolean stored) {
    for (String id : changed) {
      V v = entries.get(id);
      if (v != null) inner.put(key.apply(id), value.apply(v));
      else if (stored) inner.delete(key.apply(id));
    }
  }

  /** Every record of a keyed part of the task written, its keys added to {@code keep}. */
  private <V> void writeAll(
      Map<String, V> entries,
      Function<String, String> key,
      Function<V, byte[]> value,
      Set<String> keep) {
    for (Map.Entry<String, V> e : entries.entrySet()) {
      String k = key.apply(e.getKey());
      keep.add(k);
      inner.put(k, value.apply(e.getValue()));
    }
  }

  /** The task as read back from the inner store must be the task in memory. */
  private void verify(String taskId, StoredTask t) {
    String mine = TaskRecords.describe(t);
    String stored = TaskRecords.describe(readStored(taskId));
    if (!mine.equals(stored)) {
      throw new IllegalStateException(
          "task "
              + taskId
              + " in the store differs from memory (a change not marked?)\nmemory: "
              + mine
              + "\nstore:  "
              + stored);
    }
  }

  // ------------------------------------------------------------ scans see every change

  @Override
  public KeyValueIterator<String, StoredTask> range(String from, String to) {
    if (!QueryThreads.active()) flushDirty();
    return new Tasks(
        inner.range(from, to == null ? null : TaskRecords.pastRecordsKey(to)), from, to);
  }

  @Override
  public KeyValueIterator<String, StoredTask> all() {
    if (!QueryThreads.active()) flushDirty();
    return new Tasks(inner.all(), null, null);
  }

  @Override
  public KeyValueIterator<String, StoredTask> reverseRange(String from, String to) {
    throw new UnsupportedOperationException("the task store is read in key order only");
  }

  @Override
  public KeyValueIterator<String, StoredTask> reverseAll() {
    throw new UnsupportedOperationException("the task store is read in key order only");
  }

  @Override
  public <PS extends Serializer<P>, P> KeyValueIterator<String, StoredTask> prefixScan(
      P prefix, PS prefixKeySerializer) {
    throw new UnsupportedOperationException("the task store has no prefix scan");
  }

  /** Approximately the number of records (header, peers and waiting requests), not of tasks. */
  @Override
  public long approximateNumEntries() {
    if (!QueryThreads.active()) flushDirty();
    return inner.approximateNumEntries();
  }

  /**
   * Tasks decoded from the inner store's records in key order: each header with the records after
   * it; records without their header (none are written so) are skipped.
   */
  private static final class Tasks implements KeyValueIterator<String, StoredTask> {
    private final KeyValueIterator<String, byte[]> records;
    private final String from;
    private final String to;
    private KeyValue<String, StoredTask> next;

    Tasks(KeyValueIterator<String, byte[]> records, String from, String to) {
      this.records = records;
      this.from = from;
      this.to = to;
    }

    @Override
    public boolean hasNext() {
      while (next == null && records.hasNext()) {
        KeyValue<String, byte[]> kv = records.next();
        if (!TaskRecords.isHeaderKey(kv.key)) continue; // an orphan record
        if (from != null && kv.key.compareTo(from) < 0 || to != null && kv.key.compareTo(to) > 0)
          continue;
        if (!TaskRecords.isHeader(kv.value)) {
          next = KeyValue.pair(kv.key, TaskRecords.readWhole(kv.value));
          continue;
        }
        String prefix = TaskRecords.firstRecordKey(kv.key);
        List<Map.Entry<String, byte[]>> mine = new ArrayList<>();
        while (true) {
          String k;
          try {
            k = records.peekNextKey();
          } catch (NoSuchElementException e) {
            break;
          }
          if (!k.startsWith(prefix)) break;
          KeyValue<String, byte[]> r = records.next();
          mine.add(new AbstractMap.SimpleEntry<>(r.key, r.value));
        }
        next = KeyValue.pair(kv.key, TaskRecords.read(kv.value, mine));
      }
      return next != null;
    }

    @Override
    public KeyValue<String, StoredTask> next() {
      if (!hasNext()) throw new NoSuchElementException();
      KeyValue<String, StoredTask> n = next;
      next = null;
      return n;
    }

    @Override
    public String peekNextKey() {
      if (!hasNext()) throw new NoSuchElementException();
      return next.key;
    }

    @Override
    public void close() {
      records.close();
    }
  }

  // ------------------------------------------------------------ lifecycle (WriteBehindLifecycle)

  @Override
  protected void forget() {
    cache.clear();
    dirty.clear();
  }

  /** {@link KeyQuery} and {@link RangeQuery} on whole tasks, read from the inner store. */
  @Override
  @SuppressWarnings("unchecked")
  public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
    QueryResult<R> result;
    if (query instanceof KeyQuery<?, ?> q) {
      result = (QueryResult<R>) QueryResult.forResult(readStored((String) q.getKey()));
    } else if (query instanceof RangeQuery<?, ?> q) {
      String from = (String) q.getLowerBound().orElse(null);
      String to = (String) q.getUpperBound().orElse(null);
      KeyValueIterator<String, byte[]> records =
          from == null && to == null
              ? inner.all()
              : inner.range(from, to == null ? null : TaskRecords.pastRecordsKey(to));
      result = (QueryResult<R>) QueryResult.forResult(new Tasks(records, from, to));
    } else {
      return QueryResult.forUnknownQueryType(query, this);
    }
    result.setPosition(inner.getPosition());
    return result;
  }

  // ------------------------------------------------------------ builder

  private static final class Builder implements StoreBuilder<KeyValueStore<String, StoredTask>> {
    private final StoreBuilder<KeyValueStore<String, byte[]>> inner;
    private final int maxEntries;

    Builder(StoreBuilder<KeyValueStore<String, byte[]>> inner, int maxEntries) {
      this.inner = inner;
      this.maxEntries = maxEntries;
    }

    private Builder with(Consumer<StoreBuilder<KeyValueStore<String, byte[]>>> option) {
      option.accept(inner);
      return this;
    }

    @Override
    public Builder withCachingEnabled() {
      return with(StoreBuilder::withCachingEnabled);
    }

    @Override
    public Builder withCachingDisabled() {
      return with(StoreBuilder::withCachingDisabled);
    }

    @Override
    public Builder withLoggingEnabled(Map<String, String> config) {
      return with(b -> b.withLoggingEnabled(config));
    }

    @Override
    public Builder withLoggingDisabled() {
      return with(StoreBuilder::withLoggingDisabled);
    }

    @Override
    public KeyValueStore<String, StoredTask> build() {
      return new TaskStore(inner.build(), maxEntries);
    }

    @Override
    public Map<String, String> logConfig() {
      return inner.logConfig();
    }

    @Override
    public boolean loggingEnabled() {
      return inner.loggingEnabled();
    }

    @Override
    public String name() {
      return inner.name();
    }
  }
}
