package io.swarmsched.ingest.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.ingest.Heartbeats;
import io.swarmsched.ingest.liveness.HostStates;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.schemas.HostState;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The host store's value bytes, and the one encode they share with swarm.hosts.v1. */
class StoredHostSerdeTest {
  private static final String SCOPE = "stored-host-serde-test";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final String CHANGELOG = "app-ingest-hosts-changelog";

  private final SpecificAvroSerde<HostState> avro =
      SpecificAvroSerde.of(
          HostState.class,
          Map.of("schema.registry.url", MockSchemaRegistry.MOCK_URL_PREFIX + SCOPE));
  private final HostStateEncoding encoding = new HostStateEncoding(avro.serializer());
  private final StoredHostSerde serde = new StoredHostSerde(encoding, avro.deserializer());

  @AfterEach
  void drop() {
    MockSchemaRegistry.dropScope(SCOPE);
  }

  private static HostState state(long sequence) {
    return HostStates.apply(Heartbeats.valid("h1", sequence, T0).build(), null, T0);
  }

  @Test
  void stateAndHeardTimeRoundTripInOneValue() {
    StoredHost stored = new StoredHost(state(3), T0.toEpochMilli() + 42);
    byte[] bytes = serde.serializer().serialize(CHANGELOG, stored);
    assertThat(bytes[0]).isEqualTo(StoredHostSerde.FORMAT_V1);
    assertThat(serde.deserializer().deserialize(CHANGELOG, bytes)).isEqualTo(stored);
  }

  @Test
  void theStoredStateIsTheBytesPublishedOnTheHostsTopic() {
    HostState s = state(3);
    byte[] published = avro.serializer().serialize(Topics.HOSTS.name(), s);
    byte[] stored = serde.serializer().serialize(CHANGELOG, new StoredHost(s, 1L));
    assertThat(Arrays.copyOfRange(stored, 9, stored.length)).isEqualTo(published);
    // the sink's call after the store's finds the same bytes: encoded once
    assertThat(encoding.serialize(Topics.HOSTS.name(), s))
        .isSameAs(encoding.serialize(CHANGELOG, s));
    // another object is encoded, not mistaken for the last one
    HostState other = state(4);
    assertThat(avro.deserializer().deserialize("t", encoding.serialize("t", other)))
        .isEqualTo(other);
  }

  @Test
  void aBareHostStateFromThePreviousVersionReadsWithoutAHeardTime() {
    HostState s = HostState.newBuilder(state(3)).setLastSeen(T0.plusSeconds(7)).build();
    StoredHost read =
        serde.deserializer().deserialize(CHANGELOG, avro.serializer().serialize(CHANGELOG, s));
    assertThat(read.state()).isEqualTo(s);
    assertThat(read.heardMs()).isEqualTo(StoredHost.HEARD_UNKNOWN);
    assertThat(read.heardOrEstimate()).isEqualTo(T0.plusSeconds(7).toEpochMilli());
  }

  @Test
  void otherBytesAreAClearError() {
    assertThatThrownBy(() -> serde.deserializer().deserialize(CHANGELOG, new byte[] {7, 1, 2}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(CHANGELOG)
        .hasMessageContaining("0x07");
    assertThatThrownBy(() -> serde.deserializer().deserialize(CHANGELOG, new byte[] {1, 0}))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("2 bytes");
    assertThat(serde.deserializer().deserialize(CHANGELOG, null)).isNull();
    assertThat(serde.serializer().serialize(CHANGELOG, null)).isNull();
  }
}
