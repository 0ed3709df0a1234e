package io.swarmsched.cli;

import io.swarmsched.cluster.ClusterException;
import io.swarmsched.cluster.ClusterSecurity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code swarmsched credentials}: generates (or keeps) the CA, broker certificate, SCRAM passwords
 * and HTTP tokens in {@code <dir>/security} without starting anything: what {@code up --bind} does
 * on its first start, for deployments whose parts start separately (docker-compose's one-shot
 * {@code credentials} service). Secrets are written to files readable by their owner, never
 * printed.
 */
@Command(
    name = "credentials",
    mixinStandardHelpOptions = true,
    description =
        "Generate the CA, broker certificate, SCRAM passwords and HTTP tokens into DIR/security"
            + " (existing ones are kept); prints the files, never the secrets.")
final class CredentialsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description = "Directory whose security/ subdirectory holds the credentials.")
  Path dir;

  @Option(
      names = "--principal",
      split = ",",
      paramLabel = "NAME",
      description =
          "Principals to create besides the services' (broker, admin, ingest, scoring, dispatcher,"
              + " registry, dashboard), e.g. agent-1,agent-2.")
  List<String> principals = new ArrayList<>();

  @Option(
      names = "--broker-name",
      split = ",",
      paramLabel = "HOST",
      description = "Names the broker's certificate carries (default: localhost).")
  List<String> brokerNames = new ArrayList<>(List.of("localhost"));

  @Option(
      names = "--bootstrap-server",
      paramLabel = "HOST:PORT",
      description =
          "With it, also write security/clients/<principal>.properties for every principal (its"
              + " Kafka credentials, the CA and its HTTP token), for --config.")
  String bootstrapServer;

  @Option(
      names = "--registry",
      paramLabel = "URL",
      description = "The schema registry URL the client files name (with --bootstrap-server).")
  String registry;

  @Option(
      names = "--kafka-files",
      description =
          "Also write security/kafka/ (server.properties, format.args, admin.properties): the"
              + " secured broker of docker-compose.yml.")
  boolean kafkaFiles;

  @Override
  public Integer call() {
    ClusterSecurity security;
    try {
      security = ClusterSecurity.ensure(dir.toAbsolutePath(), brokerNames);
      for (String p : principals) {
        security.ensurePrincipal(p);
      }
      if (bootstrapServer != null) {
        for (String p : security.principals()) {
          security.writeClientFile(p, bootstrapServer, registry);
        }
      }
      if (kafkaFiles) {
        io.swarmsched.cluster.ComposeBroker.write(security);
      }
    } catch (ClusterException e) {
      throw new CommandFailure("credentials: " + e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("credentials in " + security.directory());
    out.println("  CA certificate   " + security.caCertificate());
    out.println("  HTTP tokens      " + security.tokensFile() + " (swarm.http.tokens.file)");
    out.println(
        "  principals       " + String.join(", ", new java.util.TreeSet<>(security.principals())));
    out.flush();
    return 0;
  }
}
