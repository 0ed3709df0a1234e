package io.swarmsched.ingest.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.ingest.Heartbeats;
import io.swarmsched.ingest.liveness.HostStates;
import io.swarmsched.ingest.liveness.LivenessPolicy;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.serde.SpecificAvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A restart, a moved task or a revived one: Streams restores the stores from their changelogs and
 * then initialises the processor, which must take everything from the stores (its decoded table is
 * rebuilt there) and, not knowing what was last published, publish the next heartbeat of each host.
 * The stores here are filled the way a restore leaves them, and shared by two processor instances
 * in turn (the one before and the one after the restart).
 */
class HostStateRestartTest {
  private static final String SCOPE = "host-state-restart-test";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final LivenessPolicy POLICY = LivenessPolicy.defaults();
  private static final String CHANGELOG = "swarm-heartbeat-ingest-ingest-hosts-changelog";

  private KeyValueStore<String, StoredHost> hosts;
  private MockProcessorContext<String, HostState> context;

  @BeforeEach
  void stores() {
    context = new MockProcessorContext<>();
    SpecificAvroSerde<HostState> states = states();
    // the store's own serde, so every value goes through its bytes as a restore would
    hosts =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(IngestTopology.HOST_STORE),
                Serdes.String(),
                new StoredHostSerde(
                    new HostStateEncoding(states.serializer()), states.deserializer()))
            .withLoggingDisabled()
            .build();
    hosts.init(context.getStateStoreContext(), hosts);
    context.addStateStore(hosts);
  }

  @AfterEach
  void drop() {
    MockSchemaRegistry.dropScope(SCOPE);
  }

  private HostStateProcessor start() {
    HostStateProcessor p =
        new HostStateProcessor(
            POLICY, Duration.ofSeconds(1), IngestConfig.DEFAULT_PUBLISH_REFRESH, new HostTables());
    context.resetForwards();
    p.init(context);
    return p;
  }

  private static HostHeartbeat hb(String host, long sequence, Instant at) {
    return Heartbeats.valid(host, sequence, at).build();
  }

  private void at(Instant now) {
    context.setCurrentSystemTimeMs(now.toEpochMilli());
  }

  private void process(HostStateProcessor p, HostHeartbeat hb) {
    p.process(new Record<>(hb.getHostId(), hb, hb.getTimestamp().toEpochMilli()));
  }

  private List<HostState> published() {
    List<HostState> out =
        context.forwarded().stream().map(f -> (HostState) f.record().value()).toList();
    context.resetForwards();
    return out;
  }

  private void patrolAt(Instant now) {
    at(now);
    context.scheduledPunctuators().get(0).getPunctuator().punctuate(now.toEpochMilli());
  }

  @Test
  void theRestartedProcessorTakesOrderingSilenceAndStateFromTheStores() {
    HostStateProcessor before = start();
    at(T0);
    process(before, hb("h1", 7, T0));
    at(T0.plusSeconds(3));
    process(before, hb("h1", 8, T0.plusSeconds(3)));
    assertThat(published()).hasSize(1); // the second moved only sequence and time
    before.close();

    HostStateProcessor after = start();
    // ordering from the restored state: an older heartbeat is still stale
    at(T0.plusSeconds(4));
    process(after, hb("h1", 6, T0.plusSeconds(2)));
    assertThat(published()).isEmpty();
    assertThat(hosts.get("h1").state().getLastSequence()).isEqualTo(8);
    assertThat(hosts.get("h1").heardMs()).isEqualTo(T0.plusSeconds(3).toEpochMilli());

    // silence from the restored last-heard time (3 s), so SUSPICIOUS at 13 s and not before
    patrolAt(T0.plusSeconds(12));
    assertThat(published()).isEmpty();
    patrolAt(T0.plusSeconds(13));
    List<HostState> suspicious = published();
    assertThat(suspicious)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getLiveness()).isEqualTo(Liveness.SUSPICIOUS);
              assertThat(s.getLastSequence()).isEqualTo(8);
              assertThat(s.getFirstSeen()).isEqualTo(T0);
            });
    assertThat(hosts.get("h1").state()).isEqualTo(suspicious.get(0));
    assertThat(hosts.get("h1").heardMs())
        .as("a liveness change keeps the heard time")
        .isEqualTo(T0.plusSeconds(3).toEpochMilli());
  }

  @Test
  void afterARestartEachHostsNextHeartbeatIsPublishedThenTheRefreshRulesAgain() {
    HostStateProcessor before = start();
    at(T0);
    process(before, hb("h1", 1, T0));
    published();
    before.close();

    HostStateProcessor after = start();
    at(T0.plusSeconds(1));
    process(after, hb("h1", 2, T0.plusSeconds(1)));
    assertThat(published())
        .as("what was published before the restart is not known: publish")
        .extracting(HostState::getLastSequence)
        .containsExactly(2L);

    at(T0.plusSeconds(2));
    process(after, hb("h1", 3, T0.plusSeconds(2)));
    assertThat(published()).isEmpty();
    assertThat(HostStates.differsBeyondRecency(hosts.get("h1").state(), hosts.get("h1").state()))
        .isFalse();
  }

  @Test
  void aBareStateFromThePreviousVersionsChangelogCountsAsHeardAtItsLastSeen() {
    // the previous version kept the heard time in a store of its own: its changelog's values are
    // bare HostStates, read back without a heard time
    HostState old =
        HostState.newBuilder(
                HostStates.apply(hb("h1", 4, T0.plusSeconds(5)), null, T0.plusSeconds(5)))
            .setLivenessChangedAt(T0)
            .build();
    SpecificAvroSerde<HostState> states = states();
    byte[] bare = states.serializer().serialize(CHANGELOG, old);
    StoredHost restored =
        new StoredHostSerde(states.serializer(), states.deserializer())
            .deserializer()
            .deserialize(CHANGELOG, bare);
    assertThat(restored.heardMs()).isEqualTo(StoredHost.HEARD_UNKNOWN);
    hosts.put("h1", restored);

    HostStateProcessor after = start();
    // silent since its last_seen (5 s), not since it came online (0 s): SUSPICIOUS at 15 s
    patrolAt(T0.plusSeconds(14));
    assertThat(published()).isEmpty();
    patrolAt(T0.plusSeconds(15));
    assertThat(published()).extracting(HostState::getLiveness).containsExactly(Liveness.SUSPICIOUS);
    // and ordering continues from its state
    at(T0.plusSeconds(16));
    process(after, hb("h1", 3, T0.plusSeconds(4)));
    assertThat(published()).isEmpty();
  }

  private static SpecificAvroSerde<HostState> states() {
    return SpecificAvroSerde.of(
        HostState.class, Map.of("schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + SCOPE));
  }

  @Test
  void anExpiredHostIsGoneFromTheStoresAndFromTheRestartedProcessor() {
    HostStateProcessor before = start();
    at(T0);
    process(before, hb("h1", 1, T0));
    patrolAt(T0.plusSeconds(20)); // OFFLINE
    patrolAt(T0.plusSeconds(20).plus(POLICY.offlineTtl())); // tombstone
    assertThat(published())
        .extracting(s -> s == null ? null : s.getLiveness())
        .containsExactly(Liveness.ONLINE, Liveness.OFFLINE, null);
    assertThat(hosts.get("h1")).isNull();
    before.close();

    HostStateProcessor after = start();
    patrolAt(T0.plus(Duration.ofHours(3)));
    assertThat(published()).isEmpty();
    // a host forgotten is new again: its heartbeat with a low sequence is accepted
    at(T0.plus(Duration.ofHours(3)));
    process(after, hb("h1", 1, T0.plus(Duration.ofHours(3))));
    assertThat(published())
        .extracting(HostState::getFirstSeen)
        .containsExactly(T0.plus(Duration.ofHours(3)));
  }
}
