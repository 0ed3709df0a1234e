package io.swarmsched.runtime.state;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle every write-behind store in front of a changelogged store shares ({@link
 * WriteBehindStore}, the dispatcher's task store): what it caches is forgotten when the store is
 * (re)initialised, cleared or closed, and written to the inner store whenever Streams flushes store
 * caches or flushes or commits the store, which under exactly-once is inside the transaction of the
 * records that made the changes (see {@link WriteBehindStore} for the order this relies on).
 * Everything else is the inner store's.
 *
 * <p>One flush for the whole stream thread, when commits are frequent: with {@code
 * commit.interval.ms} under {@link #THREAD_WIDE_FLUSH_BELOW_MS}, a flush of any task's store caches
 * writes every write-behind store changed on that thread, not only the task's own. A commit
 * prepares its tasks one after the other, and each task's preparation flushes its store caches and
 * then waits until the thread's one producer has sent everything (Kafka 4.3 {@code
 * StreamTask.prepareCommit()}): with each task writing its own changes, the dispatcher's stream
 * thread (seven tasks) waited for one round trip to the broker per task, and at a 10 ms interval a
 * commit took 15-22 ms, longer than the interval. Written all at the first task, they go out in
 * that task's round trip and the others find nothing left to send: 7-10 ms (docs/benchmarks.md,
 * "one producer round trip per commit"). Nothing is processed between the preparations, so each
 * store writes what it would have written a moment later, with its own task's context, and under
 * exactly-once in the same transaction: the thread commits all its tasks together. At 100 ms and
 * above each task still writes its own: there the round trips are a small part of the interval, and
 * bursts drained more slowly with one flush for the thread in six paired runs of eight (three of
 * them with a fixed, pre-touched heap, so not because the heap grew), while its latency at a steady
 * 1,000 requests/s was lower (docs/benchmarks.md, "Settled: not the heap").
 *
 * @param <V> the values the store hands out
 */
public abstract class WriteBehindLifecycle<V> implements StateStore, CachedStateStore<String, V> {
  /**
   * Below this {@code commit.interval.ms} one flush writes every write-behind store changed on the
   * thread (see the class comment).
   */
  public static final long THREAD_WIDE_FLUSH_BELOW_MS = 100;

  private static final Logger LOG = LoggerFactory.getLogger(WriteBehindLifecycle.class);

  /** Whether this JVM has said that its write-behind stores flush thread-wide (said once). */
  private static final AtomicBoolean THREAD_WIDE_SAID = new AtomicBoolean();

  /** The write-behind stores changed on this thread since its last flush of store caches. */
  private static final ThreadLocal<ArrayDeque<WriteBehindLifecycle<?>>> CHANGED =
      ThreadLocal.withInitial(ArrayDeque::new);

  private final StateStore innerStore;

  /** In this thread's {@link #CHANGED} list (only the thread that changes the store reads it). */
  private boolean listed;

  /** Whether a flush of any store on the thread writes this one (set at init). */
  private boolean threadWide;

  protected WriteBehindLifecycle(StateStore innerStore) {
    this.innerStore = innerStore;
  }

  /**
   * Subclasses call this whenever they mark an entry dirty, so that the next flush of any task's
   * store caches on this thread writes it ({@link #flushCache}).
   */
  protected final void changed() {
    if (threadWide && !listed) {
      listed = true;
      CHANGED.get().add(this);
    }
  }

  /**
   * Writes every write-behind store changed on the calling thread (see the class comment), in the
   * order they first changed. A store that fails stays listed, with what it has not written.
   */
  static void flushChangedOnThisThread() {
    ArrayDeque<WriteBehindLifecycle<?>> changed = CHANGED.get();
    WriteBehindLifecycle<?> store;
    // flushDirty never marks anything changed, so nothing joins while the list is walked
    while ((store = changed.peekFirst()) != null) {
      store.flushDirty(); // nothing, for a store forgotten (closed dirty) since it changed
      store.listed = false;
      changed.pollFirst();
    }
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
    long commitMs = commitIntervalMs(context.appConfigs());
    threadWide = commitMs < THREAD_WIDE_FLUSH_BELOW_MS;
    if (threadWide && THREAD_WIDE_SAID.compareAndSet(false, true)) {
      LOG.info(
          "write-behind stores flush once per stream thread per commit (commit.interval.ms {} is"
              + " below {})",
          commitMs,
          THREAD_WIDE_FLUSH_BELOW_MS);
    }
    innerStore.init(context, root);
  }

  /** The application's {@code commit.interval.ms}; Streams' exactly-once default when absent. */
  static long commitIntervalMs(Map<String, Object> appConfigs) {
    Object v = appConfigs.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
    if (v instanceof Number n) return n.longValue();
    if (v != null) {
      try {
        return Long.parseLong(v.toString().trim());
      } catch (NumberFormatException e) {
        // Streams itself rejects such a value; keep the per-task flush meanwhile
      }
    }
    return THREAD_WIDE_FLUSH_BELOW_MS;
  }

  @Override
  public void flushCache() {
    if (threadWide) flushChangedOnThisThread();
    flushDirty(); // this task's own (all of them when the flush is not thread-wide)
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
