package io.swarmsched.ingest.topology;

import io.swarmsched.ingest.auth.HeartbeatAuthenticator;
import io.swarmsched.runtime.deadletter.DeadLetterRouting;
import io.swarmsched.runtime.deadletter.ProcessingResult;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.HostState;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The heartbeat-ingest topology, a pure function of its configuration:
 *
 * <pre>
 * swarm.host-heartbeats.v1 (bytes) ─▶ decode + validate + authenticate ─┬─▶ swarm.dead-letters.v1 (original bytes + reason)
 *                        [ingest-host-keys, ingest-hosts]                ├─▶ new bindings ─▶ swarm.host-keys.v1
 *                                                                        └─▶ host state (RocksDB, liveness patrol) ─▶ swarm.hosts.v1
 * swarm.host-keys.v1 (bytes; operators' and ingest's own bindings) ─▶ host-keys-apply [ingest-host-keys]
 * </pre>
 *
 * Every node and store has a name here; tests reuse the constants.
 */
public final class IngestTopology {
  private IngestTopology() {}

  public static final String SOURCE = "heartbeats-source";
  public static final String DECODE = "heartbeats-decode-validate";
  public static final String DEAD_LETTERS = "heartbeats-dlq";
  public static final String HOST_STATE = "host-state";
  public static final String HOSTS_SINK = "hosts-sink";
  public static final String BINDINGS = "heartbeats-new-bindings";
  public static final String BINDINGS_SINK = "host-keys-sink";
  public static final String KEYS_SOURCE = "host-keys-source";
  public static final String KEYS_APPLY = "host-keys-apply";
  public static final String KEYS_DEAD_LETTERS = "host-keys-dlq";

  /** Host id → what it is bound to (a public key or an HTTP principal): swarm.host-keys.v1. */
  public static final String HOST_KEY_STORE = "ingest-host-keys";

  /**
   * Host id → {@link StoredHost}: the host's state (the table served by the HTTP queries) and the
   * wall-clock millis when ingest last accepted a heartbeat from it.
   */
  public static final String HOST_STORE = "ingest-hosts";

  /** Dead-letter stage names (header {@code swarm.dlq.stage}). */
  public static final String STAGE_DESERIALIZE = "heartbeat-deserialize";

  public static final String STAGE_VALIDATE = "heartbeat-validate";

  /** A heartbeat that may not speak for its host: forged, replayed, or from another principal. */
  public static final String STAGE_AUTHENTICATE = "heartbeat-authenticate";

  public static final String STAGE_HOST_KEY_DESERIALIZE = "host-key-deserialize";

  /** Metric group and names of the processor's counters. */
  public static final String METRIC_SCOPE = "heartbeat-ingest";

  public static final String METRIC_STALE = "stale-heartbeats";
  public static final String METRIC_DUPLICATE = "duplicate-heartbeats";

  /** Accepted heartbeats not published: nothing but last_sequence/last_seen changed, recently. */
  public static final String METRIC_UNPUBLISHED = "unpublished-heartbeats";

  public static Topology build(IngestConfig config) {
    StreamsBuilder builder = new StreamsBuilder();
    Serde<HostHeartbeat> heartbeatSerde =
        SpecificAvroSerde.of(HostHeartbeat.class, config.serdeConfig());
    Serde<HostState> hostStateSerde = SpecificAvroSerde.of(HostState.class, config.serdeConfig());
    // one encode per accepted heartbeat serves the store (its changelog) and swarm.hosts.v1
    HostStateEncoding encoding = new HostStateEncoding(hostStateSerde.serializer());
    Serde<HostState> hostsOut = Serdes.serdeFrom(encoding, hostStateSerde.deserializer());
    Serde<HostKey> hostKeySerde = SpecificAvroSerde.of(HostKey.class, config.serdeConfig());
    HeartbeatAuthenticator authenticator =
        new HeartbeatAuthenticator(config.requireSigned(), config.principalSeal());
    HostTables tables = new HostTables();

    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(HOST_STORE),
            Serdes.String(),
            new StoredHostSerde(encoding, hostStateSerde.deserializer())));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(HOST_KEY_STORE), Serdes.String(), hostKeySerde));

    KStream<String, ProcessingResult<AcceptedHeartbeat>> decoded =
        builder.stream(
                Topics.HOST_HEARTBEATS.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(SOURCE))
            .processValues(
                () ->
                    new DecodeAndValidate(
                        heartbeatSerde.deserializer(), config.limits(), authenticator, tables),
                Named.as(DECODE),
                HOST_KEY_STORE,
                HOST_STORE);

    KStream<String, AcceptedHeartbeat> accepted = DeadLetterRouting.split(decoded, DEAD_LETTERS);
    // a host's first heartbeat binds its id: published for the dispatcher and for operators
    accepted
        .filter((host, a) -> a.newBinding() != null, Named.as(BINDINGS))
        .mapValues(AcceptedHeartbeat::newBinding, Named.as(BINDINGS + "-values"))
        .to(
            Topics.HOST_KEYS.name(),
            Produced.with(Serdes.String(), hostKeySerde).withName(BINDINGS_SINK));

    // bindings from operators (swarmsched hosts bind) and ingest's own, read back: the topic is
    // the source of truth, the store its copy (co-partitioned with the heartbeats by host id)
    KStream<String, ProcessingResult<HostKey>> keyRecords =
        builder.stream(
                Topics.HOST_KEYS.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(KEYS_SOURCE))
            .processValues(
                () -> new ApplyHostKey(hostKeySerde.deserializer()),
                Named.as(KEYS_APPLY),
                HOST_KEY_STORE);
    DeadLetterRouting.split(keyRecords, KEYS_DEAD_LETTERS);

    accepted
        .mapValues(AcceptedHeartbeat::heartbeat, Named.as(HOST_STATE + "-input"))
        .process(
            () ->
                new HostStateProcessor(
                    config.liveness(), config.patrolInterval(), config.publishRefresh(), tables),
            Named.as(HOST_STATE),
            HOST_STORE)
        .to(Topics.HOSTS.name(), Produced.with(Serdes.String(), hostsOut).withName(HOSTS_SINK));

    return builder.build();
  }
}
