package io.swarmsched.ingest.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.swarmsched.ingest.topology.IngestTopology;
import io.swarmsched.ingest.topology.StoredHost;
import io.swarmsched.runtime.query.KeyQueryRouter;
import io.swarmsched.runtime.query.LocalQueries;
import io.swarmsched.runtime.query.NotQueryableException;
import io.swarmsched.schemas.Liveness;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code swarmsched_hosts{liveness}}: hosts in this instance's active partitions of the host table,
 * by liveness (summed over instances, the swarm's), one series per {@link Liveness} value so an
 * empty state reads 0 rather than missing. Counted from the store at most once a second; while the
 * store is not queryable (rebalancing) the last counts stand.
 */
public final class HostGauges {
  public static final String METRIC = "swarmsched.hosts";
  static final long REFRESH_MS = 1_000;

  private final LocalQueries local;
  private volatile Map<Liveness, Long> counts = new EnumMap<>(Liveness.class);
  private volatile long countedAt;

  HostGauges(LocalQueries local) {
    this.local = local;
  }

  public static HostGauges bind(MeterRegistry registry, KafkaStreams streams, String advertised) {
    HostGauges gauges = new HostGauges(KeyQueryRouter.create(streams, advertised).local());
    for (Liveness l : Liveness.values()) {
      Gauge.builder(METRIC, gauges, g -> g.count(l))
          .description("Hosts in the host table by liveness")
          .strongReference(true) // nothing else holds the gauges object
          .tag("liveness", l.name())
          .register(registry);
    }
    return gauges;
  }

  synchronized double count(Liveness liveness) {
    long now = System.currentTimeMillis();
    if (now - countedAt >= REFRESH_MS) {
      try {
        Map<Liveness, Long> fresh = new EnumMap<>(Liveness.class);
        for (var kv : local.<String, StoredHost>all(IngestTopology.HOST_STORE)) {
          if (kv.value != null) {
            fresh.merge(kv.value.state().getLiveness(), 1L, Long::sum);
          }
        }
        counts = fresh;
        countedAt = now;
      } catch (NotQueryableException e) {
        // rebalancing or restoring: keep the last counts rather than report false zeros
      }
    }
    return counts.getOrDefault(liveness, 0L);
  }
}
