package io.swarmsched.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where the local cluster listens and keeps its data.
 *
 * @param host host name clients use (advertised by the broker, used in printed addresses)
 * @param kafkaPort the broker's client (PLAINTEXT) port, conventionally 9092
 * @param controllerPort the KRaft controller port, conventionally 9093
 * @param registryPort the schema registry's HTTP port, conventionally 8081 (0 = any free port)
 * @param dataDir broker data, logs and generated config; kept between runs
 * @param brokerJvmOptions JVM options of the broker's child JVM
 * @param startupTimeout how long to wait for the broker to answer
 * @param bindAddress the interface the broker's client listener and the registry listen on
 *     (127.0.0.1, or 0.0.0.0 for every interface); the controller listener stays on loopback
 * @param secure TLS + SASL/SCRAM + ACLs on the client listener ({@link ClusterSecurity}); plaintext
 *     and anonymous otherwise, which is allowed only on loopback or with {@code insecureOptOut}
 * @param insecureOptOut the explicit, logged opt-out: plaintext beyond loopback
 */
public record LocalClusterConfig(
    String host,
    int kafkaPort,
    int controllerPort,
    int registryPort,
    Path dataDir,
    List<String> brokerJvmOptions,
    Duration startupTimeout,
    String bindAddress,
    boolean secure,
    boolean insecureOptOut) {

  public LocalClusterConfig(
      String host,
      int kafkaPort,
      int controllerPort,
      int registryPort,
      Path dataDir,
      List<String> brokerJvmOptions,
      Duration startupTimeout) {
    this(
        host,
        kafkaPort,
        controllerPort,
        registryPort,
        dataDir,
        brokerJvmOptions,
        startupTimeout,
        "127.0.0.1",
        false,
        false);
  }

  public static final int DEFAULT_KAFKA_PORT = 9092;
  public static final int DEFAULT_CONTROLLER_PORT = 9093;
  public static final int DEFAULT_REGISTRY_PORT = 8081;
  public static final Path DEFAULT_DATA_DIR = Path.of(".swarmsched", "data");
  public static final List<String> DEFAULT_BROKER_JVM_OPTIONS =
      List.of(
          "-Xms256m",
          "-Xmx1g",
          "-XX:+UseG1GC",
          "-XX:MaxGCPauseMillis=20",
          "-Djava.awt.headless=true");

  public LocalClusterConfig {
    requirePort("Kafka port", kafkaPort, false);
    requirePort("controller port", controllerPort, false);
    requirePort("registry port", registryPort, true);
    if (kafkaPort == controllerPort) {
      throw new ClusterException(
          "The Kafka port and the controller port must differ (both are " + kafkaPort + ").");
    }
    if (registryPort != 0 && (registryPort == kafkaPort || registryPort == controllerPort)) {
      throw new ClusterException(
          "The registry port " + registryPort + " clashes with the Kafka or controller port.");
    }
    dataDir = dataDir.toAbsolutePath().normalize();
    brokerJvmOptions = List.copyOf(brokerJvmOptions);
    bindAddress = bindAddress == null || bindAddress.isBlank() ? "127.0.0.1" : bindAddress;
    if (!secure && !insecureOptOut && !io.swarmsched.runtime.http.HttpApi.isLoopback(bindAddress)) {
      throw new ClusterException(
          "Listening on "
              + bindAddress
              + " (beyond loopback) in plaintext without authentication is refused: secure it,"
              + " bind to 127.0.0.1, or opt out explicitly (--insecure).");
    }
  }

  /**
   * Where clients reach the broker and what it listens on: {@code bind} is the interface, {@code
   * advertised} the host name or address clients (and the certificate) use.
   */
  public LocalClusterConfig withBind(String bind, String advertised) {
    return new LocalClusterConfig(
        advertised,
        kafkaPort,
        controllerPort,
        registryPort,
        dataDir,
        brokerJvmOptions,
        startupTimeout,
        bind,
        secure,
        insecureOptOut);
  }

  /** TLS + SCRAM + ACLs when {@code on}; {@code optOut} allows plaintext beyond loopback. */
  public LocalClusterConfig withSecurity(boolean on, boolean optOut) {
    return new LocalClusterConfig(
        host,
        kafkaPort,
        controllerPort,
        registryPort,
        dataDir,
        brokerJvmOptions,
        startupTimeout,
        bindAddress,
        on,
        optOut);
  }

  /** localhost:9092, controller 9093, registry 8081, data in ./.swarmsched/data. */
  public static LocalClusterConfig defaults() {
    return new LocalClusterConfig(
        "localhost",
        DEFAULT_KAFKA_PORT,
        DEFAULT_CONTROLLER_PORT,
        DEFAULT_REGISTRY_PORT,
        DEFAULT_DATA_DIR,
        DEFAULT_BROKER_JVM_OPTIONS,
        Duration.ofSeconds(120));
  }

  public LocalClusterConfig withPorts(int kafka, int controller, int registry) {
    return new LocalClusterConfig(
        host,
        kafka,
        controller,
        registry,
        dataDir,
        brokerJvmOptions,
        startupTimeout,
        bindAddress,
        secure,
        insecureOptOut);
  }

  public LocalClusterConfig withDataDir(Path dir) {
    return new LocalClusterConfig(
        host,
        kafkaPort,
        controllerPort,
        registryPort,
        dir,
        brokerJvmOptions,
        startupTimeout,
        bindAddress,
        secure,
        insecureOptOut);
  }

  public LocalClusterConfig withBrokerJvmOptions(List<String> options) {
    return new LocalClusterConfig(
        host,
        kafkaPort,
        controllerPort,
        registryPort,
        dataDir,
        options,
        startupTimeout,
        bindAddress,
        secure,
        insecureOptOut);
  }

  public LocalClusterConfig withStartupTimeout(Duration timeout) {
    return new LocalClusterConfig(
        host,
        kafkaPort,
        controllerPort,
        registryPort,
        dataDir,
        brokerJvmOptions,
        timeout,
        bindAddress,
        secure,
        insecureOptOut);
  }

  /** True when the client listener is reachable only from this machine. */
  public boolean loopbackOnly() {
    return io.swarmsched.runtime.http.HttpApi.isLoopback(bindAddress);
  }

  public String bootstrapServers() {
    return host + ":" + kafkaPort;
  }

  private static void requirePort(String what, int port, boolean zeroAllowed) {
    if (port < (zeroAllowed ? 0 : 1) || port > 65535) {
      throw new ClusterException(
          "The "
              + what
              + " must be between "
              + (zeroAllowed ? 0 : 1)
              + " and 65535, not "
              + port
              + ".");
    }
  }
}
