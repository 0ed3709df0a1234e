package io.swarmsched.runtime.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * IQv2 against this instance's active partitions of a key-value store (plain or timestamped: on a
 * timestamped store, {@link KeyQuery} and {@link RangeQuery} return the plain value). Every "not
 * right now" outcome (rebalancing, restoring, standby only) is a {@link NotQueryableException}; a
 * store error is an {@link IllegalStateException}.
 */
public final class LocalQueries {
  private final StoreAccess access;
  private final HostInfo self;

  public LocalQueries(StoreAccess access, HostInfo self) {
    this.access = access;
    this.self = self;
  }

  /** The value of {@code key} in {@code partition} of {@code store}, which must be active here. */
  public <K, V> Optional<V> get(String store, K key, int partition) {
    StateQueryRequest<V> request =
        StateQueryRequest.inStore(store)
            .withQuery(KeyQuery.<K, V>withKey(key))
            .withPartitions(Set.of(partition))
            .requireActive();
    QueryResult<V> result = run(request).getPartitionResults().get(partition);
    if (result == null) {
      throw new NotQueryableException(
          "partition " + partition + " of store " + store + " is not on this instance");
    }
    return Optional.ofNullable(successful(store, partition, result));
  }

  /** Every entry of {@code store} in the partitions this instance holds actively. */
  public <K, V> List<KeyValue<K, V>> all(String store) {
    return all(store, activePartitions(store));
  }

  /** Every entry of {@code store} in {@code partitions}, each of which must be active here. */
  public <K, V> List<KeyValue<K, V>> all(String store, Set<Integer> partitions) {
    List<KeyValue<K, V>> entries = new ArrayList<>();
    if (partitions.isEmpty()) {
      return entries;
    }
    StateQueryRequest<KeyValueIterator<K, V>> request =
        StateQueryRequest.inStore(store)
            .withQuery(RangeQuery.<K, V>withNoBounds())
            .withPartitions(partitions)
            .requireActive();
    StateQueryResult<KeyValueIterator<K, V>> result = run(request);
    for (int partition : partitions) {
      QueryResult<KeyValueIterator<K, V>> partitionResult =
          result.getPartitionResults().get(partition);
      if (partitionResult == null) {
        throw new NotQueryableException(
            "partition " + partition + " of store " + store + " did not answer");
      }
      try (KeyValueIterator<K, V> iterator = successful(store, partition, partitionResult)) {
        iterator.forEachRemaining(entries::add);
      }
    }
    return entries;
  }

  /**
   * The partitions of {@code store} whose active task is assigned to this instance (running or
   * still restoring: a query on a restoring one is a {@link NotQueryableException}).
   */
  public Set<Integer> activePartitions(String store) {
    requireRunning();
    try {
      return access.activePartitions(store, self);
    } catch (StreamsException e) {
      throw new NotQueryableException("store " + store + " has no routing metadata yet: " + e, e);
    }
  }

  private void requireRunning() {
    KafkaStreams.State state = access.state();
    if (state != KafkaStreams.State.RUNNING) {
      throw new NotQueryableException("streams application is " + state);
    }
  }

  private <R> StateQueryResult<R> run(StateQueryRequest<R> request) {
    try {
      return access.query(request);
    } catch (StreamsException e) {
      throw new NotQueryableException(
          "store " + request.getStoreName() + " is not queryable: " + e.getMessage(), e);
    }
  }

  private static <R> R successful(String store, int partition, QueryResult<R> result) {
    if (result.isSuccess()) {
      return result.getResult();
    }
    FailureReason reason = result.getFailureReason();
    String message =
        "store "
            + store
            + " partition "
            + partition
            + ": "
            + reason
            + " ("
            + result.getFailureMessage()
            + ")";
    if (reason == FailureReason.STORE_EXCEPTION || reason == FailureReason.UNKNOWN_QUERY_TYPE) {
      throw new IllegalStateException(message);
    }
    throw new NotQueryableException(message);
  }
}
