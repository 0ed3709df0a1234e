package io.swarmsched.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.runtime.config.KafkaSecurity;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker secured (TLS + SCRAM + ACLs), on loopback: security holds for local clients
 * too.
 */
class SecureClusterTest {
  @TempDir Path dataDir;

  @Test
  void refusesAnonymousAndWrongCredentialsAndKeepsAgentsToTheirTopics() throws Exception {
    LocalClusterConfig config =
        LocalClusterConfig.defaults()
            .withPorts(Ports.findFree(), Ports.findFree(), 0)
            .withDataDir(dataDir)
            .withBrokerJvmOptions(List.of("-Xmx384m"))
            .withSecurity(true, false);
    String firstCa;
    String agentPassword;
    try (LocalCluster cluster = LocalCluster.start(config)) {
      ClusterSecurity security = cluster.security().orElseThrow();
      firstCa = security.caPem();
      assertThat(Files.readString(dataDir.resolve("config/server.properties")))
          .contains("listeners=SASL_SSL\\://127.0.0.1\\:" + config.kafkaPort())
          .contains("StandardAuthorizer");

      // 1. no credentials: a plaintext client gets no answer from the TLS listener
      assertThatThrownBy(() -> describe(Map.of("bootstrap.servers", cluster.bootstrapServers())))
          .isInstanceOf(ExecutionException.class);

      // 2. TLS with a wrong password: authentication fails, said as such
      Map<String, String> agent = cluster.clientSettings("agent-a");
      Map<String, Object> wrong = kafka(agent);
      wrong.put(
          "sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required"
              + " username=\"agent-a\" password=\"not-the-password\";");
      assertThatThrownBy(() -> describe(wrong))
          .hasCauseInstanceOf(SaslAuthenticationException.class);

      // 3. the agent's own credentials work, and only for its topics
      Map<String, Object> agentKafka = kafka(agent);
      describe(agentKafka);
      try (KafkaProducer<String, String> p = producer(agentKafka)) {
        p.send(new ProducerRecord<>(Topics.HOST_HEARTBEATS.name(), "h1", "x"))
            .get(60, TimeUnit.SECONDS);
        assertThatThrownBy(
                () ->
                    p.send(new ProducerRecord<>(Topics.HOSTS.name(), "h1", "forged"))
                        .get(60, TimeUnit.SECONDS))
            .hasCauseInstanceOf(TopicAuthorizationException.class);
      }
      try (KafkaProducer<String, String> p = producer(agentKafka)) {
        // a Streams internal topic of the dispatcher
        assertThatThrownBy(
                () ->
                    p.send(new ProducerRecord<>("swarm-dispatcher-peers-changelog", "k", "forged"))
                        .get(60, TimeUnit.SECONDS))
            .hasCauseInstanceOf(TopicAuthorizationException.class);
      }
      try (KafkaConsumer<String, String> c = consumer(agentKafka, "swarm-agent-a")) {
        c.subscribe(List.of(Topics.HOSTS.name()));
        assertThatThrownBy(() -> pollUntilFailure(c))
            .isInstanceOf(TopicAuthorizationException.class);
      }
      try (KafkaConsumer<String, String> c = consumer(agentKafka, "swarm-agent-a")) {
        c.subscribe(List.of(Topics.SCHEDULE_DECISIONS.name()));
        c.poll(Duration.ofSeconds(3)); // allowed: no exception
      }

      // 4. a service principal writes its own output topic
      try (KafkaProducer<String, String> p =
          producer(kafka(cluster.clientSettings(ClusterSecurity.INGEST)))) {
        p.send(new ProducerRecord<>(Topics.HOSTS.name(), "h1", "state")).get(60, TimeUnit.SECONDS);
      }
      agentPassword = agent.get(KafkaSecurity.PASSWORD);
      Path file = cluster.clientSettingsFile("agent-a");
      assertThat(Files.readString(file)).contains("BEGIN CERTIFICATE").contains("agent-a");
    }

    // restart: same CA, same credentials, still enforced
    try (LocalCluster cluster = LocalCluster.start(config)) {
      ClusterSecurity security = cluster.security().orElseThrow();
      assertThat(security.caPem()).isEqualTo(firstCa);
      Map<String, String> agent = cluster.clientSettings("agent-a");
      assertThat(agent.get(KafkaSecurity.PASSWORD)).isEqualTo(agentPassword);
      describe(kafka(agent));
      assertThatThrownBy(() -> describe(Map.of("bootstrap.servers", cluster.bootstrapServers())))
          .isInstanceOf(ExecutionException.class);
    }
  }

  @Test
  void plaintextBeyondLoopbackNeedsTheExplicitOptOut() {
    assertThatThrownBy(
            () -> LocalClusterConfig.defaults().withDataDir(dataDir).withBind("0.0.0.0", "h"))
        .isInstanceOf(ClusterException.class)
        .hasMessageContaining("--insecure");
    assertThat(
            LocalClusterConfig.defaults()
                .withDataDir(dataDir)
                .withSecurity(false, true)
                .withBind("0.0.0.0", "h")
                .loopbackOnly())
        .isFalse();
  }

  private static Map<String, Object> kafka(Map<String, String> settings) {
    Map<String, Object> m = new HashMap<>(KafkaSecurity.withBootstrap(Settings.of(settings)));
    m.put("request.timeout.ms", 10_000);
    m.put("default.api.timeout.ms", 15_000);
    return m;
  }

  private static void describe(Map<String, Object> config) throws Exception {
    Map<String, Object> c = new HashMap<>(config);
    c.put("request.timeout.ms", 5_000);
    c.put("default.api.timeout.ms", 8_000);
    try (Admin admin = Admin.create(c)) {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(8_000))
          .nodes()
          .get(20, TimeUnit.SECONDS);
    }
  }

  private static KafkaProducer<String, String> producer(Map<String, Object> config) {
    Map<String, Object> c = new HashMap<>(config);
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(c, new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> consumer(Map<String, Object> config, String group) {
    Map<String, Object> c = new HashMap<>(config);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
  }

  /** Polls until the consumer throws (an authorization error), failing after 60 s without one. */
  private static void pollUntilFailure(KafkaConsumer<String, String> c) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      c.poll(Duration.ofMillis(500));
    }
    throw new AssertionError("no authorization error within 60 s");
  }
}
