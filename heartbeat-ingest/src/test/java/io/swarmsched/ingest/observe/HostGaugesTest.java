package io.swarmsched.ingest.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.swarmsched.ingest.Heartbeats;
import io.swarmsched.ingest.topology.IngestConfig;
import io.swarmsched.ingest.topology.IngestTopology;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.runtime.query.NotQueryableException;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostState;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swarmsched_hosts{liveness}} as Prometheus scrapes it, counted from ingest's host table
 * after a known sequence of heartbeats and silences: each liveness has exactly the number of hosts
 * the sequence implies (DashboardSystemTest sees three ONLINE hosts on a running service's
 * /metrics).
 */
class HostGaugesTest {
  private static final String REGISTRY = "mock://host-gauges-test";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path stateDir;
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  TopologyTestDriver driver;
  TestInputTopic<String, byte[]> heartbeats;
  Serde<HostHeartbeat> serde;

  @BeforeEach
  void start() {
    IngestConfig config = IngestConfig.defaults(REGISTRY);
    Properties props = new Properties();
    props.putAll(
        Map.of(
            StreamsConfig.APPLICATION_ID_CONFIG, "host-gauges-test",
            StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092",
            StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()));
    driver = new TopologyTestDriver(IngestTopology.build(config), props, T0);
    heartbeats =
        driver.createInputTopic(
            Topics.HOST_HEARTBEATS.name(), new StringSerializer(), new ByteArraySerializer());
    serde = SpecificAvroSerde.of(HostHeartbeat.class, config.serdeConfig());
  }

  @AfterEach
  void stop() {
    driver.close();
    registry.close();
    MockSchemaRegistry.dropScope("host-gauges-test");
  }

  private void heartbeat(String host, Instant at) {
    HostHeartbeat hb = Heartbeats.valid(host, at.toEpochMilli(), at).build();
    heartbeats.pipeInput(
        host, serde.serializer().serialize(Topics.HOST_HEARTBEATS.name(), hb), at.toEpochMilli());
  }

  /** Moves the driver's wall clock second by second, as the liveness patrol expects. */
  private void advanceTo(Instant at, Instant from) {
    for (long s = from.getEpochSecond(); s < at.getEpochSecond(); s++) {
      driver.advanceWallClockTime(Duration.ofSeconds(1));
    }
  }

  private List<HostState> table() {
    List<HostState> values = new ArrayList<>();
    try (var all =
        driver
            .<String, io.swarmsched.ingest.topology.StoredHost>getKeyValueStore(
                IngestTopology.HOST_STORE)
            .all()) {
      all.forEachRemaining(kv -> values.add(kv.value.state()));
    }
    return values;
  }

  private String scrapeLine(String liveness) {
    return registry
        .scrape()
        .lines()
        .filter(l -> l.startsWith("swarmsched_hosts{liveness=\"" + liveness + "\"}"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void eachLivenessCountsTheHostsAKnownSequenceOfHeartbeatsAndSilencesImplies() {
    new HostGauges(this::table, 0).register(registry);
    assertThat(scrapeLine("ONLINE")).isEqualTo("swarmsched_hosts{liveness=\"ONLINE\"} 0.0");

    heartbeat("silent", T0); // silent for 20 s: OFFLINE
    advanceTo(T0.plusSeconds(5), T0);
    heartbeat("quiet-1", T0.plusSeconds(5)); // silent for 15 s: SUSPICIOUS
    heartbeat("quiet-2", T0.plusSeconds(5));
    advanceTo(T0.plusSeconds(20), T0.plusSeconds(5));
    heartbeat("talking", T0.plusSeconds(20)); // ONLINE

    assertThat(scrapeLine("ONLINE")).isEqualTo("swarmsched_hosts{liveness=\"ONLINE\"} 1.0");
    assertThat(scrapeLine("SUSPICIOUS")).isEqualTo("swarmsched_hosts{liveness=\"SUSPICIOUS\"} 2.0");
    assertThat(scrapeLine("OFFLINE")).isEqualTo("swarmsched_hosts{liveness=\"OFFLINE\"} 1.0");

    heartbeat("silent", T0.plusSeconds(20)); // back ONLINE
    assertThat(scrapeLine("ONLINE")).isEqualTo("swarmsched_hosts{liveness=\"ONLINE\"} 2.0");
    assertThat(scrapeLine("OFFLINE")).isEqualTo("swarmsched_hosts{liveness=\"OFFLINE\"} 0.0");
  }

  @Test
  void whileTheTableCannotBeReadTheLastCountsStand() {
    AtomicBoolean rebalancing = new AtomicBoolean();
    new HostGauges(
            () -> {
              if (rebalancing.get()) {
                throw new NotQueryableException("rebalancing");
              }
              return table();
            },
            0)
        .register(registry);
    heartbeat("h1", T0);
    heartbeat("h2", T0);
    assertThat(scrapeLine("ONLINE")).isEqualTo("swarmsched_hosts{liveness=\"ONLINE\"} 2.0");

    rebalancing.set(true);
    heartbeat("h3", T0);
    assertThat(scrapeLine("ONLINE"))
        .as("not a false zero while rebalancing")
        .isEqualTo("swarmsched_hosts{liveness=\"ONLINE\"} 2.0");
    rebalancing.set(false);
    assertThat(scrapeLine("ONLINE")).isEqualTo("swarmsched_hosts{liveness=\"ONLINE\"} 3.0");
  }
}
