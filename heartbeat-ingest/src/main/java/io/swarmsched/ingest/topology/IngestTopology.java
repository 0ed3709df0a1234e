package io.swarmsched.ingest.topology;

import io.swarmsched.runtime.deadletter.DeadLetterRouting;
import io.swarmsched.runtime.deadletter.ProcessingResult;
import io.swarmsched.schemas.HostHeartbeat;
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
 * swarm.host-heartbeats.v1 (bytes) ─▶ decode + validate ─┬─▶ swarm.dead-letters.v1 (original bytes + reason)
 *                                                        └─▶ host state (RocksDB, liveness patrol) ─▶ swarm.hosts.v1
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

  /** Host id → HostState, the table served by the HTTP queries. */
  public static final String HOST_STORE = "ingest-hosts";

  /** Host id → wall-clock millis when ingest last accepted a heartbeat from it. */
  public static final String LAST_HEARD_STORE = "ingest-last-heard";

  /** Dead-letter stage names (header {@code swarm.dlq.stage}). */
  public static final String STAGE_DESERIALIZE = "heartbeat-deserialize";

  public static final String STAGE_VALIDATE = "heartbeat-validate";

  /** Metric group and names of the processor's counters. */
  public static final String METRIC_SCOPE = "heartbeat-ingest";

  public static final String METRIC_STALE = "stale-heartbeats";
  public static final String METRIC_DUPLICATE = "duplicate-heartbeats";

  public static Topology build(IngestConfig config) {
    StreamsBuilder builder = new StreamsBuilder();
    Serde<HostHeartbeat> heartbeatSerde =
        SpecificAvroSerde.of(HostHeartbeat.class, config.serdeConfig());
    Serde<HostState> hostStateSerde = SpecificAvroSerde.of(HostState.class, config.serdeConfig());

    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(HOST_STORE), Serdes.String(), hostStateSerde));
    builder.addStateStore(
        Stores.keyValueStoreBuilder(
            Stores.persistentKeyValueStore(LAST_HEARD_STORE), Serdes.String(), Serdes.Long()));

    KStream<String, ProcessingResult<HostHeartbeat>> decoded =
        builder.stream(
                Topics.HOST_HEARTBEATS.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(SOURCE))
            .processValues(
                () -> new DecodeAndValidate(heartbeatSerde.deserializer(), config.limits()),
                Named.as(DECODE));

    DeadLetterRouting.split(decoded, DEAD_LETTERS)
        .process(
            () -> new HostStateProcessor(config.liveness(), config.patrolInterval()),
            Named.as(HOST_STATE),
            HOST_STORE,
            LAST_HEARD_STORE)
        .to(
            Topics.HOSTS.name(),
            Produced.with(Serdes.String(), hostStateSerde).withName(HOSTS_SINK));

    return builder.build();
  }
}
