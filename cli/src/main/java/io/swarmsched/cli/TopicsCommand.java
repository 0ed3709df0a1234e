package io.swarmsched.cli;

import io.swarmsched.cluster.CatalogProvisioning;
import io.swarmsched.cluster.ClusterException;
import io.swarmsched.topics.TopicProvisioner;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code swarmsched topics ...}: the topic catalog on a cluster. */
@Command(
    name = "topics",
    mixinStandardHelpOptions = true,
    description = "Manage the swarmsched topic catalog on a Kafka cluster.",
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {TopicsCommand.Create.class})
public final class TopicsCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: topics create");
  }

  /** {@code swarmsched topics create}: creates every catalog topic that is missing; idempotent. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create every catalog topic that is missing (partitions, cleanup policy and retention "
              + "as the catalog says); existing topics are left as they are. Prints created/existed per topic.")
  public static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"--bootstrap-server", "-b"},
        paramLabel = "HOST:PORT",
        defaultValue = "${env:SWARM_BOOTSTRAP_SERVERS:-localhost:9092}",
        description =
            "Kafka bootstrap servers (default: $SWARM_BOOTSTRAP_SERVERS or ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description =
            "Settings file with the Kafka security keys (swarm.kafka.*), e.g. a secured cluster's"
                + " security/clients/admin.properties; SWARM_KAFKA_* environment variables work too.")
    java.nio.file.Path config;

    @Option(
        names = "--acls",
        paramLabel = "DIR",
        description =
            "After the topics, give every principal of the credentials in DIR/security (swarmsched"
                + " credentials --dir DIR) its SCRAM credential and ACLs; run as the admin"
                + " (--config its client file). Idempotent.")
    java.nio.file.Path acls;

    @Option(
        names = "--replication-factor",
        paramLabel = "N",
        description =
            "Replication factor of new topics (default: the broker's default.replication.factor).")
    Short replicationFactor;

    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        defaultValue = "30",
        description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() {
      if (timeoutSeconds <= 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--timeout must be positive, not " + timeoutSeconds);
      }
      if (replicationFactor != null && replicationFactor <= 0) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--replication-factor must be positive, not " + replicationFactor);
      }
      List<TopicProvisioner.Result> results;
      try {
        io.swarmsched.runtime.config.Settings settings =
            io.swarmsched.runtime.config.Settings.load(
                config == null ? new String[0] : new String[] {"--config", config.toString()},
                System.getenv(),
                java.util.Map.of());
        results =
            CatalogProvisioning.provisionTopics(
                bootstrapServers,
                io.swarmsched.runtime.config.KafkaSecurity.clientConfig(settings),
                Optional.ofNullable(replicationFactor),
                Duration.ofSeconds(timeoutSeconds));
        if (acls != null) {
          // what the embedded cluster does at start (least privilege: docs/design.md, security)
          io.swarmsched.cluster.ClusterSecurity security =
              io.swarmsched.cluster.ClusterSecurity.existing(acls.toAbsolutePath());
          java.util.Map<String, Object> admin =
              new java.util.HashMap<>(
                  io.swarmsched.runtime.config.KafkaSecurity.clientConfig(settings));
          admin.put("bootstrap.servers", bootstrapServers);
          try (org.apache.kafka.clients.admin.Admin a =
              org.apache.kafka.clients.admin.Admin.create(admin)) {
            io.swarmsched.cluster.ClusterAccess.apply(
                a, security, Duration.ofSeconds(timeoutSeconds));
          }
        }
      } catch (ClusterException e) {
        throw new CommandFailure("topics create: " + Main.oneLine(e), e);
      } catch (org.apache.kafka.common.KafkaException e) {
        throw new CommandFailure(
            "topics create on " + bootstrapServers + ": " + Main.oneLine(e), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      for (TopicProvisioner.Result result : results) {
        switch (result.status()) {
          case CREATED -> out.printf("%-8s %s%n", "created", result.topic());
          case EXISTED -> out.printf("%-8s %s%n", "existed", result.topic());
          case MISMATCHED ->
              out.printf(
                  "%-8s %s (differs from the catalog: %s)%n",
                  "existed", result.topic(), result.detail());
        }
      }
      out.flush();
      return 0;
    }
  }
}
