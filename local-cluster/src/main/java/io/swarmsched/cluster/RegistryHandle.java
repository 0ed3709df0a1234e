package io.swarmsched.cluster;

import io.swarmsched.registry.server.RegistryServerConfig;
import io.swarmsched.registry.server.SchemaRegistryServer;
import java.util.Map;

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
    return start(bootstrapServers, host, port, topic, Map.of(), null);
  }

  /**
   * @param client Kafka security keys of the registry's principal
   * @param advertisedHost the host in {@link #url()} when it listens beyond loopback
   */
  static RegistryHandle start(
      String bootstrapServers,
      String host,
      int port,
      String topic,
      Map<String, Object> client,
      String advertisedHost) {
    return start(
        bootstrapServers,
        host,
        port,
        topic,
        client,
        advertisedHost,
        io.swarmsched.registry.server.RegistryAccess.open());
  }

  /**
   * @param access who may register, delete and reconfigure (a secured cluster: its HTTP tokens)
   */
  static RegistryHandle start(
      String bootstrapServers,
      String host,
      int port,
      String topic,
      Map<String, Object> client,
      String advertisedHost,
      io.swarmsched.registry.server.RegistryAccess access) {
    try {
      RegistryHandle handle =
          new RegistryHandle(
              SchemaRegistryServer.start(
                  new RegistryServerConfig(bootstrapServers, host, port, topic)
                      .withKafkaClient(client)
                      .withAccess(access)));
      handle.advertisedHost = advertisedHost;
      return handle;
    } catch (RuntimeException e) {
      throw new ClusterException(
          "The schema registry failed to start on port " + port + ": " + e.getMessage(), e);
    }
  }

  private String advertisedHost;

  String url() {
    if (advertisedHost == null) {
      return server.url();
    }
    return "http://" + advertisedHost + ":" + server.port();
  }

  @Override
  public void close() {
    server.close();
  }
}
