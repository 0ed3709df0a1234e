package io.swarmsched.cluster;

import io.swarmsched.topics.TopicProvisioner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default deployment: a real Kafka broker in a child JVM ({@link BrokerProcess}), the
 * schema registry in this JVM, the topic catalog provisioned and its schemas registered. Data lives
 * in {@link LocalClusterConfig#dataDir()} and survives restarts.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(LocalClusterConfig.defaults())) {
 *   cluster.bootstrapServers();   // localhost:9092
 *   cluster.registryUrl();        // http://127.0.0.1:8081
 * }
 * }</pre>
 */
public final class LocalCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);
  public static final String REGISTRY_TOPIC = "_schemas";
  private static final Duration PROVISION_TIMEOUT = Duration.ofSeconds(60);

  private final LocalClusterConfig config;
  private final BrokerProcess broker;
  private final RegistryHandle registry;
  private final List<TopicProvisioner.Result> topics;
  private final Map<String, Integer> schemaIds;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean closed;

  private LocalCluster(
      LocalClusterConfig config,
      BrokerProcess broker,
      RegistryHandle registry,
      List<TopicProvisioner.Result> topics,
      Map<String, Integer> schemaIds) {
    this.config = config;
    this.broker = broker;
    this.registry = registry;
    this.topics = topics;
    this.schemaIds = schemaIds;
  }

  /**
   * Checks the ports, starts the broker and waits until it answers, starts the registry, provisions
   * the catalog and registers its schemas.
   *
   * @throws PortInUseException naming the port when one is taken
   * @throws ClusterException with a one-line reason when anything else fails
   */
  public static LocalCluster start(LocalClusterConfig config) {
    Ports.requireFree("Kafka", config.kafkaPort(), "--kafka-port");
    Ports.requireFree("Kafka controller", config.controllerPort(), "--controller-port");
    Ports.requireFree("schema registry", config.registryPort(), "--registry-port");

    BrokerProcess broker = BrokerProcess.start(config);
    RegistryHandle registry = null;
    try {
      List<TopicProvisioner.Result> topics =
          CatalogProvisioning.provisionTopics(config.bootstrapServers(), PROVISION_TIMEOUT);
      registry =
          RegistryHandle.start(
              config.bootstrapServers(), config.host(), config.registryPort(), REGISTRY_TOPIC);
      Map<String, Integer> ids =
          CatalogProvisioning.registerSchemas(registry.url(), PROVISION_TIMEOUT);
      log.info(
          "Local cluster ready: Kafka {} registry {}", config.bootstrapServers(), registry.url());
      return new LocalCluster(config, broker, registry, topics, ids);
    } catch (RuntimeException e) {
      if (registry != null) {
        closeQuietly(registry);
      }
      broker.close();
      throw e;
    }
  }

  public LocalClusterConfig config() {
    return config;
  }

  public String bootstrapServers() {
    return config.bootstrapServers();
  }

  public String registryUrl() {
    return registry.url();
  }

  /** Pid of the broker's child JVM. */
  public long brokerPid() {
    return broker.pid();
  }

  /** What start-up did to each catalog topic. */
  public List<TopicProvisioner.Result> topics() {
    return topics;
  }

  /** Registry subject → schema id of every catalog schema. */
  public Map<String, Integer> schemaIds() {
    return schemaIds;
  }

  /** Closes this cluster when the JVM exits (Ctrl-C); returns this. */
  public LocalCluster closeOnShutdown() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "swarmsched-cluster-shutdown"));
    return this;
  }

  /** Blocks until {@link #close()} ran (e.g. from the shutdown hook) or the broker died. */
  public void awaitStopped() throws InterruptedException {
    while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
      if (!broker.isAlive() && !closed) {
        log.error("The Kafka broker exited unexpectedly; see {}", config.dataDir().resolve("logs"));
        close();
      }
    }
  }

  /** Stops the registry, then the broker, waiting for the broker's JVM to exit. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      closeQuietly(registry);
      broker.close();
    } finally {
      stopped.countDown();
    }
  }

  private static void closeQuietly(RegistryHandle registry) {
    try {
      registry.close();
    } catch (RuntimeException e) {
      log.warn("Stopping the schema registry failed: {}", e.getMessage());
    }
  }
}
