package io.swarmsched.registry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryClientTest {
  private static final Schema V1 =
      SchemaBuilder.record("Thing").namespace("t").fields().requiredString("id").endRecord();
  private static final Schema V2 =
      SchemaBuilder.record("Thing")
          .namespace("t")
          .fields()
          .requiredString("id")
          .name("n")
          .type()
          .intType()
          .intDefault(0)
          .endRecord();
  private static final Schema V2_NO_DEFAULT =
      SchemaBuilder.record("Thing")
          .namespace("t")
          .fields()
          .requiredString("id")
          .requiredInt("n")
          .endRecord();

  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();

  @Test
  void registeringIsIdempotentAndVersionsCountUp() {
    int id1 = registry.register("s", V1);
    assertThat(registry.register("s", V1)).isEqualTo(id1);
    int id2 = registry.register("s", V2);

    assertThat(id2).isNotEqualTo(id1);
    assertThat(registry.versions("s")).containsExactly(1, 2);
    assertThat(registry.getLatest("s")).isEqualTo(new SchemaMetadata(id2, 2, "s", V2));
    assertThat(registry.getVersion("s", 1).schema()).isEqualTo(V1);
    assertThat(registry.lookup("s", V1).version()).isEqualTo(1);
    assertThat(registry.getById(id2)).isEqualTo(V2);
  }

  @Test
  void theSameSchemaUnderTwoSubjectsHasOneId() {
    assertThat(registry.register("a", V1)).isEqualTo(registry.register("b", V1));
    assertThat(registry.subjects()).containsExactly("a", "b");
  }

  @Test
  void anIncompatibleSchemaIsRefusedWith409UnderTheDefaultBackwardLevel() {
    registry.register("s", V1);
    assertThat(registry.testCompatibility("s", V2_NO_DEFAULT)).isFalse();
    assertThatThrownBy(() -> registry.register("s", V2_NO_DEFAULT))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.status()).isEqualTo(409);
              assertThat(e.errorCode()).isEqualTo(RegistryException.INCOMPATIBLE_SCHEMA);
              assertThat(e.getMessage()).contains("READER_FIELD_MISSING_DEFAULT_VALUE");
            });

    registry.setCompatibility("s", CompatibilityLevel.NONE);
    assertThat(registry.getCompatibility("s")).isEqualTo(CompatibilityLevel.NONE);
    assertThat(registry.getCompatibility(null)).isEqualTo(CompatibilityLevel.BACKWARD);
    registry.register("s", V2_NO_DEFAULT);
    assertThat(registry.versions("s")).containsExactly(1, 2);
  }

  @Test
  void unknownThingsFailWithConfluentErrorCodes() {
    registry.register("s", V1);
    assertThat(code(() -> registry.getLatest("nope"))).isEqualTo(40401);
    assertThat(code(() -> registry.getVersion("s", 9))).isEqualTo(40402);
    assertThat(code(() -> registry.getById(999))).isEqualTo(40403);
    assertThat(code(() -> registry.lookup("s", V2))).isEqualTo(40403);
  }

  @Test
  void deletingASubjectKeepsItsIdsResolvable() {
    int id = registry.register("s", V1);
    assertThat(registry.deleteSubject("s")).containsExactly(1);
    assertThat(registry.subjects()).isEmpty();
    assertThat(registry.getById(id)).isEqualTo(V1);
  }

  @Test
  void transitiveLevelsCheckEveryEarlierVersion() {
    Schema v1 = SchemaBuilder.record("R").fields().requiredInt("x").endRecord();
    Schema v2 = SchemaBuilder.record("R").fields().endRecord();
    Schema v3 =
        SchemaBuilder.record("R")
            .fields()
            .name("x")
            .type()
            .stringType()
            .stringDefault("")
            .endRecord();

    assertThat(CompatibilityLevel.BACKWARD.isCompatible(v3, List.of(v1, v2))).isTrue();
    assertThat(CompatibilityLevel.BACKWARD_TRANSITIVE.isCompatible(v3, List.of(v1, v2))).isFalse();
    assertThat(CompatibilityLevel.NONE.isCompatible(v3, List.of(v1, v2))).isTrue();
  }

  @Test
  void mockScopesAreSharedUntilDropped() {
    InMemorySchemaRegistryClient first = MockSchemaRegistry.getClientForScope("shared-test");
    assertThat(
            SchemaRegistryClients.fromConfig(Map.of("schema.registry.url", "mock://shared-test")))
        .isSameAs(first);
    MockSchemaRegistry.dropScope("shared-test");
    assertThat(MockSchemaRegistry.getClientForScope("shared-test")).isNotSameAs(first);
    MockSchemaRegistry.dropScope("shared-test");
  }

  @Test
  void aMockUrlCannotBeMixedWithHttpUrls() {
    assertThatThrownBy(
            () ->
                SchemaRegistryClients.fromConfig(
                    Map.of("schema.registry.url", "mock://x,http://localhost:8081")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("schema.registry.url");
  }

  private static int code(Runnable call) {
    try {
      call.run();
    } catch (RegistryException e) {
      assertThat(e.status()).isEqualTo(404);
      return e.errorCode();
    }
    throw new AssertionError("expected a RegistryException");
  }
}
