package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherTopology.*;

import io.swarmsched.dispatcher.selection.CoreViews;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.topics.Topics;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * The part of the dispatcher's topology that reads the host tables (hosts, scores, host keys):
 * three global stores, each written by a {@link GlobalTableIndexer} that keeps the instance's
 * {@link HostIndex} of decoded views.
 */
final class HostTables {
  private HostTables() {}

  static void addTo(
      Topology topology,
      Serde<HostState> hosts,
      Serde<HostScore> scores,
      Serde<HostKey> hostKeys,
      HostIndex index,
      boolean mem) {
    // global tables are read as bytes and decoded by their processor, which skips what does not
    // decode
    Deserializer<byte[]> raw = Serdes.ByteArray().deserializer();
    topology.addGlobalStore(
        globalStore(HOSTS_STORE, hosts, mem),
        HOSTS_SOURCE,
        raw,
        raw,
        Topics.HOSTS.name(),
        HOSTS_INDEXER,
        () ->
            new GlobalTableIndexer<HostState, HostView>(
                HOSTS_STORE,
                hosts.deserializer(),
                h -> CoreViews.host(h, false),
                index::putHost,
                index::replaceHosts,
                index::hostApplied,
                index::hostPosition));
    topology.addGlobalStore(
        globalStore(HOST_SCORES_STORE, scores, mem),
        HOST_SCORES_SOURCE,
        raw,
        raw,
        Topics.HOST_SCORES.name(),
        HOST_SCORES_INDEXER,
        () ->
            new GlobalTableIndexer<HostScore, ScoreView>(
                HOST_SCORES_STORE,
                scores.deserializer(),
                CoreViews::score,
                index::putScore,
                index::replaceScores,
                index::scoreApplied,
                index::scorePosition));
    topology.addGlobalStore(
        globalStore(HOST_KEYS_STORE, hostKeys, mem),
        HOST_KEYS_SOURCE,
        raw,
        raw,
        Topics.HOST_KEYS.name(),
        HOST_KEYS_INDEXER,
        () ->
            new GlobalTableIndexer<HostKey, HostKey>(
                HOST_KEYS_STORE,
                hostKeys.deserializer(),
                k -> k,
                index::putBinding,
                index::replaceBindings));
  }

  /** Global stores are not changelogged: their topic is the changelog. */
  private static <V> StoreBuilder<TimestampedKeyValueStore<String, V>> globalStore(
      String name, Serde<V> values, boolean inMemory) {
    return Stores.timestampedKeyValueStoreBuilder(
            inMemory
                ? Stores.inMemoryKeyValueStore(name)
                : Stores.persistentTimestampedKeyValueStore(name),
            Serdes.String(),
            values)
        .withLoggingDisabled();
  }
}
