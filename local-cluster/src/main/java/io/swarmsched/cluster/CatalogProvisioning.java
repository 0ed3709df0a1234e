package io.swarmsched.cluster;

import io.swarmsched.registry.client.RegistryClientConfig;
import io.swarmsched.registry.client.RestSchemaRegistryClient;
import io.swarmsched.topics.SchemaCatalog;
import io.swarmsched.topics.TopicProvisioner;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;

/**
 * Puts the topic catalog on a cluster ({@link TopicProvisioner}) and its value schemas in a
 * registry ({@link SchemaCatalog}), idempotently, with failures turned into one-line {@link
 * ClusterException}s.
 */
public final class CatalogProvisioning {
  private CatalogProvisioning() {}

  /**
   * Creates every missing catalog topic on the cluster at {@code bootstrapServers} with the
   * broker's default replication factor; existing topics are left alone.
   */
  public static List<TopicProvisioner.Result> provisionTopics(
      String bootstrapServers, Duration timeout) {
    return provisionTopics(bootstrapServers, Optional.empty(), timeout);
  }

  /**
   * As {@link #provisionTopics(String, Duration)}, with an explicit replication factor when
   * present.
   */
  public static List<TopicProvisioner.Result> provisionTopics(
      String bootstrapServers, Optional<Short> replication, Duration timeout) {
    return provisionTopics(bootstrapServers, Map.of(), replication, timeout);
  }

  /** As above, the admin client using {@code client}'s security keys (KafkaSecurity). */
  public static List<TopicProvisioner.Result> provisionTopics(
      String bootstrapServers,
      Map<String, Object> client,
      Optional<Short> replication,
      Duration timeout) {
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Map<String, Object> config = new java.util.HashMap<>(client);
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    try (Admin admin = Admin.create(config)) {
      requireReachable(admin, bootstrapServers, timeout);
      return new TopicProvisioner(admin, replication, timeout).provisionAll();
    } catch (KafkaException e) {
      throw new ClusterException(
          "Provisioning the topic catalog on " + bootstrapServers + " failed: " + e.getMessage(),
          e);
    }
  }

  /**
   * Fails with "No Kafka broker answered at ..." unless the cluster answers within {@code timeout}.
   */
  static void requireReachable(Admin admin, String bootstrapServers, Duration timeout) {
    try {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterException("Interrupted while contacting Kafka at " + bootstrapServers, e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new ClusterException(
          "No Kafka broker answered at "
              + bootstrapServers
              + " within "
              + timeout.toSeconds()
              + " s",
          e);
    }
  }

  /**
   * Registers every catalog value schema under its TopicNameStrategy subject ({@code
   * <topic>-value}); returns subject → schema id. An identical schema keeps its id.
   */
  public static Map<String, Integer> registerSchemas(String registryUrl, Duration timeout) {
    return registerSchemas(registryUrl, null, timeout);
  }

  /**
   * As {@link #registerSchemas(String, Duration)}, sending {@code token} as a bearer token (a
   * secured registry refuses registrations without one); null sends none.
   */
  public static Map<String, Integer> registerSchemas(
      String registryUrl, String token, Duration timeout) {
    Map<String, Object> config = new java.util.HashMap<>();
    config.put(RegistryClientConfig.CONNECT_TIMEOUT_MS, timeout.toMillis());
    config.put(RegistryClientConfig.REQUEST_TIMEOUT_MS, timeout.toMillis());
    if (token != null) {
      config.put(
          RegistryClientConfig.BEARER_AUTH_CREDENTIALS_SOURCE, RegistryClientConfig.STATIC_TOKEN);
      config.put(RegistryClientConfig.BEARER_AUTH_TOKEN, token);
    }
    try {
      return SchemaCatalog.registerAll(new RestSchemaRegistryClient(List.of(registryUrl), config));
    } catch (RuntimeException e) {
      throw new ClusterException(
          "Registering the catalog schemas at " + registryUrl + " failed: " + e.getMessage(), e);
    }
  }
}
