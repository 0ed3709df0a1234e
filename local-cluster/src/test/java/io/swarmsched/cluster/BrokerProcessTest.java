package io.swarmsched.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerProcessTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dataDir;

  @Test
  void brokerStopsWhenItsParentGoesAwayAndKeepsItsTopicsForTheNextStart() throws Exception {
    LocalClusterConfig config =
        LocalClusterConfig.defaults()
            .withPorts(Ports.findFree(), Ports.findFree(), 0)
            .withDataDir(dataDir)
            .withBrokerJvmOptions(List.of("-Xmx384m"));

    BrokerProcess first = BrokerProcess.start(config);
    try {
      try (Admin admin = admin(config)) {
        admin
            .createTopics(List.of(new NewTopic("kept", 2, (short) 1)))
            .all()
            .get(60, TimeUnit.SECONDS);
      }
      first.closeControlPipe(); // what the OS does when the swarmsched JVM is killed
      assertThat(first.awaitExit(TIMEOUT))
          .as("broker exits after its parent's pipe closes")
          .isTrue();
    } finally {
      first.close();
    }
    assertThat(Files.readString(dataDir.resolve("logs").resolve("broker.out")))
        .contains("parent closed the control pipe");
    String clusterId = Files.readString(dataDir.resolve("cluster.properties"));

    try (BrokerProcess second = BrokerProcess.start(config);
        Admin admin = admin(config)) {
      Set<String> names =
          Await.value(
              TIMEOUT,
              "topic 'kept' after restart",
              () -> {
                try {
                  Set<String> found = admin.listTopics().names().get(10, TimeUnit.SECONDS);
                  return found.contains("kept")
                      ? java.util.Optional.of(found)
                      : java.util.Optional.empty();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(names).contains("kept");
      assertThat(
              admin
                  .describeTopics(List.of("kept"))
                  .allTopicNames()
                  .get(30, TimeUnit.SECONDS)
                  .get("kept")
                  .partitions())
          .hasSize(2);
    }
    assertThat(Files.readString(dataDir.resolve("cluster.properties"))).isEqualTo(clusterId);
  }

  private static Admin admin(LocalClusterConfig config) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers()));
  }
}
