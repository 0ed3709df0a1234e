package io.swarmsched.swarm;

import com.github.dockerjava.api.exception.NotFoundException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * in this JVM against the container's bootstrap address and the Confluent registry's URL (and, when
 * compose's image {@code swarmsched:0.1.0-SNAPSHOT} is built, also in containers from it); {@link
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
  private static final String REGISTRY_ALIAS = "schema-registry";
  private static final int REGISTRY_PORT = 8081;

  /**
   * The project's image as compose builds it ({@code docker compose build}); the test that runs the
   * services from it skips, saying so, when it is not built (building it here would run a full
   * Maven build inside Docker).
   */
  static final String SERVICES_IMAGE = "swarmsched:0.1.0-SNAPSHOT";

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
            .withNetworkAliases(REGISTRY_ALIAS)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", REGISTRY_ALIAS)
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

  private static String registryUrl() {
    return "http://" + registry.getHost() + ":" + registry.getMappedPort(REGISTRY_PORT);
  }

  @Test
  void heartbeatsAndScheduleRequestsGetDecisionsThroughConfluentsRegistry(@TempDir Path state)
      throws Exception {
    Assumptions.assumeTrue(skipReason == null, skipReason);
    new ProductionPathFlow(kafka.getBootstrapServers(), registryUrl(), state).run();
  }

  /**
   * As above with heartbeat-ingest, scoring-streams and the dispatcher from the project's image,
   * each in its own container with compose's command, environment and health check; the test sends
   * and reads through the containers' mapped ports.
   */
  @Test
  void theServicesFromTheProjectsImageDoTheSame(@TempDir Path state) throws Exception {
    Assumptions.assumeTrue(skipReason == null, skipReason);
    boolean built;
    try {
      DockerClientFactory.instance().client().inspectImageCmd(SERVICES_IMAGE).exec();
      built = true;
    } catch (NotFoundException e) {
      built = false;
    }
    String notBuilt =
        "SKIPPED: image "
            + SERVICES_IMAGE
            + " is not built; `docker compose build` builds it (the test with in-process services needs no image)";
    if (!built) System.err.println("ConfluentContainersTest " + notBuilt);
    Assumptions.assumeTrue(built, notBuilt);

    new ProductionPathFlow(kafka.getBootstrapServers(), registryUrl(), state)
        .runWith(ConfluentContainersTest::startImageServices);
  }

  private static ProductionPathFlow.Services startImageServices() {
    List<GenericContainer<?>> started = new ArrayList<>();
    Runnable stopAll =
        () -> {
          for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).stop();
          }
        };
    try {
      GenericContainer<?> ingest = service("heartbeat-ingest", "ingest", 8082);
      started.add(ingest);
      ingest.start();
      GenericContainer<?> scoring = service("scoring-streams", "score", 8083);
      started.add(scoring);
      scoring.start();
      GenericContainer<?> dispatcher = service("dispatcher", "dispatch", 8084);
      started.add(dispatcher);
      dispatcher.start();
      return new ProductionPathFlow.Services() {
        @Override
        public String ingestUrl() {
          return url(ingest, 8082);
        }

        @Override
        public String dispatcherUrl() {
          return url(dispatcher, 8084);
        }

        @Override
        public void close() {
          stopAll.run();
        }
      };
    } catch (RuntimeException | Error e) {
      stopAll.run();
      throw e;
    }
  }

  /** One service as docker-compose.yml declares it, on the containers' network. */
  private static GenericContainer<?> service(String name, String command, int port) {
    return new GenericContainer<>(SERVICES_IMAGE)
        .withNetwork(network)
        .withNetworkAliases(name)
        .withCommand(command)
        .withEnv("SWARM_BOOTSTRAP_SERVERS", KAFKA_INTERNAL)
        .withEnv("SWARM_SCHEMA_REGISTRY_URL", "http://" + REGISTRY_ALIAS + ":" + REGISTRY_PORT)
        .withEnv("SWARM_HTTP_PORT", Integer.toString(port))
        .withEnv("SWARM_HTTP_ADVERTISED", name + ":" + port)
        .withExposedPorts(port)
        // compose's health check: /health answers 200 once the service's streams run.
        .waitingFor(
            Wait.forHttp("/health")
                .forPort(port)
                .forStatusCode(200)
                .withStartupTimeout(Duration.ofMinutes(3)));
  }

  private static String url(GenericContainer<?> c, int port) {
    return "http://" + c.getHost() + ":" + c.getMappedPort(port);
  }
}
