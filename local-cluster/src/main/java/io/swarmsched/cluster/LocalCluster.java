package io.swarmsched.cluster;

import io.swarmsched.registry.server.RegistryAccess;
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

    if (!config.secure() && !config.loopbackOnly()) {
      log.warn(
          "SECURITY: Kafka listens on {} in PLAINTEXT with NO authentication (explicit --insecure"
              + " opt-out): anyone who can reach port {} can read and write every topic",
          config.bindAddress(),
          config.kafkaPort());
    }
    BrokerProcess broker = BrokerProcess.start(config);
    RegistryHandle registry = null;
    try {
      Map<String, Object> admin = broker.adminClient();
      broker
          .security()
          .ifPresent(
              security -> {
                try (org.apache.kafka.clients.admin.Admin a = adminClient(config, admin)) {
                  ClusterAccess.apply(a, security, PROVISION_TIMEOUT);
                }
              });
      List<TopicProvisioner.Result> topics =
          CatalogProvisioning.provisionTopics(
              config.bootstrapServers(), admin, java.util.Optional.empty(), PROVISION_TIMEOUT);
      registry =
          RegistryHandle.start(
              config.bootstrapServers(),
              config.bindAddress(),
              config.registryPort(),
              REGISTRY_TOPIC,
              broker.security().map(s -> s.kafkaClient(ClusterSecurity.REGISTRY)).orElse(Map.of()),
              config.loopbackOnly() ? null : config.host(),
              broker.security().map(LocalCluster::registryAccess).orElse(RegistryAccess.open()));
      Map<String, Integer> ids =
          CatalogProvisioning.registerSchemas(
              registry.url(),
              broker.security().map(s -> s.token(ClusterSecurity.ADMIN)).orElse(null),
              PROVISION_TIMEOUT);
      log.info(
          "Local cluster ready: Kafka {} registry {}", config.bootstrapServers(), registry.url());
      log.info("Security posture of the local cluster: {}", posture(config));
      return new LocalCluster(config, broker, registry, topics, ids);
    } catch (RuntimeException e) {
      if (registry != null) {
        closeQuietly(registry);
      }
      broker.close();
      throw e;
    }
  }

  /**
   * A secured cluster's registry takes the cluster's HTTP tokens: registering needs any principal's
   * token, deletes and compatibility changes the admin's (docs/design.md, security). The file is
   * re-read when it changes, so an agent added later can register too.
   */
  private static RegistryAccess registryAccess(ClusterSecurity security) {
    return RegistryAccess.tokens(
        io.swarmsched.runtime.http.HttpAuth.from(
            io.swarmsched.runtime.config.Settings.of(
                Map.of(
                    io.swarmsched.runtime.config.CommonKeys.HTTP_TOKENS_FILE,
                    security.tokensFile().toString()))));
  }

  public LocalClusterConfig config() {
    return config;
  }

  /** The cluster's CA, credentials and tokens when it runs secured. */
  public java.util.Optional<ClusterSecurity> security() {
    return broker.security();
  }

  /** Kafka client keys of the admin principal (empty for a plaintext cluster). */
  public Map<String, Object> adminClientConfig() {
    return broker.adminClient();
  }

  /**
   * The settings a process running as {@code principal} needs to use this cluster (bootstrap,
   * registry, and for a secured cluster TLS, SCRAM and its HTTP token); a new principal (an agent)
   * gets its credentials and ACLs first.
   */
  public synchronized Map<String, String> clientSettings(String principal) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    java.util.Optional<ClusterSecurity> security = broker.security();
    if (security.isEmpty()) {
      m.put(io.swarmsched.runtime.config.CommonKeys.BOOTSTRAP_SERVERS, bootstrapServers());
      m.put(io.swarmsched.runtime.config.CommonKeys.SCHEMA_REGISTRY_URL, registryUrl());
      return m;
    }
    ClusterSecurity s = security.get();
    if (!s.principals().contains(principal)) {
      try (org.apache.kafka.clients.admin.Admin a = adminClient(config, adminClientConfig())) {
        ClusterAccess.addPrincipal(a, s, principal, PROVISION_TIMEOUT);
      }
    }
    return s.clientSettings(principal, bootstrapServers(), registryUrl());
  }

  /** As {@link #clientSettings}, written to {@code security/clients/<principal>.properties}. */
  public synchronized java.nio.file.Path clientSettingsFile(String principal) {
    clientSettings(principal);
    return broker
        .security()
        .orElseThrow(() -> new ClusterException("The cluster runs without security"))
        .writeClientFile(principal, bootstrapServers(), registryUrl());
  }

  /** One line: what is encrypted, authenticated and open. */
  public static String posture(LocalClusterConfig config) {
    String where = config.loopbackOnly() ? "loopback only" : "on " + config.bindAddress();
    if (config.secure()) {
      return "Kafka "
          + where
          + ": TLS-encrypted, SASL/SCRAM-SHA-512 authenticated, ACLs deny by default (one"
          + " principal per service and agent); controller on loopback (SASL PLAIN); schema"
          + " registry HTTP "
          + where
          + " (plaintext; writes are not authenticated)";
    }
    return "Kafka "
        + where
        + ": PLAINTEXT, NOT authenticated, no ACLs"
        + (config.loopbackOnly() ? " (only this machine can connect)" : " (explicit --insecure)")
        + "; schema registry HTTP "
        + where
        + " (plaintext, open)";
  }

  private static org.apache.kafka.clients.admin.Admin adminClient(
      LocalClusterConfig config, Map<String, Object> client) {
    Map<String, Object> c = new java.util.HashMap<>(client);
    c.put("bootstrap.servers", config.bootstrapServers());
    c.put("request.timeout.ms", 30_000);
    c.put("default.api.timeout.ms", 60_000);
    return org.apache.kafka.clients.admin.Admin.create(c);
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
