package io.swarmsched.bench.scoring;

import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.serde.SpecificAvroSerde;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * The baseline for scoring-streams: the simplest windowed aggregation of the same input — piece
 * events (Avro, same serde) re-keyed by the parent host and summed per one-second window in
 * RocksDB, each update written out. What Kafka Streams does on this machine with the same shape of
 * work and no scoring logic.
 */
public final class PlainWindowedAggregation {
  private PlainWindowedAggregation() {}

  public static Topology build(String piecesTopic, String outputTopic, Map<String, ?> serdeConfig) {
    SpecificAvroSerde<PieceEvent> pieces = SpecificAvroSerde.of(PieceEvent.class, serdeConfig);
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(
            piecesTopic, Consumed.with(Serdes.String(), pieces).withName("plain-pieces-source"))
        .filter((k, e) -> e != null && e.getParentHostId() != null, Named.as("plain-served-only"))
        .groupBy(
            (k, e) -> e.getParentHostId(), Grouped.with("plain-by-parent", Serdes.String(), pieces))
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(1), Duration.ofSeconds(5)))
        .aggregate(
            () -> 0L,
            (host, e, sum) -> sum + e.getBytes(),
            Named.as("plain-sum-bytes"),
            Materialized
                .<String, Long,
                    org.apache.kafka.streams.state.WindowStore<
                        org.apache.kafka.common.utils.Bytes, byte[]>>
                    as("plain-served-bytes")
                .withKeySerde(Serdes.String())
                .withValueSerde(Serdes.Long()))
        .toStream(Named.as("plain-updates"))
        .selectKey((w, v) -> w.key(), Named.as("plain-unwindow"))
        .to(outputTopic, Produced.with(Serdes.String(), Serdes.Long()).withName("plain-sink"));
    return builder.build();
  }
}
