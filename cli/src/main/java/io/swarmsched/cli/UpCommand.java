package io.swarmsched.cli;

import io.swarmsched.agent.Agent;
import io.swarmsched.cluster.LocalCluster;
import io.swarmsched.swarm.BoundedClose;
import io.swarmsched.swarm.DemoSwarmAgents;
import io.swarmsched.swarm.LocalSwarm;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code swarmsched up}: the embedded cluster and every service as one long-lived process. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description =
        "Run the embedded cluster and every service (ingest, scoring, dispatcher) in one process, until Ctrl-C.",
    footer = {
      "",
      "Listens on 127.0.0.1 in plaintext by default; --bind 0.0.0.0 listens on every interface",
      "and secures Kafka (TLS, SCRAM, ACLs) and the HTTP APIs (bearer tokens on writes); the",
      "credentials are generated into <data dir>/security and the command an agent on another",
      "machine runs to join is printed. --insecure opts out (plaintext beyond loopback)."
    })
final class UpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @picocli.CommandLine.Mixin NetworkOptions network = new NetworkOptions();

  @picocli.CommandLine.Mixin ClusterPortOptions ports = new ClusterPortOptions();

  @Option(
      names = "--ingest-port",
      paramLabel = "PORT",
      description = "heartbeat-ingest HTTP port (default: ${DEFAULT-VALUE}).")
  int ingestPort = LocalSwarm.Options.DEFAULT_INGEST_PORT;

  @Option(
      names = "--scoring-port",
      paramLabel = "PORT",
      description = "scoring-streams HTTP port (default: ${DEFAULT-VALUE}).")
  int scoringPort = LocalSwarm.Options.DEFAULT_SCORING_PORT;

  @Option(
      names = "--dispatcher-port",
      paramLabel = "PORT",
      description = "dispatcher HTTP port (default: ${DEFAULT-VALUE}).")
  int dispatcherPort = LocalSwarm.Options.DEFAULT_DISPATCHER_PORT;

  @Option(
      names = "--dashboard-port",
      paramLabel = "PORT",
      description = "Web dashboard port (default: ${DEFAULT-VALUE}).")
  int dashboardPort = LocalSwarm.Options.DEFAULT_DASHBOARD_PORT;

  @Option(
      names = "--dtask-port",
      paramLabel = "PORT",
      description =
          "dtask-scheduler API port: the base URL for dtask workers and clients (default:"
              + " ${DEFAULT-VALUE}).")
  int dtaskPort = LocalSwarm.Options.DEFAULT_DTASK_PORT;

  @Option(
      names = "--policy",
      paramLabel = "POLICY",
      description =
          "Dispatcher policy, any registered name: load-aware, random, give-aware, dragonfly, seed-last (default: ${DEFAULT-VALUE}).")
  String policy = "load-aware";

  @Option(
      names = "--agents",
      paramLabel = "N",
      description = "Also run a local swarm of N agents (default: ${DEFAULT-VALUE}).")
  int agents = 0;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where broker data and service state live (default: .swarmsched/data).")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = dataDir != null ? dataDir : ClusterCommand.defaultDataDir();
    LocalSwarm swarm =
        LocalSwarm.start(
            new LocalSwarm.Options(
                    dir,
                    ports.kafkaPort,
                    ports.controllerPort,
                    ports.registryPort,
                    ingestPort,
                    scoringPort,
                    dispatcherPort,
                    policy,
                    Map.of(),
                    dashboardPort,
                    dtaskPort)
                .withNetwork(network.network()),
            line -> {
              out.println(line);
              out.flush();
            });
    List<Agent> local = new ArrayList<>();
    try {
      for (DemoSwarmAgents.Spec s : DemoSwarmAgents.specs(agents)) {
        local.add(DemoSwarmAgents.start(swarm, s, dir.resolve("agents"), 32L << 20, 0, Map.of()));
      }
    } catch (Exception e) {
      stop(local, swarm);
      throw e;
    }
    out.println();
    out.println(
        "  dashboard           "
            + swarm.dashboardUrl()
            + "  (hosts, tasks and their DAGs, decisions, dead letters)");
    out.println("  Kafka bootstrap     " + swarm.bootstrapServers());
    out.println("  schema registry     " + swarm.registryUrl());
    out.println(
        "  heartbeat-ingest    "
            + swarm.ingestUrl()
            + "  (/api/v1/hosts, /api/v1/heartbeat, /health, /metrics)");
    out.println(
        "  scoring-streams     " + swarm.scoringUrl() + "  (/api/v1/scores, /health, /metrics)");
    out.println(
        "  dispatcher          "
            + swarm.dispatcherUrl()
            + "  (/api/v1/jobs, /api/v1/schedule, /api/v1/decisions, /api/v1/tasks, /health,"
            + " /metrics)");
    out.println(
        "  dtask API           "
            + swarm.dtaskUrl()
            + "  (dtask-scheduler's /api/v1/heartbeat, /api/v1/schedule, /api/v1/workers)");
    for (Agent a : local) {
      out.println("  agent               pieces on " + a.pieceServerAddress());
    }
    out.println("  data and logs       " + dir.toAbsolutePath());
    out.println("  security            " + LocalCluster.posture(swarm.cluster().config()));
    swarm
        .cluster()
        .security()
        .ifPresent(
            s ->
                out.println(
                    "  credentials         "
                        + s.directory()
                        + " (HTTP writes need 'Authorization: Bearer <token>' from"
                        + " http-tokens.properties)"));
    out.println();
    JoinInstructions.print(out, swarm.cluster());
    out.println("Ctrl-C stops everything.");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  haltAfter(SHUTDOWN_LIMIT);
                  stop(local, swarm);
                  stopped.countDown();
                },
                "up-shutdown"));
    stopped.await();
    return 0;
  }

  /** How long the agents get to leave their tasks (concurrently) before the services stop. */
  static final Duration AGENT_STOP_BUDGET = Duration.ofSeconds(5);

  /**
   * The most a SIGTERM may take: the budgets of {@link #stop} add up to less; this is the net under
   * a close that ignores its bound (the JVM would otherwise wait for it indefinitely).
   */
  static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(25);

  /**
   * Agents first (they publish LEFT while the broker is up), then the services, then the cluster.
   */
  static void stop(List<Agent> agents, LocalSwarm swarm) {
    BoundedClose.all("the agents", agents, AGENT_STOP_BUDGET);
    swarm.close();
  }

  /** Halts the JVM if shutdown is still running after {@code limit}, saying so on stderr. */
  private static void haltAfter(Duration limit) {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(limit.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              System.err.println(
                  "swarmsched up: shutdown did not finish within "
                      + limit.toSeconds()
                      + " s; exiting anyway");
              Runtime.getRuntime().halt(1);
            },
            "up-shutdown-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
