package io.swarmsched.cli;

import io.swarmsched.cluster.LocalCluster;
import io.swarmsched.cluster.LocalClusterConfig;
import io.swarmsched.topics.TopicProvisioner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code swarmsched cluster}: runs the embedded local cluster in the foreground until Ctrl-C. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description =
        "Run a local Kafka broker and schema registry with the topic catalog, until Ctrl-C.",
    footer = {
      "",
      "The broker is Apache Kafka (KRaft, broker and controller in one node) in a child JVM;",
      "its data stays in the data directory between runs. The topic catalog is provisioned",
      "and its schemas registered on every start; both are idempotent."
    })
public final class ClusterCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @picocli.CommandLine.Mixin NetworkOptions network = new NetworkOptions();

  @picocli.CommandLine.Mixin ClusterPortOptions ports = new ClusterPortOptions();

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Where broker data and logs live (default: $SWARMSCHED_HOME/.swarmsched/data, else ./.swarmsched/data).")
  Path dataDir;

  /** The configuration the options describe (no side effects; tests check parsing with it). */
  LocalClusterConfig config() {
    io.swarmsched.swarm.LocalSwarm.Network net = network.network();
    return LocalClusterConfig.defaults()
        .withPorts(ports.kafkaPort, ports.controllerPort, ports.registryPort)
        .withDataDir(dataDir != null ? dataDir : defaultDataDir())
        .withSecurity(net.secure(), net.insecureOptOut())
        .withBind(net.bind(), net.advertised());
  }

  static Path defaultDataDir() {
    String home = System.getenv("SWARMSCHED_HOME");
    return home == null || home.isBlank()
        ? LocalClusterConfig.DEFAULT_DATA_DIR
        : Path.of(home).resolve(LocalClusterConfig.DEFAULT_DATA_DIR);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LocalClusterConfig config = config();
    out.println("Starting the local cluster (data in " + config.dataDir() + ") …");
    out.flush();
    LocalCluster cluster = LocalCluster.start(config);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println();
                  out.println("Stopping the local cluster …");
                  out.flush();
                  cluster.close();
                  out.println("Stopped.");
                  out.flush();
                },
                "swarmsched-cluster-shutdown"));

    long created =
        cluster.topics().stream()
            .filter(t -> t.status() == TopicProvisioner.Status.CREATED)
            .count();
    out.println();
    out.println("swarmsched local cluster is running");
    out.println("  Kafka bootstrap servers : " + cluster.bootstrapServers());
    out.println("  Schema registry         : " + cluster.registryUrl());
    out.println(
        "  Topics                  : "
            + cluster.topics().size()
            + " in the catalog ("
            + created
            + " created now)");
    out.println("  Schemas                 : " + cluster.schemaIds().size() + " registered");
    out.println("  Data and logs           : " + config.dataDir());
    out.println("  Security                : " + LocalCluster.posture(config));
    cluster
        .security()
        .ifPresent(
            s ->
                out.println(
                    "  Credentials             : "
                        + s.directory()
                        + " (admin client settings: "
                        + cluster.clientSettingsFile("admin")
                        + ")"));
    cluster.topics().stream()
        .filter(t -> t.status() == TopicProvisioner.Status.MISMATCHED)
        .forEach(
            t ->
                out.println(
                    "  WARNING: topic " + t.topic() + " differs from the catalog: " + t.detail()));
    JoinInstructions.print(out, cluster);
    out.println("Press Ctrl-C to stop.");
    out.flush();
    cluster.awaitStopped();
    return 0;
  }
}
