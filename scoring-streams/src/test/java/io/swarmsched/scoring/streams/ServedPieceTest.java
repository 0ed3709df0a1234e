package io.swarmsched.scoring.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.serde.SpecificAvroSerde;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The repartition topic's values: what the scorer adds, and the event's bytes for a dead letter.
 */
class ServedPieceTest {
  private static final String SCOPE = "served-piece-test";
  private static final String TOPIC = "app-scoring-served-by-host-repartition";

  private final SpecificAvroSerde<PieceEvent> avro =
      SpecificAvroSerde.of(
          PieceEvent.class,
          Map.of("schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + SCOPE));
  private final Serde<ServedPiece> serde = ServedPiece.serde(avro.deserializer());

  @AfterEach
  void drop() {
    MockSchemaRegistry.dropScope(SCOPE);
  }

  private static PieceEvent event(long bytes) {
    return PieceEvent.newBuilder()
        .setEventId("e-1")
        .setTaskId("task-1")
        .setPeerId("peer-child")
        .setHostId("child-host")
        .setPieceNumber(1)
        .setOutcome(PieceOutcome.FINISHED)
        .setSource(PieceSource.PARENT)
        .setParentPeerId("peer-p")
        .setParentHostId("p")
        .setBytes(bytes)
        .setCostMillis(100)
        .setTimestamp(Instant.parse("2026-01-01T00:00:00Z"))
        .build();
  }

  @Test
  void bytesAndTheEventAsReadRoundTrip() {
    byte[] raw = avro.serializer().serialize("swarm.piece-events.v1", event(4_194_304));
    ServedPiece.Read read = ServedPiece.reading(avro.deserializer()).deserialize("t", raw);
    assertThat(read.event().getBytes()).isEqualTo(4_194_304);
    assertThat(read.raw()).isSameAs(raw);

    ServedPiece piece = new ServedPiece(read.event().getBytes(), raw);
    byte[] wire = serde.serializer().serialize(TOPIC, piece);
    assertThat(wire[0]).isEqualTo(ServedPiece.FORMAT_V1);
    assertThat(serde.deserializer().deserialize(TOPIC, wire)).isEqualTo(piece);
  }

  @Test
  void aWholePieceEventLeftOnTheTopicByThePreviousVersionIsStillCounted() {
    byte[] legacy = avro.serializer().serialize(TOPIC, event(777));
    ServedPiece read = serde.deserializer().deserialize(TOPIC, legacy);
    assertThat(read.bytes()).isEqualTo(777);
    assertThat(read.event()).isEqualTo(legacy);
  }

  @Test
  void otherBytesAreAClearError() {
    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {9, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(TOPIC)
        .hasMessageContaining("0x09");
    assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    assertThat(ServedPiece.reading(avro.deserializer()).deserialize("t", null)).isNull();
  }
}
