package io.swarmsched.swarm;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The production path on the images compose runs (docker-compose.yml): Apache Kafka from {@code
 * apache/kafka} and Confluent's own schema registry from {@code confluentinc/cp-schema-registry},
 * in containers started by Testcontainers. heartbeat-ingest, scoring-streams and the dispatcher run
 * in this JVM against the container's bootstrap address and the Confluent registry's URL; {@link
 * ProductionPathFlow} sends heartbeats and schedule requests with the project's serdes and checks
 * the hosts, the decisions, and that the schema ids in the records are the ones Confluent's
 * registry assigned (so the project's serializers and deserializers are proven against Confluent's
 * REST API and wire format, not only against the project's own registry).
 *
 * <p>Where there is no Docker engine (as on the machines this project is built on) the test is
 * skipped with a message saying so, and the same flow stays covered on the embedded cluster (a real
 * KRaft broker from Kafka's Maven artifacts): {@link ProductionPathFlowTest} runs this very flow
 * there against the project's own registry over HTTP; {@link HostileInputTest} (heartbeats → hosts
 * → schedule requests → decisions, hostile records between) and the dispatcher's {@code
 * DispatcherClusterTest} (requests → decisions over Kafka and HTTP, from either instance) cover it
 * with the mock registry; {@link SwarmSystemTest} and the CLI's {@code DemoEndToEndTest} run it
 * with real agents through to verified downloads; the registry's {@code NodeInteropTest} checks the
 * project's registry against Confluent's JavaScript clients.
 */
class ConfluentContainersTest {
  /** The images and tags docker-compose.yml runs, so this test checks what compose deploys. */
  static final String KAFKA_IMAGE = "apache/kafka:4.3.1";

  static final String REGISTRY_IMAGE = "confluentinc/cp-schema-registry:8.0.0";

  /** The broker's name and listener inside the containers' network, for the registry. */
  private static final String KAFKA_ALIAS = "kafka";

  private static final String KAFKA_INTERNAL = KAFKA_ALIAS + ":19092";
  private static final int REGISTRY_PORT = 8081;

  /** Why the test skips, or null when a Docker engine answers. */
  static String skipReason;

  private static Network network;
  private static KafkaContainer kafka;
  private static GenericContainer<?> registry;

  @BeforeAll
  static void startContainers() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      skipReason =
          "SKIPPED: no Docker engine (Testcontainers found none), so apache/kafka and"
              + " confluentinc/cp-schema-registry cannot start; the embedded-cluster tests"
              + " (HostileInputTest, SwarmSystemTest, DispatcherClusterTest, DemoEndToEndTest) cover"
              + " the same heartbeat → host → schedule → decision flow";
      System.err.println("ConfluentContainersTest " + skipReason);
      return;
    }
    network = Network.newNetwork();
    kafka =
        new KafkaContainer(KAFKA_IMAGE)
            .withNetwork(network)
            // A second listener the registry's container reaches by name; the default one is
            // advertised as the host's mapped port, for the services in this JVM.
            .withListener(KAFKA_INTERNAL)
            // compose's choice: the catalog is provisioned, a topic-name typo must not create one.
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .withStartupTimeout(Duration.ofMinutes(3));
    registry =
        new GenericContainer<>(REGISTRY_IMAGE)
            .withNetwork(network)
            .withExposedPorts(REGISTRY_PORT)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:" + REGISTRY_PORT)
            .withEnv(
                "SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://" + KAFKA_INTERNAL)
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR", "1")
            .dependsOn(kafka)
            // compose's health check: ready once it answers GET /subjects.
            .waitingFor(
                Wait.forHttp("/subjects")
                    .forPort(REGISTRY_PORT)
                    .forStatusCode(200)
                    .withStartupTimeout(Duration.ofMinutes(3)));
    registry.start(); // starts kafka first (dependsOn)
  }

  @AfterAll
  static void stopContainers() {
    if (registry != null) registry.stop();
    if (kafka != null) kafka.stop();
    if (network != null) network.close();
  }

  @Test
  void heartbeatsAndScheduleRequestsGetDecisionsThroughConfluentsRegistry(@TempDir Path state)
      throws Exception {
    Assumptions.assumeTrue(skipReason == null, skipReason);
    String registryUrl =
        "http://" + registry.getHost() + ":" + registry.getMappedPort(REGISTRY_PORT);
    new ProductionPathFlow(kafka.getBootstrapServers(), registryUrl, state).run();
  }
}
