package io.swarmsched.runtime.query;

import java.util.Collection;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;

/**
 * What routing needs from a running Streams application: its state, who owns what, and IQv2. {@link
 * #of(KafkaStreams)} in production; tests give a fake to cover routing without a broker.
 */
public interface StoreAccess {
  KafkaStreams.State state();

  <K> KeyQueryMetadata metadataForKey(String store, K key, Serializer<K> keySerializer);

  Collection<StreamsMetadata> metadataForAllClients();

  <R> StateQueryResult<R> query(StateQueryRequest<R> request);

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
      public <R> StateQueryResult<R> query(StateQueryRequest<R> request) {
        return streams.query(request);
      }
    };
  }
}
