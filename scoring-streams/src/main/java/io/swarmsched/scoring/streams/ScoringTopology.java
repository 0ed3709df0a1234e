package io.swarmsched.scoring.streams;

import io.swarmsched.runtime.deadletter.AvroDecoding;
import io.swarmsched.runtime.deadletter.DeadLetterRouting;
import io.swarmsched.runtime.deadletter.ProcessingResult;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.serde.SpecificAvroSerde;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The scoring topology, a pure function of {@link ScoringConfig}:
 *
 * <pre>
 * swarm.piece-events.v1 ─decode/validate─▶ FINISHED from PARENT ─re-key by parent_host_id─▶ [repartition]─┐
 *        └─bad─▶ swarm.dead-letters.v1                                                                   ├─merge─▶ host-scorer ─▶ swarm.host-scores.v1
 * swarm.hosts.v1 ─decode/validate (tombstones pass)───────────────────────────────────────────────────────┘   (4 stores)  └─late─▶ dead letters
 *        └─bad─▶ swarm.dead-letters.v1
 * </pre>
 *
 * Every source, processor, store, repartition topic and sink has a name below; the application runs
 * with {@code ensure.explicit.internal.resource.naming=true}.
 */
public final class ScoringTopology {
  private ScoringTopology() {}

  // sources, processors, sinks
  public static final String PIECES_SOURCE = "scoring-piece-events-source";
  public static final String PIECES_DECODE = "scoring-piece-events-decode";
  public static final String PIECES_DLQ = "scoring-piece-events-dlq";
  public static final String PIECES_SERVED_FILTER = "scoring-pieces-served-by-parent";
  public static final String PIECES_BY_PARENT = "scoring-pieces-key-by-parent-host";
  public static final String SERVED_AS_INPUT = "scoring-served-as-input";
  public static final String HOSTS_SOURCE = "scoring-hosts-source";
  public static final String HOSTS_SPLIT = "scoring-hosts-";
  public static final String HOSTS_TOMBSTONES = "tombstones";
  public static final String HOSTS_VALUES = "values";
  public static final String HOSTS_REMOVED_AS_INPUT = "scoring-hosts-removed-as-input";
  public static final String HOSTS_DECODE = "scoring-hosts-decode";
  public static final String HOSTS_DLQ = "scoring-hosts-dlq";
  public static final String HOSTS_AS_INPUT = "scoring-hosts-as-input";
  public static final String MERGE_HOSTS = "scoring-merge-hosts";
  public static final String MERGE_REMOVED = "scoring-merge-removed";
  public static final String SCORER = "scoring-host-scorer";
  public static final String SCORES_DLQ = "scoring-scores-dlq";
  public static final String SCORES_SINK = "scoring-host-scores-sink";

  /** Repartition topic (becomes {@code <application.id>-scoring-served-by-host-repartition}). */
  public static final String SERVED_REPARTITION = "scoring-served-by-host";

  // stores (changelogs are {@code <application.id>-<store>-changelog})
  public static final String SERVED_BYTES_STORE = "scoring-served-bytes";
  public static final String REPORTED_TX_STORE = "scoring-reported-tx";
  public static final String HOSTS_STORE = "scoring-hosts";

  /** The latest published score of every host this instance owns; queried over IQv2. */
  public static final String SCORES_STORE = "scoring-latest-scores";

  // dead-letter stages
  public static final String PIECE_STAGE = "scoring-piece-validate";
  public static final String HOST_STAGE = "scoring-host-validate";

  public static Topology build(ScoringConfig config) {
    return build(config, c -> new HostScorer(c, c.inMemory()));
  }

  /** The topology with scorers made by {@code scorers} (tests reach the scorer through it). */
  static Topology build(ScoringConfig config, Function<ScoringConfig, HostScorer> scorers) {
    Map<String, Object> serdeConfig = config.serdeConfig();
    Serde<PieceEvent> pieceSerde = SpecificAvroSerde.of(PieceEvent.class, serdeConfig);
    Serde<HostState> hostSerde = SpecificAvroSerde.of(HostState.class, serdeConfig);
    Serde<HostScore> scoreSerde = SpecificAvroSerde.of(HostScore.class, serdeConfig);
    StreamsBuilder builder = new StreamsBuilder();

    KStream<String, ProcessingResult<ServedPiece.Read>> decodedPieces =
        builder.stream(
                config.pieceEventsTopic(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(PIECES_SOURCE))
            .processValues(
                AvroDecoding.decode(
                    ServedPiece.reading(pieceSerde.deserializer()),
                    PIECE_STAGE,
                    (key, read) -> InputValidation.PIECE_EVENT.problem(key, read.event())),
                Named.as(PIECES_DECODE));
    // the repartition carries what the scorer adds and the event's bytes as read: no Avro either
    // side of it
    KStream<String, ScoringInput> served =
        DeadLetterRouting.split(decodedPieces, PIECES_DLQ, config.deadLettersTopic())
            .filter(
                (taskId, read) -> InputValidation.isServedByParent(read.event()),
                Named.as(PIECES_SERVED_FILTER))
            .map(
                (taskId, read) ->
                    KeyValue.pair(
                        read.event().getParentHostId(),
                        new ServedPiece(read.event().getBytes(), read.raw())),
                Named.as(PIECES_BY_PARENT))
            .repartition(
                Repartitioned.with(Serdes.String(), ServedPiece.serde(pieceSerde.deserializer()))
                    .withName(SERVED_REPARTITION)
                    .withNumberOfPartitions(config.repartitionPartitions()))
            .mapValues(
                piece -> (ScoringInput) new ScoringInput.Served(piece), Named.as(SERVED_AS_INPUT));

    Map<String, KStream<String, byte[]>> hostBranches =
        builder.stream(
                config.hostsTopic(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName(HOSTS_SOURCE))
            .split(Named.as(HOSTS_SPLIT))
            .branch((hostId, bytes) -> bytes == null, Branched.as(HOSTS_TOMBSTONES))
            .defaultBranch(Branched.as(HOSTS_VALUES));
    KStream<String, ScoringInput> removed =
        hostBranches
            .get(HOSTS_SPLIT + HOSTS_TOMBSTONES)
            .mapValues(
                bytes -> (ScoringInput) new ScoringInput.HostRemoved(),
                Named.as(HOSTS_REMOVED_AS_INPUT));
    KStream<String, ProcessingResult<HostState>> decodedHosts =
        hostBranches
            .get(HOSTS_SPLIT + HOSTS_VALUES)
            .processValues(
                AvroDecoding.decode(
                    hostSerde.deserializer(), HOST_STAGE, InputValidation.HOST_STATE),
                Named.as(HOSTS_DECODE));
    KStream<String, ScoringInput> hostUpdates =
        DeadLetterRouting.split(decodedHosts, HOSTS_DLQ, config.deadLettersTopic())
            .mapValues(
                state -> (ScoringInput) new ScoringInput.HostUpdate(state),
                Named.as(HOSTS_AS_INPUT));

    KStream<String, ProcessingResult<HostScore>> results =
        served
            .merge(hostUpdates, Named.as(MERGE_HOSTS))
            .merge(removed, Named.as(MERGE_REMOVED))
            .process(new ScorerSupplier(config, hostSerde, scoreSerde, scorers), Named.as(SCORER));
    DeadLetterRouting.split(results, SCORES_DLQ, config.deadLettersTopic())
        .to(
            config.hostScoresTopic(),
            Produced.with(Serdes.String(), scoreSerde).withName(SCORES_SINK));
    return builder.build();
  }

  /** The scorer and the stores it owns (connected by Streams through {@link #stores()}). */
  private record ScorerSupplier(
      ScoringConfig config,
      Serde<HostState> hostSerde,
      Serde<HostScore> scoreSerde,
      Function<ScoringConfig, HostScorer> scorers)
      implements ProcessorSupplier<String, ScoringInput, String, ProcessingResult<HostScore>> {

    @Override
    public Processor<String, ScoringInput, String, ProcessingResult<HostScore>> get() {
      return scorers.apply(config);
    }

    @Override
    public Set<StoreBuilder<?>> stores() {
      Duration retention = config.windowRetention();
      Duration bucket = Duration.ofMillis(config.params().bucketMillis());
      // The per-host stores are in memory, each with its changelog (Streams' default): a restart, a
      // moved task or an aborted transaction restores them from the changelogs, as with RocksDB,
      // so exactly-once recovery is unchanged, without RocksDB's JNI round trip on every read and
      // write (issue 17); they hold one state and one score per host (~1 KB per host with the
      // maps' overhead). Which hosts the punctuator re-scores is derived from the stores and held
      // by the scorer in memory, with no store or changelog of its own. The window stores stay in
      // RocksDB: in memory they would hold an
      // entry per host and bucket of the retention (150 at the defaults), which at 100,000 hosts
      // is up to 15 million entries, more memory than the whole deployment's budget.
      return Set.of(
          Stores.windowStoreBuilder(
              Stores.persistentWindowStore(SERVED_BYTES_STORE, retention, bucket, false),
              Serdes.String(),
              Serdes.Long()),
          Stores.windowStoreBuilder(
              Stores.persistentWindowStore(REPORTED_TX_STORE, retention, bucket, false),
              Serdes.String(),
              Serdes.Long()),
          Stores.keyValueStoreBuilder(
              Stores.inMemoryKeyValueStore(HOSTS_STORE), Serdes.String(), hostSerde),
          Stores.keyValueStoreBuilder(
              Stores.inMemoryKeyValueStore(SCORES_STORE), Serdes.String(), scoreSerde));
    }
  }
}
