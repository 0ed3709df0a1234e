package io.swarmsched.cli;

import io.swarmsched.chaos.ChaosHarness;
import io.swarmsched.chaos.ChaosOptions;
import io.swarmsched.chaos.ChaosReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code swarmsched chaos}: the chaos harness (chaos/README.md). */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description = {
      "Chaos run: three KRaft brokers (replication factor 3, min.insync.replicas 2), the schema registry, "
          + "heartbeat-ingest, scoring-streams and several dispatchers, each in its own JVM; a bounded stream of schedule "
          + "requests; kill -9 of a dispatcher, then of a broker, then the broker's restart. Then every decision is read "
          + "read_committed and counted: sent, decided, lost, decided twice differently, delivered twice, and the "
          + "recovery time after each fault.",
      "Exits 0 when nothing was lost or duplicated, 1 otherwise."
    },
    footer = {
      "",
      "Progress on stderr; the table on stdout; report.json and report.txt in --out (default chaos-results/<timestamp>)."
    })
final class ChaosCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--requests",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Schedule requests to send (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--rate",
      paramLabel = "PER_SECOND",
      defaultValue = "" + io.swarmsched.chaos.ChaosOptions.DEFAULT_RATE,
      description = "Requests per second (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--hosts",
      paramLabel = "N",
      defaultValue = "500",
      description = "Hosts that heartbeat (default: ${DEFAULT-VALUE}).")
  int hosts;

  @Option(
      names = "--tasks",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Tasks the requests are spread over (default: ${DEFAULT-VALUE}).")
  int tasks;

  @Option(
      names = "--dispatchers",
      paramLabel = "N",
      defaultValue = "3",
      description = "Dispatcher processes, one of which is killed (default: ${DEFAULT-VALUE}).")
  int dispatchers;

  @Option(
      names = "--kill-dispatcher-at",
      paramLabel = "SHARE",
      defaultValue = "0.3",
      description =
          "Share of the requests sent when a dispatcher is killed (default: ${DEFAULT-VALUE}).")
  double killDispatcherAt;

  @Option(
      names = "--kill-broker-at",
      paramLabel = "SHARE",
      defaultValue = "0.6",
      description =
          "Share of the requests sent when a broker (the KRaft leader) is killed, at the earliest: the harness first"
              + " waits until the killed dispatcher's partitions decide again, at most 90 s (default: ${DEFAULT-VALUE}).")
  double killBrokerAt;

  @Option(
      names = "--broker-down",
      paramLabel = "SECONDS",
      defaultValue = "20",
      description =
          "Seconds the killed broker stays down before its restart (default: ${DEFAULT-VALUE}).")
  int brokerDownSeconds;

  @Option(
      names = "--drain-timeout",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description =
          "Seconds to wait for the last decisions after the last request (default: ${DEFAULT-VALUE}).")
  int drainSeconds;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description = "Broker data, service state and logs (default: a new directory under --out).")
  Path workDir;

  @Option(names = "--out", paramLabel = "DIR", description = "Where report.json and report.txt go.")
  Path out;

  @Option(
      names = "--set",
      paramLabel = "swarm.KEY=VALUE",
      description =
          "A setting for every service, e.g. --set swarm.streams.num.standby.replicas=1 (repeatable).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seeds the choice of requesting hosts (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    Path outDir =
        out != null
            ? out
            : Path.of(
                "chaos-results",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    Path work = workDir != null ? workDir : outDir.resolve("work");
    if (Files.isDirectory(work)) {
      try (var entries = Files.list(work)) {
        if (entries.findAny().isPresent()) {
          throw new CommandFailure(
              "the work directory "
                  + work
                  + " is not empty; a chaos run starts from a fresh cluster",
              2,
              null);
        }
      }
    }
    ChaosOptions options;
    try {
      options =
          new ChaosOptions(
              requests,
              rate,
              hosts,
              tasks,
              dispatchers,
              killDispatcherAt,
              killBrokerAt,
              Duration.ofSeconds(brokerDownSeconds),
              Duration.ofSeconds(drainSeconds),
              work,
              Optional.of(outDir),
              settings,
              seed);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(e.getMessage(), 2, e);
    }
    PrintWriter err = spec.commandLine().getErr();
    ChaosReport report =
        new ChaosHarness(
                options,
                line -> {
                  err.println(line);
                  err.flush();
                })
            .run();
    report.write(outDir);
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.print(report.table());
    stdout.println("report: " + outDir.resolve("report.json").toAbsolutePath());
    stdout.flush();
    return report.passed() ? 0 : Main.EXIT_FAILURE;
  }
}
