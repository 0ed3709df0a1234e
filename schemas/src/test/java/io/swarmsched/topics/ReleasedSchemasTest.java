package io.swarmsched.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class ReleasedSchemasTest {

  @Test
  void everyCatalogRecordHasItsReleasedVersionsInTheRepository() {
    for (Schema current : SchemaCatalog.recordSchemas().values()) {
      assertThat(ReleasedSchemas.of(current.getName()))
          .as("released/%s/v1.avsc", current.getName())
          .isNotEmpty();
    }
  }

  @Test
  void everyCurrentSchemaIsBackwardCompatibleWithEveryReleasedPredecessor() {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Schema> e : SchemaCatalog.recordSchemas().entrySet()) {
      List<Schema> released = ReleasedSchemas.of(e.getValue().getName());
      for (String p : ReleasedSchemas.backwardIncompatibilities(e.getValue(), released)) {
        problems.add(e.getKey() + ": " + p);
      }
    }
    assertThat(problems)
        .as(
            "current schemas must read data written with every released version; "
                + "add a default to new fields, never change a field's type or remove an enum symbol")
        .isEmpty();
  }

  @Test
  void theCheckerCatchesANewFieldWithoutADefault() {
    Schema released = ReleasedSchemas.of("HostState").get(0);
    Schema changed =
        withExtraField(released, new Schema.Field("rack", Schema.create(Schema.Type.STRING)));

    assertThat(ReleasedSchemas.backwardIncompatibilities(changed, List.of(released)))
        .singleElement()
        .asString()
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
        .contains("rack");
  }

  @Test
  void theCheckerCatchesAFieldTypeThatCannotBePromoted() {
    Schema released = ReleasedSchemas.of("HostHeartbeat").get(0);
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : released.getFields()) {
      fields.add(
          f.name().equals("sequence")
              ? new Schema.Field(f, Schema.create(Schema.Type.INT))
              : new Schema.Field(f, f.schema()));
    }
    Schema changed =
        Schema.createRecord(
            released.getName(), released.getDoc(), released.getNamespace(), false, fields);

    assertThat(ReleasedSchemas.backwardIncompatibilities(changed, List.of(released)))
        .anySatisfy(p -> assertThat(p).contains("TYPE_MISMATCH").contains("sequence"));
  }

  @Test
  void theCheckerAcceptsANewFieldWithADefault() {
    Schema released = ReleasedSchemas.of("HostState").get(0);
    Schema changed =
        withExtraField(
            released,
            new Schema.Field("rack", Schema.create(Schema.Type.STRING), "rack label", ""));

    assertThat(ReleasedSchemas.backwardIncompatibilities(changed, List.of(released))).isEmpty();
  }

  @Test
  void theCheckerComparesWithEveryReleasedVersionNotOnlyTheLatest() {
    Schema v1 = ReleasedSchemas.of("TaskMetadata").get(0);
    List<Schema.Field> withoutUrl = new ArrayList<>();
    for (Schema.Field f : v1.getFields()) {
      if (!f.name().equals("url")) {
        withoutUrl.add(new Schema.Field(f, f.schema()));
      }
    }
    Schema v2 =
        Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, withoutUrl);
    // v3 brings url back as a long: fine against v2 (it has a default), not against v1 (string ->
    // long)
    Schema v3 =
        withExtraField(v2, new Schema.Field("url", Schema.create(Schema.Type.LONG), null, 0L));

    assertThat(ReleasedSchemas.backwardIncompatibilities(v3, List.of(v2))).isEmpty();
    assertThat(ReleasedSchemas.backwardIncompatibilities(v3, List.of(v1, v2))).isNotEmpty();
  }

  private static Schema withExtraField(Schema record, Schema.Field extra) {
    List<Schema.Field> fields = new ArrayList<>();
    record.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
    fields.add(extra);
    return Schema.createRecord(
        record.getName(), record.getDoc(), record.getNamespace(), false, fields);
  }
}
