package io.swarmsched.cluster;

import io.swarmsched.registry.server.RegistryServerConfig;
import io.swarmsched.registry.server.SchemaRegistryServer;

/**
 * The in-process schema registry of the local cluster, with start-up failures turned into one-line
 * reasons.
 */
final class RegistryHandle implements AutoCloseable {
  private final SchemaRegistryServer server;

  private RegistryHandle(SchemaRegistryServer server) {
    this.server = server;
  }

  static RegistryHandle start(String bootstrapServers, String host, int port, String topic) {
    try {
      return new RegistryHandle(
          SchemaRegistryServer.start(
              new RegistryServerConfig(bootstrapServers, host, port, topic)));
    } catch (RuntimeException e) {
      throw new ClusterException(
          "The schema registry failed to start on port " + port + ": " + e.getMessage(), e);
    }
  }

  String url() {
    return server.url();
  }

  @Override
  public void close() {
    server.close();
  }
}
