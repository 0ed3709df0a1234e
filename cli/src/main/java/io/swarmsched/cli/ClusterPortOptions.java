package io.swarmsched.cli;

import io.swarmsched.cluster.LocalClusterConfig;
import picocli.CommandLine.Option;

/**
 * {@code --kafka-port}, {@code --controller-port} and {@code --registry-port}: the embedded
 * cluster's ports, the same for {@code cluster} and {@code up}.
 */
final class ClusterPortOptions {
  @Option(
      names = "--kafka-port",
      paramLabel = "PORT",
      description = "Kafka client port (default: ${DEFAULT-VALUE}).")
  int kafkaPort = LocalClusterConfig.DEFAULT_KAFKA_PORT;

  @Option(
      names = "--controller-port",
      paramLabel = "PORT",
      description = "KRaft controller port (default: ${DEFAULT-VALUE}).")
  int controllerPort = LocalClusterConfig.DEFAULT_CONTROLLER_PORT;

  @Option(
      names = "--registry-port",
      paramLabel = "PORT",
      description = "Schema registry HTTP port (default: ${DEFAULT-VALUE}).")
  int registryPort = LocalClusterConfig.DEFAULT_REGISTRY_PORT;
}
