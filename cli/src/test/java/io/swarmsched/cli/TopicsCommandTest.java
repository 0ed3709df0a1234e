package io.swarmsched.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.testing.EmbeddedKafka;
import io.swarmsched.topics.Topic;
import io.swarmsched.topics.Topics;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TopicsCommandTest {

  @Test
  void createProvisionsTheWholeCatalogAndIsIdempotent() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.get();
    List<String> catalog = Topics.ALL.stream().map(Topic::name).toList();

    CliRun first = CliRun.of("topics", "create", "--bootstrap-server", kafka.bootstrapServers());

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.out().strip().split("\\R"))
        .hasSize(catalog.size())
        .allMatch(line -> line.matches("(created|existed) +swarm\\..+\\.v1"));
    Set<String> onCluster = kafka.admin().listTopics().names().get(30, TimeUnit.SECONDS);
    assertThat(onCluster).containsAll(catalog);
    var described =
        kafka
            .admin()
            .describeTopics(List.of(Topics.HOSTS.name()))
            .allTopicNames()
            .get(30, TimeUnit.SECONDS);
    assertThat(described.get(Topics.HOSTS.name()).partitions()).hasSize(Topics.HOSTS.partitions());

    CliRun second = CliRun.of("topics", "create", "-b", kafka.bootstrapServers());

    assertThat(second.exitCode()).isZero();
    assertThat(Arrays.stream(second.out().strip().split("\\R")).toList())
        .containsExactlyElementsOf(
            catalog.stream().map(name -> String.format("%-8s %s", "existed", name)).toList());
  }

  @Test
  void createAgainstNoBrokerFailsWithOneLine() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }

    CliRun run =
        CliRun.of("topics", "create", "--bootstrap-server", "127.0.0.1:" + port, "--timeout", "2");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.errLines())
        .containsExactly(
            "swarmsched: topics create: No Kafka broker answered at 127.0.0.1:"
                + port
                + " within 2 s");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void nonPositiveTimeoutIsAUsageError() {
    CliRun run = CliRun.of("topics", "create", "--timeout", "0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("--timeout must be positive, not 0");
  }

  @Test
  void nonPositiveReplicationFactorIsAUsageError() {
    CliRun run = CliRun.of("topics", "create", "--replication-factor", "0");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("--replication-factor must be positive, not 0");
  }
}
