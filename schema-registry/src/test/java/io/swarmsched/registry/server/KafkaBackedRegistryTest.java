package io.swarmsched.registry.server;

import static io.swarmsched.registry.server.RegistryHttp.record;
import static io.swarmsched.registry.server.RegistryHttp.schemaBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.registry.server.RegistryHttp.Answer;
import io.swarmsched.testing.Await;
import io.swarmsched.testing.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The registry's state in a compacted Kafka topic: restarts lose nothing, servers agree. */
class KafkaBackedRegistryTest {

  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final String V1 = record("Host", "{\"name\":\"id\",\"type\":\"string\"}");
  static final String V2 =
      record(
          "Host",
          "{\"name\":\"id\",\"type\":\"string\"},"
              + "{\"name\":\"load\",\"type\":\"double\",\"default\":0.0}");
  static final String OTHER = record("Piece", "{\"name\":\"n\",\"type\":\"int\"}");

  final EmbeddedKafka kafka = EmbeddedKafka.get();

  SchemaRegistryServer start(String topic) {
    return SchemaRegistryServer.start(
        new RegistryServerConfig(kafka.bootstrapServers(), "127.0.0.1", 0, topic));
  }

  static int register(RegistryHttp http, String subject, String schema) {
    Answer answer = http.post("/subjects/" + subject + "/versions", schemaBody(schema));
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    return answer.body().get("id").asInt();
  }

  @Test
  void createsTheTopicCompactedWithOnePartition() throws Exception {
    String topic = EmbeddedKafka.uniqueName("_schemas");
    try (SchemaRegistryServer server = start(topic)) {
      TopicDescription description =
          kafka.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      assertThat(description.partitions()).hasSize(1);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Config config = kafka.admin().describeConfigs(List.of(resource)).all().get().get(resource);
      assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
      assertThat(server.url()).startsWith("http://127.0.0.1:");
    }
  }

  @Test
  void aRestartServesTheSameSubjectsIdsVersionsConfigAndDeletes() {
    String topic = EmbeddedKafka.uniqueName("_schemas");
    int id1;
    int id2;
    int otherId;
    try (SchemaRegistryServer server = start(topic)) {
      RegistryHttp http = new RegistryHttp(server.url());
      id1 = register(http, "hosts-value", V1);
      id2 = register(http, "hosts-value", V2);
      otherId = register(http, "pieces-value", OTHER);
      register(http, "gone-value", OTHER);
      assertThat(http.put("/config/hosts-value", "{\"compatibility\":\"FULL\"}").status())
          .isEqualTo(200);
      assertThat(http.put("/config", "{\"compatibility\":\"FORWARD\"}").status()).isEqualTo(200);
      assertThat(http.delete("/subjects/pieces-value").status()).isEqualTo(200);
      assertThat(http.delete("/subjects/gone-value").status()).isEqualTo(200);
      assertThat(http.delete("/subjects/gone-value?permanent=true").status()).isEqualTo(200);
    }
    try (SchemaRegistryServer restarted = start(topic)) {
      RegistryHttp http = new RegistryHttp(restarted.url());
      assertThat(http.get("/subjects").body().toString()).isEqualTo("[\"hosts-value\"]");
      assertThat(http.get("/subjects?deleted=true").body().toString())
          .isEqualTo("[\"hosts-value\",\"pieces-value\"]");
      assertThat(http.get("/subjects/hosts-value/versions").body().toString()).isEqualTo("[1,2]");
      assertThat(http.get("/subjects/hosts-value/versions/1").body().get("id").asInt())
          .isEqualTo(id1);
      assertThat(http.get("/subjects/hosts-value/versions/latest").body().get("id").asInt())
          .isEqualTo(id2);
      assertThat(http.get("/schemas/ids/" + otherId).status()).isEqualTo(200);
      assertThat(http.get("/config/hosts-value").body().get("compatibilityLevel").asText())
          .isEqualTo("FULL");
      assertThat(http.get("/config").body().get("compatibilityLevel").asText())
          .isEqualTo("FORWARD");
      // ids keep growing from the highest one in the log
      int next = register(http, "new-value", record("Fresh", "{\"name\":\"f\",\"type\":\"long\"}"));
      assertThat(next).isGreaterThan(Math.max(id2, otherId));
    }
  }

  @Test
  void twoServersOnOneTopicAgree() {
    String topic = EmbeddedKafka.uniqueName("_schemas");
    try (SchemaRegistryServer a = start(topic);
        SchemaRegistryServer b = start(topic)) {
      RegistryHttp httpA = new RegistryHttp(a.url());
      RegistryHttp httpB = new RegistryHttp(b.url());
      int id = register(httpA, "hosts-value", V1);
      Answer seenByB =
          Await.value(
              TIMEOUT,
              "server B to see the schema registered on A",
              () -> {
                Answer answer = httpB.get("/subjects/hosts-value/versions/1");
                return answer.status() == 200
                    ? java.util.Optional.of(answer)
                    : java.util.Optional.empty();
              });
      assertThat(seenByB.body().get("id").asInt()).isEqualTo(id);
      // the same schema through B answers A's id; a new one continues A's numbering
      assertThat(register(httpB, "hosts-value", V1)).isEqualTo(id);
      int id2 = register(httpB, "hosts-value", V2);
      assertThat(id2).isEqualTo(id + 1);
      httpB.put("/config/hosts-value", "{\"compatibility\":\"NONE\"}");
      Await.until(
          TIMEOUT,
          "server A to see B's version 2 and config",
          () ->
              httpA.get("/subjects/hosts-value/versions/2").status() == 200
                  && httpA.get("/config/hosts-value").status() == 200);
      assertThat(httpA.get("/schemas/ids/" + id2).body().get("schema").asText()).contains("load");
      assertThat(httpA.get("/config/hosts-value").body().get("compatibilityLevel").asText())
          .isEqualTo("NONE");
    }
  }

  @Test
  void startFailsWithAStoreErrorWhenKafkaIsUnreachable() {
    RegistryServerConfig config =
        new RegistryServerConfig("127.0.0.1:1", "127.0.0.1", 0, "_schemas", Duration.ofSeconds(3));
    assertThatThrownBy(() -> SchemaRegistryServer.start(config))
        .isInstanceOfSatisfying(
            RegistryError.class, e -> assertThat(e.errorCode()).isEqualTo(50001))
        .hasMessageContaining("_schemas");
  }

  @Test
  void foreignOrBrokenRecordsInTheTopicAreSkipped() throws Exception {
    String topic = EmbeddedKafka.uniqueName("_schemas");
    kafka.createTopic(topic, 1, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"));
    try (var producer =
        new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(
            kafka.producerProps())) {
      for (String[] kv :
          new String[][] {
            {"{\"keytype\":\"NOOP\",\"magic\":0}", "{}"},
            {"not json", "x"},
            {
              "{\"keytype\":\"SCHEMA\",\"subject\":\"p\",\"version\":1,\"magic\":1}",
              "{\"subject\":\"p\",\"version\":1,\"id\":5,\"schemaType\":\"PROTOBUF\",\"schema\":\"x\"}"
            },
            {
              "{\"keytype\":\"SCHEMA\",\"subject\":\"ok\",\"version\":1,\"magic\":1}",
              "{\"subject\":\"ok\",\"version\":1,\"id\":3,\"schema\":\"\\\"string\\\"\",\"deleted\":false}"
            }
          }) {
        producer
            .send(
                new org.apache.kafka.clients.producer.ProducerRecord<>(
                    topic, kv[0].getBytes(), kv[1].getBytes()))
            .get();
      }
    }
    try (SchemaRegistryServer server = start(topic)) {
      RegistryHttp http = new RegistryHttp(server.url());
      assertThat(http.get("/subjects").body().toString()).isEqualTo("[\"ok\"]");
      assertThat(http.get("/schemas/ids/3").body().get("schema").asText()).isEqualTo("\"string\"");
      assertThat(register(http, "next", V1)).isEqualTo(4);
    }
  }
}
