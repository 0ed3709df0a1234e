package io.swarmsched.runtime.query;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Runs an IQv2 {@link KeyQuery} or {@link RangeQuery} on one partition through the classic
 * interactive-query API, which locks only the store (see {@link StoreAccess}). Like an IQv2 request
 * with {@code requireActive()}, only an active task's store answers; while the partition is not
 * queryable here (rebalancing, restoring, moved) the result is a failure that callers treat as "not
 * right now".
 */
final class ClassicQueries {
  private ClassicQueries() {}

  @SuppressWarnings("unchecked")
  static <R> QueryResult<R> run(KafkaStreams streams, StateQueryRequest<R> request, int partition) {
    String name = request.getStoreName();
    try {
      ReadOnlyKeyValueStore<Object, Object> store =
          streams.store(
              StoreQueryParameters.fromNameAndType(
                      name, QueryableStoreTypes.<Object, Object>keyValueStore())
                  .withPartition(partition));
      if (request.getQuery() instanceof KeyQuery<?, ?> key) {
        Object value = QueryThreads.run(() -> store.get(key.getKey()));
        return (QueryResult<R>) QueryResult.forResult(value);
      }
      if (request.getQuery() instanceof RangeQuery<?, ?> range) {
        Object from = range.getLowerBound().orElse(null);
        Object to = range.getUpperBound().orElse(null);
        // The classic API's composite store opens each store's iterator lazily, on the first
        // hasNext(), so every call on it runs marked too, not only this one.
        KeyValueIterator<Object, Object> iterator =
            QueryThreads.run(
                () -> from == null && to == null ? store.all() : store.range(from, to));
        return (QueryResult<R>) QueryResult.forResult(new Marked<>(iterator));
      }
      return QueryResult.forFailure(
          FailureReason.UNKNOWN_QUERY_TYPE,
          "only key and range queries are supported, not " + request.getQuery().getClass());
    } catch (InvalidStateStoreException e) {
      // not running yet, rebalancing, migrated, or not (yet) on this instance
      return QueryResult.forFailure(FailureReason.NOT_ACTIVE, e.getMessage());
    }
  }

  /**
   * An iterator whose every call runs as an interactive query ({@link QueryThreads}). Kafka's
   * {@code CompositeReadOnlyKeyValueStore} calls the store's {@code all()} or {@code range()} only
   * when its iterator is first advanced, i.e. after {@link #run} has returned, on the caller's
   * thread: unmarked, the dispatcher's task store took that thread for its stream thread and
   * flushed its write-behind cache from it, racing the stream thread, which lost the last changes
   * of a task (a peer left RUNNING after its SUCCEEDED event was processed and committed).
   */
  static final class Marked<K, V> implements KeyValueIterator<K, V> {
    private final KeyValueIterator<K, V> inner;

    Marked(KeyValueIterator<K, V> inner) {
      this.inner = inner;
    }

    @Override
    public boolean hasNext() {
      return QueryThreads.run(inner::hasNext);
    }

    @Override
    public KeyValue<K, V> next() {
      return QueryThreads.run(inner::next);
    }

    @Override
    public K peekNextKey() {
      return QueryThreads.run(inner::peekNextKey);
    }

    @Override
    public void close() {
      QueryThreads.run(
          () -> {
            inner.close();
            return null;
          });
    }
  }
}
