package io.swarmsched.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.registry.client.InMemorySchemaRegistryClient;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.registry.client.SchemaRegistryClient;
import io.swarmsched.serde.testdata.TaskRecord;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
  private static final String TOPIC = "swarm.task-metadata.v1";

  private final String scope = "serde-test-" + UUID.randomUUID();
  private final SchemaRegistryClient registry = MockSchemaRegistry.getClientForScope(scope);

  @AfterEach
  void dropScope() {
    MockSchemaRegistry.dropScope(scope);
  }

  private Map<String, Object> config(Object... keyValues) {
    Map<String, Object> config = new HashMap<>();
    config.put(SerdeConfig.SCHEMA_REGISTRY_URL, "mock://" + scope);
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put((String) keyValues[i], keyValues[i + 1]);
    }
    return config;
  }

  private static TaskRecord task(String id) {
    return TaskRecord.newBuilder()
        .setTaskId(id)
        .setUrl("https://origin/" + id)
        .setDigest("sha256:abc")
        .setContentLength(10_000)
        .setPieceLength(4096)
        .setPieceCount(3)
        .setPieceDigests(List.of("a", "b", "c"))
        .setSourceHostId("host-1")
        .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_123L))
        .build();
  }

  private static final Schema POINT =
      SchemaBuilder.record("Point")
          .namespace("test.geo")
          .fields()
          .requiredInt("x")
          .requiredInt("y")
          .endRecord();

  private static GenericRecord point(int x, int y) {
    GenericRecord r = new GenericData.Record(POINT);
    r.put("x", x);
    r.put("y", y);
    return r;
  }

  // ---- round trips ----

  @Test
  void specificRecordRoundTripsThroughTheWireFormat() {
    SpecificAvroSerde<TaskRecord> serde = SpecificAvroSerde.of(TaskRecord.class, config());
    byte[] bytes = serde.serializer().serialize(TOPIC, task("t1"));

    assertThat(bytes[0]).isEqualTo((byte) 0);
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    assertThat(registry.getById(id)).isEqualTo(TaskRecord.getClassSchema());
    assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(task("t1"));
  }

  @Test
  void specificReaderWithoutATypeReadsTheClassTheWriterSchemaNames() {
    SpecificAvroSerializer<TaskRecord> serializer = new SpecificAvroSerializer<>();
    serializer.configure(config(), false);
    GenericAvroDeserializer genericReader = new GenericAvroDeserializer();
    genericReader.configure(config(SerdeConfig.SPECIFIC_AVRO_READER, "true"), false);
    SpecificAvroDeserializer<TaskRecord> specificReader = new SpecificAvroDeserializer<>();
    specificReader.configure(config(), false);

    byte[] bytes = serializer.serialize(TOPIC, task("t2"));

    assertThat(specificReader.deserialize(TOPIC, bytes))
        .isInstanceOf(TaskRecord.class)
        .isEqualTo(task("t2"));
    GenericRecord generic = genericReader.deserialize(TOPIC, bytes);
    assertThat(generic).isNotInstanceOf(TaskRecord.class);
    assertThat(generic.get("task_id").toString()).isEqualTo("t2");
  }

  @Test
  void kafkaAvroDeserializerFollowsSpecificAvroReader() {
    KafkaAvroSerializer serializer = new KafkaAvroSerializer();
    serializer.configure(config(), false);
    KafkaAvroDeserializer specific = new KafkaAvroDeserializer();
    specific.configure(config(SerdeConfig.SPECIFIC_AVRO_READER, true), false);
    KafkaAvroDeserializer generic = new KafkaAvroDeserializer();
    generic.configure(config(), false);

    byte[] bytes = serializer.serialize(TOPIC, task("t3"));

    assertThat(specific.deserialize(TOPIC, bytes)).isEqualTo(task("t3"));
    assertThat(generic.deserialize(TOPIC, bytes))
        .isInstanceOf(GenericRecord.class)
        .isNotInstanceOf(TaskRecord.class);
  }

  @Test
  void genericRecordRoundTripsThroughTheWireFormat() {
    GenericAvroSerde serde = new GenericAvroSerde();
    serde.configure(config(), false);

    GenericRecord back =
        serde
            .deserializer()
            .deserialize("points", serde.serializer().serialize("points", point(3, -4)));

    assertThat(back).isEqualTo(point(3, -4));
    assertThat(registry.subjects()).containsExactly("points-value");
  }

  @Test
  void nullIsSerializedAsNullAndReadBackAsNullForTombstones() {
    SpecificAvroSerde<TaskRecord> serde = SpecificAvroSerde.of(TaskRecord.class, config());
    assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
    assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    assertThat(registry.subjects()).isEmpty();
  }

  // ---- subject name strategies ----

  @Test
  void topicNameStrategyIsTheDefaultAndSeparatesKeysFromValues() {
    GenericAvroSerializer valueSerializer = new GenericAvroSerializer();
    valueSerializer.configure(config(), false);
    GenericAvroSerializer keySerializer = new GenericAvroSerializer();
    keySerializer.configure(config(), true);

    valueSerializer.serialize("points", point(1, 1));
    keySerializer.serialize("points", point(1, 1));

    assertThat(registry.subjects()).containsExactlyInAnyOrder("points-value", "points-key");
  }

  @Test
  void recordNameStrategyUsesTheRecordFullNameAcrossTopics() {
    GenericAvroSerializer serializer = new GenericAvroSerializer();
    serializer.configure(
        config(SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "RecordNameStrategy"), false);

    serializer.serialize("a", point(1, 1));
    serializer.serialize("b", point(1, 1));

    assertThat(registry.subjects()).containsExactly("test.geo.Point");
  }

  @Test
  void topicRecordNameStrategyCombinesTopicAndRecordName() {
    GenericAvroSerializer serializer = new GenericAvroSerializer();
    serializer.configure(
        config(
            SerdeConfig.KEY_SUBJECT_NAME_STRATEGY,
            "io.swarmsched.serde.subject.TopicRecordNameStrategy"),
        true);

    serializer.serialize("a", point(1, 1));

    assertThat(registry.subjects()).containsExactly("a-test.geo.Point");
  }

  @Test
  void confluentStrategyClassNamesAreAccepted() {
    for (String[] c :
        new String[][] {
          {"io.confluent.kafka.serializers.subject.TopicNameStrategy", "t1-value"},
          {"io.confluent.kafka.serializers.subject.RecordNameStrategy", "test.geo.Point"},
          {"io.confluent.kafka.serializers.subject.TopicRecordNameStrategy", "t1-test.geo.Point"}
        }) {
      InMemorySchemaRegistryClient fresh = new InMemorySchemaRegistryClient();
      GenericAvroSerializer serializer = new GenericAvroSerializer(fresh);
      serializer.configure(config(SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, c[0]), false);
      serializer.serialize("t1", point(1, 2));
      assertThat(fresh.subjects()).as(c[0]).containsExactly(c[1]);
    }
  }

  @Test
  void anUnknownStrategyFailsConfigurationNamingTheKey() {
    GenericAvroSerializer serializer = new GenericAvroSerializer();
    assertThatThrownBy(
            () ->
                serializer.configure(
                    config(SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY, "NoSuchStrategy"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SerdeConfig.VALUE_SUBJECT_NAME_STRATEGY);
  }

  @Test
  void aMissingRegistryUrlFailsConfigurationNamingTheKey() {
    assertThatThrownBy(() -> new GenericAvroSerializer().configure(Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SerdeConfig.SCHEMA_REGISTRY_URL);
  }

  @Test
  void aNonBooleanAutoRegisterFailsConfigurationNamingTheKey() {
    assertThatThrownBy(
            () ->
                new GenericAvroSerializer()
                    .configure(config(SerdeConfig.AUTO_REGISTER_SCHEMAS, "maybe"), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(SerdeConfig.AUTO_REGISTER_SCHEMAS);
  }

  // ---- auto.register.schemas=false ----

  @Test
  void withoutAutoRegisterAnUnregisteredSchemaIsRefused() {
    GenericAvroSerializer serializer = new GenericAvroSerializer();
    serializer.configure(config(SerdeConfig.AUTO_REGISTER_SCHEMAS, false), false);

    assertThatThrownBy(() -> serializer.serialize("points", point(1, 1)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("points-value");
    assertThat(registry.subjects()).isEmpty();
  }

  @Test
  void withoutAutoRegisterAPreRegisteredSchemaIsLookedUp() {
    int id = registry.register("points-value", POINT);
    GenericAvroSerializer serializer = new GenericAvroSerializer();
    serializer.configure(config(SerdeConfig.AUTO_REGISTER_SCHEMAS, "false"), false);

    byte[] bytes = serializer.serialize("points", point(1, 1));

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
  }

  @Test
  void useLatestVersionWritesWithTheSubjectsLatestSchemaFillingDefaults() {
    Schema latest =
        SchemaBuilder.record("Point")
            .namespace("test.geo")
            .fields()
            .requiredInt("x")
            .requiredInt("y")
            .name("label")
            .type()
            .stringType()
            .stringDefault("none")
            .endRecord();
    registry.register("points-value", POINT);
    int latestId = registry.register("points-value", latest);
    GenericAvroSerializer serializer = new GenericAvroSerializer();
    serializer.configure(
        config(SerdeConfig.AUTO_REGISTER_SCHEMAS, false, SerdeConfig.USE_LATEST_VERSION, true),
        false);
    GenericAvroDeserializer deserializer = new GenericAvroDeserializer();
    deserializer.configure(config(), false);

    byte[] bytes = serializer.serialize("points", point(5, 6));

    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(latestId);
    GenericRecord back = deserializer.deserialize("points", bytes);
    assertThat(back.getSchema()).isEqualTo(latest);
    assertThat(back.get("x")).isEqualTo(5);
    assertThat(back.get("label").toString()).isEqualTo("none");
    assertThat(registry.versions("points-value")).containsExactly(1, 2);
  }

  // ---- deserialization failures ----

  @Test
  void aWrongMagicByteIsReportedAsUnknownMagicByte() {
    SpecificAvroSerde<TaskRecord> serde = SpecificAvroSerde.of(TaskRecord.class, config());
    byte[] bytes = serde.serializer().serialize(TOPIC, task("t"));
    bytes[0] = 7;

    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("Unknown magic byte");
    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, "{\"json\":true}".getBytes()))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("Unknown magic byte");
  }

  @Test
  void anIdTheRegistryDoesNotKnowIsReportedAsUnknownSchemaId() {
    SpecificAvroSerde<TaskRecord> serde = SpecificAvroSerde.of(TaskRecord.class, config());
    byte[] bytes = serde.serializer().serialize(TOPIC, task("t"));
    ByteBuffer.wrap(bytes).putInt(1, 9999);

    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("Unknown schema id 9999");
  }

  @Test
  void aCutShortHeaderOrBodyIsReportedAsTruncatedRecord() {
    SpecificAvroSerde<TaskRecord> serde = SpecificAvroSerde.of(TaskRecord.class, config());
    byte[] bytes = serde.serializer().serialize(TOPIC, task("t"));

    for (byte[] cut :
        List.of(
            new byte[0],
            Arrays.copyOf(bytes, 3),
            Arrays.copyOf(bytes, 5),
            Arrays.copyOf(bytes, bytes.length - 4))) {
      assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, cut))
          .as("%d of %d bytes", cut.length, bytes.length)
          .isInstanceOf(SerializationException.class)
          .hasMessageStartingWith("Truncated record");
    }
  }

  @Test
  void aBodyThatDoesNotMatchItsSchemaIsReportedAsInvalidAvroBody() {
    SpecificAvroSerde<TaskRecord> serde = SpecificAvroSerde.of(TaskRecord.class, config());
    byte[] bytes = serde.serializer().serialize(TOPIC, task("t"));
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
    byte[] negativeLength = Arrays.copyOf(bytes, bytes.length);
    negativeLength[5] = 0x01; // zig-zag -1: a string of negative length

    for (byte[] bad : List.of(longer, negativeLength)) {
      assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bad))
          .isInstanceOf(SerializationException.class)
          .hasMessageStartingWith("Invalid Avro body");
    }
  }

  @Test
  void aRecordOfAnotherTypeIsReportedAsInvalidAvroBody() {
    GenericAvroSerializer serializer = new GenericAvroSerializer();
    serializer.configure(config(), false);
    byte[] pointBytes = serializer.serialize(TOPIC, point(1, 2));
    SpecificAvroSerde<TaskRecord> serde = SpecificAvroSerde.of(TaskRecord.class, config());

    assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, pointBytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageStartingWith("Invalid Avro body")
        .hasMessageContaining("test.geo.Point");
  }

  // ---- schema evolution ----

  @Test
  void bytesWrittenWithAnOlderSchemaAreReadByTheNewerGeneratedClass() {
    Schema current = TaskRecord.getClassSchema();
    Schema older = withoutDefaultedFields(current);
    assertThat(older.getFields()).hasSizeLessThan(current.getFields().size());
    GenericRecord old = new GenericData.Record(older);
    old.put("task_id", "t-old");
    old.put("url", "https://origin/t-old");
    old.put("content_length", 10L);
    old.put("piece_length", 4);
    old.put("piece_count", 3);
    old.put("piece_digests", List.of("a", "b", "c"));
    old.put("source_host_id", "h");
    old.put("created_at", 1_700_000_000_000L);
    GenericAvroSerializer oldWriter = new GenericAvroSerializer();
    oldWriter.configure(config(), false);
    byte[] bytes = oldWriter.serialize(TOPIC, old);

    SpecificAvroDeserializer<TaskRecord> untyped = new SpecificAvroDeserializer<>();
    untyped.configure(config(), false);
    TaskRecord read = untyped.deserialize(TOPIC, bytes);
    TaskRecord typed =
        SpecificAvroSerde.of(TaskRecord.class, config()).deserializer().deserialize(TOPIC, bytes);

    assertThat(read.getTaskId()).isEqualTo("t-old");
    assertThat(read.getDigest()).isNull();
    assertThat(read.getTag()).isEmpty();
    assertThat(read.getCreatedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    assertThat(typed).isEqualTo(read);
    assertThat(registry.versions(TOPIC + "-value")).containsExactly(1);
  }

  private static Schema withoutDefaultedFields(Schema schema) {
    List<Schema.Field> kept =
        schema.getFields().stream()
            .filter(f -> !f.hasDefaultValue())
            .map(f -> new Schema.Field(f, f.schema()))
            .toList();
    return Schema.createRecord(
        schema.getName(), schema.getDoc(), schema.getNamespace(), false, kept);
  }

  // ---- caching ----

  @Test
  void theRegistryIsCalledOncePerSchemaNotOncePerRecord() {
    CountingRegistryClient counting =
        new CountingRegistryClient(new InMemorySchemaRegistryClient());
    SpecificAvroSerde<TaskRecord> serde = new SpecificAvroSerde<>(counting, TaskRecord.class);
    serde.configure(config(), false);
    GenericAvroSerde generic = new GenericAvroSerde(counting);
    generic.configure(config(), false);

    for (int i = 0; i < 50; i++) {
      TaskRecord back =
          serde
              .deserializer()
              .deserialize(TOPIC, serde.serializer().serialize(TOPIC, task("t" + i)));
      assertThat(back.getTaskId()).isEqualTo("t" + i);
      generic
          .deserializer()
          .deserialize("points", generic.serializer().serialize("points", point(i, i)));
    }

    assertThat(counting.registers).hasValue(2);
    assertThat(counting.byIds).hasValue(2);
    assertThat(counting.lookups).hasValue(0);
  }

  @Test
  void serdesConfiguredWithTheSameMockScopeShareOneRegistry() {
    GenericAvroSerializer a = new GenericAvroSerializer();
    a.configure(config(), false);
    GenericAvroDeserializer b = new GenericAvroDeserializer();
    b.configure(config(), false);

    assertThat(b.deserialize("points", a.serialize("points", point(7, 8)))).isEqualTo(point(7, 8));
    assertThat(a.registryClient())
        .isSameAs(b.registryClient())
        .isSameAs(MockSchemaRegistry.getClientForScope(scope));
  }
}
