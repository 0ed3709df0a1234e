package io.swarmsched.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.registry.client.SchemaRegistryClient;
import io.swarmsched.serde.testdata.TaskRecord;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Forged counts and lengths (finding 1 of issue 13): each must fail as a SerializationException
 * before Avro allocates for it, never as an OutOfMemoryError.
 */
class AvroBoundsTest {
  private static final String TOPIC = "t";
  private static final long BOMB = 2_147_483_000L;

  private final String scope = "bounds-" + UUID.randomUUID();
  private final SchemaRegistryClient registry = MockSchemaRegistry.getClientForScope(scope);
  private final Map<String, Object> config =
      Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, "mock://" + scope, SerdeConfig.MAX_ITEMS, "1000");

  @AfterEach
  void dropScope() {
    MockSchemaRegistry.dropScope(scope);
  }

  private static Schema oneField(Schema type) {
    return SchemaBuilder.record("Holder")
        .namespace("test.bounds")
        .fields()
        .name("f")
        .type(type)
        .noDefault()
        .endRecord();
  }

  private static final Schema INTS = oneField(SchemaBuilder.array().items().intType());
  private static final Schema NULLS = oneField(SchemaBuilder.array().items().nullType());
  private static final Schema STRING_MAP = oneField(SchemaBuilder.map().values().stringType());
  private static final Schema STRING = oneField(Schema.create(Schema.Type.STRING));
  private static final Schema BYTES = oneField(Schema.create(Schema.Type.BYTES));
  private static final Schema NESTED =
      oneField(SchemaBuilder.array().items(SchemaBuilder.array().items().longType()));
  private static final Schema OPTIONAL_INTS =
      oneField(SchemaBuilder.unionOf().nullType().and().array().items().intType().endUnion());

  /** Zig-zag varint, as Avro writes ints, longs, counts and lengths. */
  private static void varint(ByteArrayOutputStream out, long n) {
    long v = (n << 1) ^ (n >> 63);
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  /**
   * Wire format: magic byte, the schema's id, then {@code body} (varints for longs, raw bytes for
   * byte[]).
   */
  private byte[] record(Schema schema, Object... body) {
    int id = registry.register("subject-" + UUID.randomUUID(), schema);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(WireFormat.header(id));
    for (Object part : body) {
      if (part instanceof byte[] raw) {
        out.writeBytes(raw);
      } else {
        varint(out, ((Number) part).longValue());
      }
    }
    return out.toByteArray();
  }

  private GenericAvroDeserializer generic() {
    GenericAvroDeserializer d = new GenericAvroDeserializer();
    d.configure(config, false);
    return d;
  }

  private void assertRefused(byte[] bytes, String reason) {
    assertThatThrownBy(() -> generic().deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining(reason);
  }

  @Test
  void anArrayCountLargerThanTheBytesLeftIsRefusedBeforeAllocation() {
    assertRefused(record(INTS, BOMB, 1, 2, 0), "array count 2147483000 exceeds what the");
    assertRefused(
        record(INTS, -BOMB, 3, 1, 2, 3, 0), "array count 2147483000 exceeds what the 4 bytes");
    assertRefused(record(INTS, -BOMB, 1_000_000, 1, 0), "array block size 1000000 exceeds");
  }

  @Test
  void anArrayOfNullsIsBoundedByTheConfiguredMaximum() {
    assertRefused(record(NULLS, BOMB, 0), "array items 2147483000 exceed the maximum of 1000");
    assertRefused(record(NULLS, 600, 600, 0), "exceed the maximum of 1000");
    GenericRecord ok = generic().deserialize(TOPIC, record(NULLS, 3, 0));
    assertThat((List<?>) ok.get("f")).hasSize(3);
  }

  @Test
  void aMapCountLargerThanTheBytesLeftIsRefused() {
    assertRefused(record(STRING_MAP, BOMB, 2, new byte[] {'k', 'v'}, 0), "map count 2147483000");
    assertRefused(record(STRING_MAP, 1, BOMB, 0), "map key length 2147483000 exceeds");
  }

  @Test
  void stringAndBytesLengthsLargerThanTheBytesLeftAreRefused() {
    assertRefused(
        record(STRING, BOMB, new byte[] {'x'}),
        "string length 2147483000 exceeds the 1 bytes left");
    assertRefused(record(BYTES, BOMB), "bytes length 2147483000 exceeds");
    assertRefused(record(BYTES, -5), "bytes length -5 is negative");
  }

  @Test
  void aCountInsideANestedArrayOrAUnionIsChecked() {
    assertRefused(record(NESTED, 1, BOMB, 1, 0, 0), "array count 2147483000");
    assertRefused(record(OPTIONAL_INTS, 1, BOMB, 1, 0), "array count 2147483000");
    assertRefused(record(OPTIONAL_INTS, 7), "union index 7 is not in [0, 2)");
    GenericRecord ok = generic().deserialize(TOPIC, record(NESTED, 1, 2, 5, 6, 0, 0));
    assertThat(ok.get("f").toString()).isEqualTo("[[5, 6]]");
  }

  @Test
  void theSpecificReaderIsGuardedToo() {
    SpecificAvroSerde<TaskRecord> serde = SpecificAvroSerde.of(TaskRecord.class, config);
    TaskRecord.Builder task =
        TaskRecord.newBuilder()
            .setTaskId("t")
            .setUrl("u")
            .setDigest("d")
            .setContentLength(1)
            .setPieceLength(1)
            .setPieceCount(1)
            .setSourceHostId("h")
            .setCreatedAt(Instant.ofEpochMilli(1));
    byte[] empty = serde.serializer().serialize(TOPIC, task.setPieceDigests(List.of()).build());
    byte[] one = serde.serializer().serialize(TOPIC, task.setPieceDigests(List.of("a")).build());
    int at = 0;
    while (empty[at] == one[at]) {
      at++;
    }
    // the piece_digests count sits at the first differing byte: replace it with a bomb
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(empty, 0, at);
    varint(out, BOMB);
    out.write(empty, at, empty.length - at);
    byte[] bomb = out.toByteArray();

    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bomb))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith(WireFormat.INVALID_AVRO_BODY)
        .hasMessageContaining("array count 2147483000");
    assertThat(serde.deserializer().deserialize(TOPIC, one).getPieceDigests()).containsExactly("a");
  }

  @Test
  void aMaximumThatIsNotAPositiveNumberFailsWithTheKey() {
    assertThatThrownBy(
            () ->
                new SerdeConfig(
                    Map.of(
                        SerdeConfig.SCHEMA_REGISTRY_URL, "mock://x", SerdeConfig.MAX_ITEMS, "0")))
        .hasMessageContaining(SerdeConfig.MAX_ITEMS);
  }
}
