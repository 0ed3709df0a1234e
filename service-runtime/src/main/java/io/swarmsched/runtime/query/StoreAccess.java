package io.swarmsched.runtime.query;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;

/**
 * What routing needs from a running Streams application: its state, who owns what, and key and
 * range queries in IQv2's shapes. {@link #of(KafkaStreams)} in production; tests give a fake to
 * cover routing without a broker.
 *
 * <p>{@link #of(KafkaStreams)} answers {@link KeyQuery} and {@link RangeQuery} through the classic
 * interactive-query API ({@code KafkaStreams.store}), not through {@code KafkaStreams.query}: in
 * Kafka Streams 4.3 an IQv2 query on a RocksDB store locks the store's position and then the store,
 * while the stream thread's {@code put} locks the store and then the position, so a query during
 * writes can deadlock the stream thread for good (KAFKA-19629, fixed in Kafka 4.4.0;
 * QueriesDuringWritesTest reproduces it). The classic path takes only the store's lock.
 */
public interface StoreAccess {
  KafkaStreams.State state();

  <K> KeyQueryMetadata metadataForKey(String store, K key, Serializer<K> keySerializer);

  Collection<StreamsMetadata> metadataForAllClients();

  <R> StateQueryResult<R> query(StateQueryRequest<R> request);

  /**
   * The partitions of {@code store} whose active task is assigned to {@code self} (running or still
   * restoring). This default reads the partitions of every topic {@code self} consumes, which is
   * right only for an application with one sub-topology; {@link #of(KafkaStreams)} asks Streams'
   * routing metadata about each of the store's own partitions.
   */
  default Set<Integer> activePartitions(String store, HostInfo self) {
    Set<Integer> partitions = new TreeSet<>();
    for (StreamsMetadata metadata : metadataForAllClients()) {
      if (self.equals(metadata.hostInfo())) {
        metadata.topicPartitions().forEach(tp -> partitions.add(tp.partition()));
      }
    }
    return partitions;
  }

  static StoreAccess of(KafkaStreams streams) {
    return new StoreAccess() {
      @Override
      public KafkaStreams.State state() {
        return streams.state();
      }

      @Override
      public <K> KeyQueryMetadata metadataForKey(String store, K key, Serializer<K> keySerializer) {
        return streams.queryMetadataForKey(store, key, keySerializer);
      }

      @Override
      public Collection<StreamsMetadata> metadataForAllClients() {
        return streams.metadataForAllStreamsClients();
      }

      @Override
      public Set<Integer> activePartitions(String store, HostInfo self) {
        // A store lives in one sub-topology, whose tasks are not placed with those of the others
        // on the same partition number; Streams' routing metadata answers per store, for a key,
        // through a partitioner: this one names each partition in turn and learns their count.
        int[] count = {1};
        Set<Integer> partitions = new TreeSet<>();
        for (int p = 0; p < count[0]; p++) {
          int partition = p;
          KeyQueryMetadata owner =
              streams.queryMetadataForKey(
                  store,
                  "",
                  (topic, key, value, numPartitions) -> {
                    count[0] = numPartitions;
                    return Optional.of(Set.of(partition));
                  });
          if (owner == null) {
            throw new NotQueryableException("store " + store + " is not known to this instance");
          }
          if (KeyQueryMetadata.NOT_AVAILABLE.equals(owner)) {
            throw new NotQueryableException(
                "store " + store + " partition " + p + " has no owner yet (rebalancing)");
          }
          if (self.equals(owner.activeHost())) partitions.add(p);
        }
        return partitions;
      }

      @Override
      public <R> StateQueryResult<R> query(StateQueryRequest<R> request) {
        if (request.isAllPartitions()) {
          throw new IllegalArgumentException("name the partitions to query (withPartitions)");
        }
        StateQueryResult<R> result = new StateQueryResult<>();
        for (int partition : request.getPartitions()) {
          result.addResult(partition, ClassicQueries.run(streams, request, partition));
        }
        return result;
      }
    };
  }
}
