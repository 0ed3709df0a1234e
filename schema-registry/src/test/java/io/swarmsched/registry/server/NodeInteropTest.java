package io.swarmsched.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmsched.serde.GenericAvroDeserializer;
import io.swarmsched.serde.GenericAvroSerializer;
import io.swarmsched.serde.SerdeConfig;
import io.swarmsched.testing.EmbeddedKafka;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Confluent's Node.js clients ({@code @confluentinc/schemaregistry}, {@code
 * @kafkajs/confluent-schema-registry}) against our server, and Avro bytes both ways between our Java
 * serdes and those clients. Installs the pinned npm packages (src/test/node) on first run; skips
 * with a visible message where Node.js or npm is absent.
 */
class NodeInteropTest {

  /** Same schema as SCHEMA in src/test/node/interop.js. */
  static final Schema SCHEMA =
      new Schema.Parser()
          .parse(
              """
      {"type":"record","name":"InteropHost","namespace":"io.swarmsched.interop","fields":[
        {"name":"host_id","type":"string"},
        {"name":"seq","type":"long"},
        {"name":"load","type":"double"},
        {"name":"up","type":"boolean"},
        {"name":"tags","type":{"type":"array","items":"string"}},
        {"name":"note","type":["null","string"],"default":null},
        {"name":"kind","type":{"type":"enum","name":"InteropKind","symbols":["NORMAL","SEED"]}}]}
      """);

  static final ObjectMapper JSON = new ObjectMapper();
  static final long NODE_TIMEOUT_SECONDS = 180;
  static final long NPM_TIMEOUT_SECONDS = 600;

  /**
   * Overridable (-Dinterop.node=..., -Dinterop.npm=...) to use another install or to check the
   * skip.
   */
  static final String NODE = System.getProperty("interop.node", "node");

  static final String NPM = System.getProperty("interop.npm", "npm");

  static Path nodeDir;
  static SchemaRegistryServer server;

  /** Why the tests skip, or null when Node.js and npm are present. */
  static String skipReason;

  @BeforeAll
  static void installAndStart() throws Exception {
    if (!works(NODE, "-v")) {
      skipReason =
          "SKIPPED: Node.js ('"
              + NODE
              + "') is not on the PATH;"
              + " install Node.js 18+ to run the Node interop tests";
    } else if (!works(NPM, "-v")) {
      skipReason =
          "SKIPPED: npm ('"
              + NPM
              + "') is not on the PATH; install npm to run the Node interop tests";
    }
    if (skipReason != null) {
      System.err.println("NodeInteropTest " + skipReason);
      return;
    }
    nodeDir = Path.of(System.getProperty("basedir", "."), "src", "test", "node").toAbsolutePath();
    boolean installed =
        Files.exists(nodeDir.resolve("node_modules/.package-lock.json"))
            && Files.exists(nodeDir.resolve("node_modules/@confluentinc/schemaregistry"))
            && Files.exists(nodeDir.resolve("node_modules/@kafkajs/confluent-schema-registry"));
    if (!installed) {
      Run npm = run(NPM_TIMEOUT_SECONDS, NPM, "ci", "--no-audit", "--no-fund");
      if (npm.exit != 0) {
        fail("npm ci in " + nodeDir + " failed (exit " + npm.exit + ")\n" + npm);
      }
    }
    server =
        SchemaRegistryServer.start(
            new RegistryServerConfig(
                EmbeddedKafka.get().bootstrapServers(),
                "127.0.0.1",
                0,
                EmbeddedKafka.uniqueName("_schemas")));
  }

  @BeforeEach
  void skipWithoutNode() {
    Assumptions.assumeTrue(skipReason == null, skipReason);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void bothNodeClientsRegisterLookUpAndCheckCompatibility() throws Exception {
    JsonNode result = node("clients", server.url(), "interop");
    int id = result.path("confluent").path("id").asInt();
    assertThat(id).isPositive();
    assertThat(result.path("kafkajs").path("id").asInt()).isEqualTo(id);
    // what Node registered is visible to a plain HTTP client too
    RegistryHttp http = new RegistryHttp(server.url());
    assertThat(http.get("/subjects/interop-confluent-value/versions").body().toString())
        .isEqualTo("[1,2]");
    assertThat(
            http.get("/config/interop-confluent-value").body().get("compatibilityLevel").asText())
        .isEqualTo("FULL");
    assertThat(http.get("/config/interop-kafkajs-value").body().get("compatibilityLevel").asText())
        .isEqualTo("BACKWARD");
  }

  @Test
  void bytesWrittenByOurJavaSerializerDecodeInBothNodeClients() throws Exception {
    String topic = "java-to-node";
    GenericRecord value = new GenericData.Record(SCHEMA);
    value.put("host_id", "java-host-1");
    value.put("seq", 1234567890123L);
    value.put("load", 0.5);
    value.put("up", false);
    value.put("tags", List.of("edge", "seed"));
    value.put("note", "from java");
    value.put("kind", new GenericData.EnumSymbol(SCHEMA.getField("kind").schema(), "NORMAL"));
    byte[] bytes;
    try (GenericAvroSerializer serializer = new GenericAvroSerializer()) {
      serializer.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, server.url()), false);
      bytes = serializer.serialize(topic, value);
    }
    JsonNode decoded = node("decode", server.url(), topic, HexFormat.of().formatHex(bytes));
    for (String client : new String[] {"confluent", "kafkajs"}) {
      JsonNode record = decoded.get(client);
      assertThat(record).as(client + " decoded " + decoded).isNotNull();
      assertThat(record.get("host_id").asText()).as(client).isEqualTo("java-host-1");
      assertThat(record.get("seq").asLong()).as(client).isEqualTo(1234567890123L);
      assertThat(record.get("load").asDouble()).as(client).isEqualTo(0.5);
      assertThat(record.get("up").asBoolean()).as(client).isFalse();
      assertThat(record.get("tags").toString()).as(client).isEqualTo("[\"edge\",\"seed\"]");
      assertThat(record.get("note").asText()).as(client).isEqualTo("from java");
      assertThat(record.get("kind").asText()).as(client).isEqualTo("NORMAL");
    }
  }

  @Test
  void bytesWrittenByBothNodeClientsDecodeWithOurJavaDeserializer() throws Exception {
    String topic = "node-to-java";
    JsonNode encoded = node("encode", server.url(), topic);
    try (GenericAvroDeserializer deserializer = new GenericAvroDeserializer()) {
      deserializer.configure(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, server.url()), false);
      for (String client : new String[] {"confluent", "kafkajs"}) {
        byte[] bytes = HexFormat.of().parseHex(encoded.get(client).asText());
        assertThat(bytes[0]).as(client + " magic byte").isEqualTo((byte) 0);
        GenericRecord record = deserializer.deserialize(topic, bytes);
        assertThat(record.get("host_id").toString()).as(client).isEqualTo("node-host-7");
        assertThat(record.get("seq")).as(client).isEqualTo(42L);
        assertThat(record.get("load")).as(client).isEqualTo(0.75);
        assertThat(record.get("up")).as(client).isEqualTo(true);
        assertThat(record.get("tags").toString()).as(client).isEqualTo("[gpu, idc-a]");
        assertThat(record.get("note").toString()).as(client).isEqualTo("from node");
        assertThat(record.get("kind").toString()).as(client).isEqualTo("SEED");
      }
    }
  }

  // ---- process helpers ----

  /** Runs interop.js and answers the JSON of its last stdout line; fails with node's output. */
  static JsonNode node(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(NODE, "interop.js"));
    command.addAll(List.of(args));
    Run run = run(NODE_TIMEOUT_SECONDS, command.toArray(String[]::new));
    if (run.exit != 0) {
      fail("node " + String.join(" ", args) + " failed (exit " + run.exit + ")\n" + run);
    }
    String[] lines = run.stdout.strip().split("\n");
    try {
      return JSON.readTree(lines[lines.length - 1]);
    } catch (IOException e) {
      return fail("node printed no JSON result\n" + run);
    }
  }

  record Run(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
  }

  static Run run(long timeoutSeconds, String... command) throws Exception {
    File out = File.createTempFile("node-out", ".txt");
    File err = File.createTempFile("node-err", ".txt");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(nodeDir.toFile())
              .redirectOutput(out)
              .redirectError(err)
              .start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return new Run(
            -1,
            Files.readString(out.toPath()),
            Files.readString(err.toPath()) + "\n(timed out after " + timeoutSeconds + " s)");
      }
      return new Run(
          process.exitValue(), Files.readString(out.toPath()), Files.readString(err.toPath()));
    } finally {
      out.delete();
      err.delete();
    }
  }

  static boolean works(String... command) {
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
