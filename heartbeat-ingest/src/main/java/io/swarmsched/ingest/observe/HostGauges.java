package io.swarmsched.ingest.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.swarmsched.ingest.topology.IngestTopology;
import io.swarmsched.ingest.topology.StoredHost;
import io.swarmsched.runtime.query.KeyQueryRouter;
import io.swarmsched.runtime.query.LocalQueries;
import io.swarmsched.runtime.query.NotQueryableException;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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

  /** The host table's values; throws {@link NotQueryableException} while it cannot be read. */
  private final Supplier<List<HostState>> hosts;

  private final long refreshMs;
  private volatile Map<Liveness, Long> counts = new EnumMap<>(Liveness.class);
  private volatile long countedAt;

  HostGauges(Supplier<List<HostState>> hosts, long refreshMs) {
    this.hosts = hosts;
    this.refreshMs = refreshMs;
  }

  public static HostGauges bind(MeterRegistry registry, KafkaStreams streams, String advertised) {
    LocalQueries local = KeyQueryRouter.create(streams, advertised).local();
    return new HostGauges(
            () ->
                local.<String, StoredHost>all(IngestTopology.HOST_STORE).stream()
                    .map(kv -> kv.value == null ? null : kv.value.state())
                    .toList(),
            REFRESH_MS)
        .register(registry);
  }

  /** One gauge per liveness value on {@code registry}. */
  HostGauges register(MeterRegistry registry) {
    for (Liveness l : Liveness.values()) {
      Gauge.builder(METRIC, this, g -> g.count(l))
          .description("Hosts in the host table by liveness")
          .strongReference(true) // nothing else holds the gauges object
          .tag("liveness", l.name())
          .register(registry);
    }
    return this;
  }

  synchronized double count(Liveness liveness) {
    long now = System.currentTimeMillis();
    if (now - countedAt >= refreshMs) {
      try {
        Map<Liveness, Long> fresh = new EnumMap<>(Liveness.class);
        for (HostState host : hosts.get()) {
          if (host != null) {
            fresh.merge(host.getLiveness(), 1L, Long::sum);
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
