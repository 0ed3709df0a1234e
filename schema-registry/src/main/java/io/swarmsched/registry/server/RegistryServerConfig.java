package io.swarmsched.registry.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How to run a registry server.
 *
 * @param bootstrapServers Kafka cluster holding the schemas topic
 * @param host address to bind, e.g. 127.0.0.1 or 0.0.0.0
 * @param port HTTP port; 0 picks a free one (see {@link SchemaRegistryServer#port()})
 * @param topic compacted single-partition topic holding the registry's state
 * @param storeTimeout how long a write (or the start-up read) may take before error 50001
 * @param kafkaClient Kafka client keys for TLS and SASL (KafkaSecurity.clientConfig), given to the
 *     registry's producer, consumer and admin client; empty for plaintext
 * @param access who may register, delete and reconfigure ({@link RegistryAccess#open()}: anyone)
 */
public record RegistryServerConfig(
    String bootstrapServers,
    String host,
    int port,
    String topic,
    Duration storeTimeout,
    java.util.Map<String, Object> kafkaClient,
    RegistryAccess access) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8081;
  public static final String DEFAULT_TOPIC = "_schemas";
  public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(60);

  public RegistryServerConfig {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must name at least one Kafka broker");
    }
    host = host == null || host.isBlank() ? DEFAULT_HOST : host;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    topic = topic == null || topic.isBlank() ? DEFAULT_TOPIC : topic;
    storeTimeout = storeTimeout == null ? DEFAULT_STORE_TIMEOUT : storeTimeout;
    kafkaClient = kafkaClient == null ? java.util.Map.of() : java.util.Map.copyOf(kafkaClient);
    access = access == null ? RegistryAccess.open() : access;
  }

  public RegistryServerConfig(
      String bootstrapServers,
      String host,
      int port,
      String topic,
      Duration storeTimeout,
      java.util.Map<String, Object> kafkaClient) {
    this(bootstrapServers, host, port, topic, storeTimeout, kafkaClient, RegistryAccess.open());
  }

  public RegistryServerConfig withAccess(RegistryAccess newAccess) {
    return new RegistryServerConfig(
        bootstrapServers, host, port, topic, storeTimeout, kafkaClient, newAccess);
  }

  public RegistryServerConfig(
      String bootstrapServers, String host, int port, String topic, Duration storeTimeout) {
    this(bootstrapServers, host, port, topic, storeTimeout, java.util.Map.of());
  }

  public RegistryServerConfig withKafkaClient(java.util.Map<String, Object> client) {
    return new RegistryServerConfig(
        bootstrapServers, host, port, topic, storeTimeout, client, access);
  }

  public RegistryServerConfig(String bootstrapServers, String host, int port, String topic) {
    this(bootstrapServers, host, port, topic, DEFAULT_STORE_TIMEOUT);
  }

  /** 127.0.0.1:8081, topic {@code _schemas}. */
  public static RegistryServerConfig defaults(String bootstrapServers) {
    return new RegistryServerConfig(bootstrapServers, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TOPIC);
  }

  public RegistryServerConfig withPort(int newPort) {
    return new RegistryServerConfig(
        bootstrapServers, host, newPort, topic, storeTimeout, kafkaClient, access);
  }

  public RegistryServerConfig withHost(String newHost) {
    return new RegistryServerConfig(
        bootstrapServers, newHost, port, topic, storeTimeout, kafkaClient, access);
  }

  public RegistryServerConfig withTopic(String newTopic) {
    return new RegistryServerConfig(
        bootstrapServers,
        host,
        port,
        Objects.requireNonNull(newTopic),
        storeTimeout,
        kafkaClient,
        access);
  }
}
