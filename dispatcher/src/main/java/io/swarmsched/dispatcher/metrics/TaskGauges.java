package io.swarmsched.dispatcher.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.runtime.query.KeyQueryRouter;
import io.swarmsched.runtime.query.LocalQueries;
import io.swarmsched.runtime.query.NotQueryableException;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code swarmsched_back_to_source_peers}: peers in state BACK_TO_SOURCE over the tasks of this
 * instance's active partitions (summed over instances, it is the swarm's), read from the task store
 * with interactive queries as of the last commit. A scan per scrape is cheap at the scrape
 * interval; while the store is not queryable (rebalancing) the last value stands.
 */
public final class TaskGauges {
  public static final String BACK_TO_SOURCE_PEERS = "swarmsched.back.to.source.peers";

  private final LocalQueries local;
  private volatile double lastBackToSource;

  TaskGauges(LocalQueries local) {
    this.local = local;
  }

  public static TaskGauges bind(MeterRegistry registry, KafkaStreams streams, String advertised) {
    TaskGauges gauges = new TaskGauges(KeyQueryRouter.create(streams, advertised).local());
    Gauge.builder(BACK_TO_SOURCE_PEERS, gauges, TaskGauges::backToSourcePeers)
        .description(
            "Peers downloading from the source (state BACK_TO_SOURCE) in this instance's tasks")
        .strongReference(true) // nothing else holds the gauges object
        .register(registry);
    return gauges;
  }

  double backToSourcePeers() {
    try {
      long n = 0;
      for (var kv : local.<String, StoredTask>all(DispatcherTopology.TASKS_STORE)) {
        if (kv.value != null) {
          n += kv.value.task().backToSourceCount();
        }
      }
      lastBackToSource = n;
    } catch (NotQueryableException e) {
      // rebalancing or restoring: keep the last value rather than report a false zero
    }
    return lastBackToSource;
  }
}
