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
 */
public record LocalClusterConfig(
    String host,
    int kafkaPort,
    int controllerPort,
    int registryPort,
    Path dataDir,
    List<String> brokerJvmOptions,
    Duration startupTimeout) {

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
        host, kafka, controller, registry, dataDir, brokerJvmOptions, startupTimeout);
  }

  public LocalClusterConfig withDataDir(Path dir) {
    return new LocalClusterConfig(
        host, kafkaPort, controllerPort, registryPort, dir, brokerJvmOptions, startupTimeout);
  }

  public LocalClusterConfig withBrokerJvmOptions(List<String> options) {
    return new LocalClusterConfig(
        host, kafkaPort, controllerPort, registryPort, dataDir, options, startupTimeout);
  }

  public LocalClusterConfig withStartupTimeout(Duration timeout) {
    return new LocalClusterConfig(
        host, kafkaPort, controllerPort, registryPort, dataDir, brokerJvmOptions, timeout);
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
