package io.swarmsched.cli;

import io.swarmsched.dashboard.DashboardServer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code swarmsched dashboard}: the web dashboard as its own process, reading the services' HTTP
 * APIs.
 */
@Command(
    name = "dashboard",
    mixinStandardHelpOptions = true,
    description =
        "Serve the live web dashboard (hosts, scores, tasks and their DAGs, decisions, dead letters), "
            + "reading only the services' HTTP APIs, until Ctrl-C.",
    footer = {
      "",
      "Example: swarmsched dashboard --ingest http://ingest:8082 --scoring http://scoring:8083 --dispatcher http://dispatcher:8084"
    })
final class DashboardCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--ingest",
      paramLabel = "URL",
      description = "heartbeat-ingest base URL (default: ${DEFAULT-VALUE}).")
  String ingest = "http://localhost:8082";

  @Option(
      names = "--scoring",
      paramLabel = "URL",
      description = "scoring-streams base URL (default: ${DEFAULT-VALUE}).")
  String scoring = "http://localhost:8083";

  @Option(
      names = "--dispatcher",
      paramLabel = "URL",
      description = "dispatcher base URL (default: ${DEFAULT-VALUE}).")
  String dispatcher = "http://localhost:8084";

  @Option(
      names = "--registry",
      paramLabel = "URL",
      description =
          "swarmsched schema registry base URL, to show its health (default: none; Confluent's registry has no /health).")
  String registry;

  @Option(
      names = "--host",
      paramLabel = "ADDRESS",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host = "0.0.0.0";

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port = DashboardServer.DEFAULT_PORT;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new CommandFailure("--port must be in [0, 65535], was " + port, 2, null);
    }
    DashboardServer.Targets targets;
    try {
      targets = new DashboardServer.Targets(ingest, scoring, dispatcher, registry);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure("--" + e.getMessage(), 2, e);
    }
    DashboardServer server = DashboardServer.start(targets, host, port);
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "dashboard on http://"
            + ("0.0.0.0".equals(host) ? "localhost" : host)
            + ":"
            + server.port()
            + "/ reading "
            + targets.ingest()
            + ", "
            + targets.scoring()
            + ", "
            + targets.dispatcher());
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "dashboard-shutdown"));
    stopped.await();
    return 0;
  }
}
