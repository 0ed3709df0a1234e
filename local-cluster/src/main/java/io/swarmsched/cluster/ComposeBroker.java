package io.swarmsched.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The broker files docker-compose's Kafka container starts from (docker-compose.yml, "Security as
 * shipped"): the embedded broker's own secured configuration ({@link
 * BrokerProcess#serverProperties(LocalClusterConfig, ClusterSecurity)}: TLS + SCRAM-SHA-512 on the
 * client listener, ACLs deny by default, controller on loopback), advertised as {@code kafka:9092}
 * inside the compose network plus a second SASL_SSL listener published to the host as {@code
 * localhost:9092}. Written by {@code swarmsched credentials --kafka-files}, next to the
 * credentials, in {@code security/kafka/}:
 *
 * <ul>
 *   <li>{@code server.properties}: what {@code kafka-server-start.sh} runs with;
 *   <li>{@code format.args}: the {@code kafka-storage.sh format} arguments that give the broker and
 *       admin principals their SCRAM credentials (every other principal gets its credentials and
 *       ACLs from {@code swarmsched topics create --acls}, over the admin's connection);
 *   <li>{@code admin.properties}: Kafka client settings of the admin principal, for the image's
 *       tools (the health check);
 *   <li>{@code registry.jaas}: the SASL JAAS line of the registry principal, for Confluent's
 *       registry container (which takes it from an environment variable).
 * </ul>
 */
public final class ComposeBroker {
  private ComposeBroker() {}

  /** The broker's name and port inside the compose network. */
  public static final String INTERNAL_HOST = "kafka";

  public static final int INTERNAL_PORT = 9092;

  /** The listener published to the host (container port {@value #HOST_PORT}) as localhost:9092. */
  public static final String HOST_LISTENER = "HOST";

  public static final int HOST_PORT = 19092;

  /** Where the Kafka container keeps its data (a named volume). */
  public static final String LOG_DIR = "/var/lib/kafka/data";

  /** The directory under the credentials' directory that holds these files. */
  public static final String DIR = "kafka";

  /** The embedded broker's secured properties, with compose's listeners and data directory. */
  static Properties serverProperties(ClusterSecurity security) {
    LocalClusterConfig config =
        LocalClusterConfig.defaults().withSecurity(true, false).withBind("0.0.0.0", INTERNAL_HOST);
    Properties p = BrokerProcess.serverProperties(config, security);
    String client = p.getProperty("listeners").split(",")[0]; // SASL_SSL://0.0.0.0:9092
    String controller = p.getProperty("listeners").split(",")[1];
    p.setProperty(
        "listeners", client + "," + HOST_LISTENER + "://0.0.0.0:" + HOST_PORT + "," + controller);
    String[] advertised = p.getProperty("advertised.listeners").split(",");
    p.setProperty(
        "advertised.listeners",
        advertised[0]
            + ","
            + HOST_LISTENER
            + "://localhost:"
            + LocalClusterConfig.DEFAULT_KAFKA_PORT
            + ","
            + advertised[1]);
    p.setProperty(
        "listener.security.protocol.map",
        p.getProperty("listener.security.protocol.map") + "," + HOST_LISTENER + ":SASL_SSL");
    String host = HOST_LISTENER.toLowerCase(java.util.Locale.ROOT);
    p.setProperty(
        "listener.name." + host + ".sasl.enabled.mechanisms",
        p.getProperty("listener.name.sasl_ssl.sasl.enabled.mechanisms"));
    p.setProperty(
        "listener.name." + host + ".scram-sha-512.sasl.jaas.config",
        p.getProperty("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"));
    p.setProperty("log.dirs", LOG_DIR);
    return p;
  }

  /** The admin's Kafka client settings (Kafka's own keys, for the image's command-line tools). */
  static Map<String, String> adminClient(ClusterSecurity security) {
    Map<String, String> m = new LinkedHashMap<>();
    security.kafkaClient(ClusterSecurity.ADMIN).forEach((k, v) -> m.put(k, String.valueOf(v)));
    return m;
  }

  /** Writes the four files into {@code <credentials dir>/kafka/}; returns that directory. */
  public static Path write(ClusterSecurity security) {
    Path dir = security.directory().resolve(DIR);
    try {
      Files.createDirectories(dir);
      Map<String, String> server = new TreeMap<>();
      Properties p = serverProperties(security);
      p.stringPropertyNames().forEach(k -> server.put(k, p.getProperty(k)));
      ClusterSecurity.store(
          dir.resolve("server.properties"), server, "Kafka broker of docker-compose.yml");
      ClusterSecurity.store(
          dir.resolve("admin.properties"), adminClient(security), "Kafka admin client settings");
      Path jaas = dir.resolve("registry.jaas");
      Files.writeString(
          jaas,
          String.valueOf(security.kafkaClient(ClusterSecurity.REGISTRY).get("sasl.jaas.config")));
      Files.setPosixFilePermissions(
          jaas, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      Path args = dir.resolve("format.args");
      Files.write(args, BrokerProcess.scramFormatArgs(security));
      Files.setPosixFilePermissions(
          args, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | UnsupportedOperationException e) {
      throw new ClusterException("Cannot write the broker files in " + dir + ": " + e, e);
    }
    return dir;
  }
}
