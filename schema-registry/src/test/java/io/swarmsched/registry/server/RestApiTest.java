package io.swarmsched.registry.server;

import static io.swarmsched.registry.server.RegistryHttp.record;
import static io.swarmsched.registry.server.RegistryHttp.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.registry.server.RegistryHttp.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST API and its Confluent error codes, over an in-memory log (no Kafka). */
class RestApiTest {

  static final String V1 = record("Host", "{\"name\":\"id\",\"type\":\"string\"}");
  static final String V2 =
      record(
          "Host",
          "{\"name\":\"id\",\"type\":\"string\"},"
              + "{\"name\":\"load\",\"type\":\"double\",\"default\":0.0}");
  static final String V2_NO_DEFAULT =
      record(
          "Host",
          "{\"name\":\"id\",\"type\":\"string\"}," + "{\"name\":\"load\",\"type\":\"double\"}");
  static final String OTHER = record("Piece", "{\"name\":\"n\",\"type\":\"int\"}");

  SchemaRegistryServer server;
  RegistryHttp http;

  @BeforeEach
  void start() {
    RegistryState state = new RegistryState();
    server =
        SchemaRegistryServer.serve(
            new RegistryServerConfig("unused:9092", "127.0.0.1", 0, "_schemas"),
            state,
            RegistryLog.inMemory(state));
    http = new RegistryHttp(server.url());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  int register(String subject, String schema) {
    Answer answer = http.post("/subjects/" + subject + "/versions", schemaBody(schema));
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    return answer.body().get("id").asInt();
  }

  @Test
  void registeringTheSameSchemaTwiceReturnsTheSameIdAndVersion() {
    int first = register("hosts-value", V1);
    int again = register("hosts-value", V1);
    assertThat(again).isEqualTo(first);
    assertThat(http.get("/subjects/hosts-value/versions").body().toString()).isEqualTo("[1]");
  }

  @Test
  void theSameSchemaUnderTwoSubjectsSharesOneIdAndNewSchemasGetNewIds() {
    int a = register("a-value", V1);
    int b = register("b-value", V1);
    int other = register("a-value", V2);
    assertThat(b).isEqualTo(a);
    assertThat(other).isEqualTo(a + 1);
    Answer subjects = http.get("/schemas/ids/" + a + "/subjects");
    assertThat(subjects.body().toString()).isEqualTo("[\"a-value\",\"b-value\"]");
    assertThat(http.get("/schemas/ids/" + a + "/versions").body()).hasSize(2);
  }

  @Test
  void whitespaceDifferencesAreTheSameSchema() {
    int id = register("hosts-value", V1);
    String spaced = V1.replace(",", " ,\n ");
    assertThat(register("hosts-value", spaced)).isEqualTo(id);
  }

  @Test
  void getByIdAnswersTheSchemaAndItsRawForm() {
    int id = register("hosts-value", V1);
    Answer byId = http.get("/schemas/ids/" + id);
    assertThat(byId.status()).isEqualTo(200);
    assertThat(byId.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
    assertThat(byId.body().get("schema").asText()).contains("\"name\":\"Host\"");
    Answer raw = http.get("/schemas/ids/" + id + "/schema");
    assertThat(raw.body().get("name").asText()).isEqualTo("Host");
    assertThat(http.get("/schemas/ids/" + id + "?subject=hosts-value").status()).isEqualTo(200);
    assertThat(http.get("/schemas/types").body().toString()).isEqualTo("[\"AVRO\"]");
  }

  @Test
  void unknownSchemaIdIs40403() {
    Answer answer = http.get("/schemas/ids/999");
    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.errorCode()).isEqualTo(40403);
    assertThat(answer.body().get("message").asText()).contains("999");
  }

  @Test
  void versionsAndLatestAnswerSubjectVersionIdAndSchema() {
    register("hosts-value", V1);
    int id2 = register("hosts-value", V2);
    Answer latest = http.get("/subjects/hosts-value/versions/latest");
    assertThat(latest.body().get("subject").asText()).isEqualTo("hosts-value");
    assertThat(latest.body().get("version").asInt()).isEqualTo(2);
    assertThat(latest.body().get("id").asInt()).isEqualTo(id2);
    assertThat(http.get("/subjects/hosts-value/versions/1").body().get("version").asInt())
        .isEqualTo(1);
    assertThat(http.get("/subjects/hosts-value/versions/-1").body().get("version").asInt())
        .isEqualTo(2);
    assertThat(http.get("/subjects/hosts-value/versions/2/schema").body().get("fields")).hasSize(2);
    assertThat(http.get("/subjects").body().toString()).isEqualTo("[\"hosts-value\"]");
  }

  @Test
  void missingSubjectIs40401AndMissingVersionIs40402AndBadVersionIs42202() {
    assertThat(http.get("/subjects/nope/versions").errorCode()).isEqualTo(40401);
    assertThat(http.get("/subjects/nope/versions/1").errorCode()).isEqualTo(40401);
    register("hosts-value", V1);
    Answer missing = http.get("/subjects/hosts-value/versions/7");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.errorCode()).isEqualTo(40402);
    for (String bad : new String[] {"0", "abc", "-2", "99999999999"}) {
      Answer invalid = http.get("/subjects/hosts-value/versions/" + bad);
      assertThat(invalid.status()).as(bad).isEqualTo(422);
      assertThat(invalid.errorCode()).as(bad).isEqualTo(42202);
    }
  }

  @Test
  void lookupFindsTheVersionOrAnswers40403Or40401() {
    int id = register("hosts-value", V1);
    Answer found = http.post("/subjects/hosts-value", schemaBody(V1));
    assertThat(found.status()).isEqualTo(200);
    assertThat(found.body().get("id").asInt()).isEqualTo(id);
    assertThat(found.body().get("version").asInt()).isEqualTo(1);
    assertThat(found.body().get("subject").asText()).isEqualTo("hosts-value");
    Answer notUnderSubject = http.post("/subjects/hosts-value", schemaBody(OTHER));
    assertThat(notUnderSubject.status()).isEqualTo(404);
    assertThat(notUnderSubject.errorCode()).isEqualTo(40403);
    Answer noSubject = http.post("/subjects/nope", schemaBody(V1));
    assertThat(noSubject.errorCode()).isEqualTo(40401);
  }

  @Test
  void invalidSchemasAre42201NamingTheField() {
    Answer notAvro = http.post("/subjects/s/versions", schemaBody("{\"type\":\"recrd\"}"));
    assertThat(notAvro.status()).isEqualTo(422);
    assertThat(notAvro.errorCode()).isEqualTo(42201);
    assertThat(notAvro.body().get("message").asText()).contains("'schema'");
    Answer missing = http.post("/subjects/s/versions", "{\"schemaType\":\"AVRO\"}");
    assertThat(missing.errorCode()).isEqualTo(42201);
    assertThat(missing.body().get("message").asText()).contains("'schema'");
    Answer protobuf =
        http.post(
            "/subjects/s/versions",
            "{\"schemaType\":\"PROTOBUF\",\"schema\":\"syntax = \\\"proto3\\\";\"}");
    assertThat(protobuf.errorCode()).isEqualTo(42201);
    assertThat(protobuf.body().get("message").asText()).contains("schemaType");
    Answer references =
        http.post(
            "/subjects/s/versions",
            "{\"schema\":\"\\\"string\\\"\",\"references\":[{\"name\":\"x\",\"subject\":\"y\",\"version\":1}]}");
    assertThat(references.errorCode()).isEqualTo(42201);
    assertThat(references.body().get("message").asText()).contains("references");
    Answer notJson = http.post("/subjects/s/versions", "{not json");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.body().get("error_code").asInt()).isEqualTo(400);
    assertThat(http.get("/subjects").body()).isEmpty();
  }

  @Test
  void acceptsTheBodiesAndContentTypesClientsSend() {
    String body =
        "{\"schemaType\":\"AVRO\",\"schema\":"
            + RegistryHttp.JSON.valueToTree(V1)
            + ",\"references\":[],\"metadata\":null,\"ruleSet\":null}";
    for (String type :
        new String[] {
          "application/vnd.schemaregistry.v1+json",
          "application/vnd.schemaregistry+json",
          "application/json",
          "application/octet-stream",
          null
        }) {
      Answer answer = http.send("POST", "/subjects/s/versions?normalize=false", body, type);
      assertThat(answer.status()).as(String.valueOf(type)).isEqualTo(200);
      assertThat(answer.body().get("id").asInt()).isEqualTo(1);
    }
  }

  @Test
  void incompatibleSchemaIs409AndNothingIsRegistered() {
    register("hosts-value", V1);
    Answer answer = http.post("/subjects/hosts-value/versions", schemaBody(V2_NO_DEFAULT));
    assertThat(answer.status()).isEqualTo(409);
    assertThat(answer.errorCode()).isEqualTo(409);
    assertThat(answer.body().get("message").asText()).contains("incompatible").contains("load");
    assertThat(http.get("/subjects/hosts-value/versions").body().toString()).isEqualTo("[1]");
  }

  @Test
  void compatibilityEndpointAnswersIsCompatibleAndVerboseMessages() {
    register("hosts-value", V1);
    Answer ok = http.post("/compatibility/subjects/hosts-value/versions/latest", schemaBody(V2));
    assertThat(ok.body().get("is_compatible").asBoolean()).isTrue();
    assertThat(ok.body().has("messages")).isFalse();
    Answer bad =
        http.post(
            "/compatibility/subjects/hosts-value/versions/1?verbose=true",
            schemaBody(V2_NO_DEFAULT));
    assertThat(bad.body().get("is_compatible").asBoolean()).isFalse();
    assertThat(bad.body().get("messages").get(0).asText())
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
    Answer all = http.post("/compatibility/subjects/hosts-value/versions", schemaBody(V2));
    assertThat(all.body().get("is_compatible").asBoolean()).isTrue();
    // no versions yet: anything is compatible with "latest"; a numbered version must exist
    assertThat(
            http.post("/compatibility/subjects/new/versions/latest", schemaBody(V1))
                .body()
                .get("is_compatible")
                .asBoolean())
        .isTrue();
    assertThat(http.post("/compatibility/subjects/new/versions/1", schemaBody(V1)).errorCode())
        .isEqualTo(40401);
    assertThat(
            http.post("/compatibility/subjects/hosts-value/versions/5", schemaBody(V1)).errorCode())
        .isEqualTo(40402);
    assertThat(
            http.post("/compatibility/subjects/hosts-value/versions/zero", schemaBody(V1))
                .errorCode())
        .isEqualTo(42202);
    assertThat(
            http.post("/compatibility/subjects/hosts-value/versions/latest", schemaBody("{bad"))
                .errorCode())
        .isEqualTo(42201);
  }

  @Test
  void globalAndSubjectConfigFollowConfluentShapes() {
    Answer global = http.get("/config");
    assertThat(global.body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
    Answer notSet = http.get("/config/hosts-value");
    assertThat(notSet.status()).isEqualTo(404);
    assertThat(notSet.errorCode()).isEqualTo(40408);
    assertThat(
            http.get("/config/hosts-value?defaultToGlobal=true")
                .body()
                .get("compatibilityLevel")
                .asText())
        .isEqualTo("BACKWARD");
    Answer put = http.put("/config/hosts-value", "{\"compatibility\":\"full_transitive\"}");
    assertThat(put.body().get("compatibility").asText()).isEqualTo("FULL_TRANSITIVE");
    assertThat(http.get("/config/hosts-value").body().get("compatibilityLevel").asText())
        .isEqualTo("FULL_TRANSITIVE");
    assertThat(
            http.put("/config", "{\"compatibility\":\"NONE\"}")
                .body()
                .get("compatibility")
                .asText())
        .isEqualTo("NONE");
    assertThat(http.get("/config").body().get("compatibilityLevel").asText()).isEqualTo("NONE");
    Answer deleted = http.delete("/config/hosts-value");
    assertThat(deleted.body().get("compatibilityLevel").asText()).isEqualTo("FULL_TRANSITIVE");
    assertThat(http.get("/config/hosts-value").errorCode()).isEqualTo(40408);
  }

  @Test
  void invalidCompatibilityLevelIs42203() {
    Answer wrong = http.put("/config", "{\"compatibility\":\"SIDEWAYS\"}");
    assertThat(wrong.status()).isEqualTo(422);
    assertThat(wrong.errorCode()).isEqualTo(42203);
    assertThat(wrong.body().get("message").asText())
        .contains("SIDEWAYS")
        .contains("FULL_TRANSITIVE");
    assertThat(http.put("/config/s", "{}").errorCode()).isEqualTo(42203);
    assertThat(http.get("/config").body().get("compatibilityLevel").asText()).isEqualTo("BACKWARD");
  }

  @Test
  void subjectLevelDrivesRegistration() {
    register("hosts-value", V1);
    http.put("/config/hosts-value", "{\"compatibility\":\"NONE\"}");
    register("hosts-value", V2_NO_DEFAULT);
    assertThat(http.get("/subjects/hosts-value/versions").body().toString()).isEqualTo("[1,2]");
  }

  @Test
  void softDeleteHidesTheSubjectAndPermanentDeleteRemovesIt() {
    int id = register("hosts-value", V1);
    register("hosts-value", V2);
    Answer permanentFirst = http.delete("/subjects/hosts-value?permanent=true");
    assertThat(permanentFirst.status()).isEqualTo(404);
    assertThat(permanentFirst.errorCode()).isEqualTo(40405);

    Answer soft = http.delete("/subjects/hosts-value");
    assertThat(soft.body().toString()).isEqualTo("[1,2]");
    assertThat(http.get("/subjects").body()).isEmpty();
    assertThat(http.get("/subjects?deleted=true").body().toString()).isEqualTo("[\"hosts-value\"]");
    assertThat(http.get("/subjects/hosts-value/versions").errorCode()).isEqualTo(40401);
    assertThat(http.get("/subjects/hosts-value/versions?deleted=true").body().toString())
        .isEqualTo("[1,2]");
    assertThat(http.get("/subjects/hosts-value/versions/1?deleted=true").status()).isEqualTo(200);
    assertThat(http.post("/subjects/hosts-value?deleted=true", schemaBody(V1)).status())
        .isEqualTo(200);
    assertThat(http.get("/schemas/ids/" + id).status())
        .as("ids survive soft deletes")
        .isEqualTo(200);
    assertThat(http.delete("/subjects/hosts-value").errorCode()).isEqualTo(40404);

    Answer hard = http.delete("/subjects/hosts-value?permanent=true");
    assertThat(hard.body().toString()).isEqualTo("[1,2]");
    assertThat(http.get("/subjects?deleted=true").body()).isEmpty();
    assertThat(http.get("/schemas/ids/" + id).errorCode()).isEqualTo(40403);
    assertThat(http.delete("/subjects/hosts-value").errorCode()).isEqualTo(40401);
  }

  @Test
  void versionDeletesFollowTheSoftThenPermanentOrder() {
    register("hosts-value", V1);
    register("hosts-value", V2);
    assertThat(http.delete("/subjects/hosts-value/versions/1?permanent=true").errorCode())
        .isEqualTo(40407);
    assertThat(http.delete("/subjects/hosts-value/versions/1").body().asInt()).isEqualTo(1);
    assertThat(http.delete("/subjects/hosts-value/versions/1").errorCode()).isEqualTo(40406);
    assertThat(http.get("/subjects/hosts-value/versions").body().toString()).isEqualTo("[2]");
    assertThat(http.get("/subjects/hosts-value/versions/1").errorCode()).isEqualTo(40402);
    assertThat(http.delete("/subjects/hosts-value/versions/1?permanent=true").body().asInt())
        .isEqualTo(1);
    assertThat(http.get("/subjects/hosts-value/versions?deleted=true").body().toString())
        .isEqualTo("[2]");
    assertThat(http.delete("/subjects/hosts-value/versions/9").errorCode()).isEqualTo(40402);
    assertThat(http.delete("/subjects/hosts-value/versions/latest").body().asInt()).isEqualTo(2);
    assertThat(http.delete("/subjects/nope/versions/1").errorCode()).isEqualTo(40401);
    assertThat(http.delete("/subjects/hosts-value/versions/x").errorCode()).isEqualTo(42202);
  }

  @Test
  void reRegisteringASoftDeletedSchemaGetsANewVersionAndTheSameId() {
    int id = register("hosts-value", V1);
    http.delete("/subjects/hosts-value");
    assertThat(register("hosts-value", V1)).isEqualTo(id);
    assertThat(http.get("/subjects/hosts-value/versions").body().toString()).isEqualTo("[2]");
  }

  @Test
  void subjectNamesArePercentDecoded() {
    register("swarm.host-heartbeats.v1-t%2Fx%20y", V1);
    assertThat(http.get("/subjects").body().get(0).asText())
        .isEqualTo("swarm.host-heartbeats.v1-t/x y");
    assertThat(http.get("/subjects/swarm.host-heartbeats.v1-t%2Fx%20y/versions/1").status())
        .isEqualTo(200);
  }

  @Test
  void unknownPathsAre404AndWrongMethodsAre405() {
    Answer unknown = http.get("/nothing/here");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.errorCode()).isEqualTo(404);
    Answer method = http.send("PATCH", "/subjects", "{}", "application/json");
    assertThat(method.status()).isEqualTo(405);
    assertThat(http.get("/").status()).isEqualTo(200);
    assertThat(http.get("/associations/resources/-/topic?associationType=value").body()).isEmpty();
  }

  @Test
  void storeFailuresAre50001() {
    RegistryState state = new RegistryState();
    RegistryLog broken =
        new RegistryLog() {
          @Override
          public void append(java.util.List<RecordCodec.Entry> entries) {
            throw RegistryError.storeError("broker unavailable", null);
          }

          @Override
          public void close() {}
        };
    try (SchemaRegistryServer failing =
        SchemaRegistryServer.serve(
            new RegistryServerConfig("unused:9092", "127.0.0.1", 0, "_schemas"), state, broken)) {
      Answer answer = new RegistryHttp(failing.url()).post("/subjects/s/versions", schemaBody(V1));
      assertThat(answer.status()).isEqualTo(500);
      assertThat(answer.errorCode()).isEqualTo(50001);
      assertThat(answer.body().get("message").asText()).contains("broker unavailable");
    }
  }
}
