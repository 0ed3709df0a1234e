package io.swarmsched.cli;

import io.swarmsched.scheduling.ParentSelector;
import io.swarmsched.scheduling.evaluator.Evaluators;
import io.swarmsched.simulator.Report;
import io.swarmsched.simulator.Scenario;
import io.swarmsched.simulator.Scenarios;
import io.swarmsched.simulator.SimOptions;
import io.swarmsched.simulator.Simulation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code swarmsched simulate}: the swarm simulator (simulator/), no broker needed. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description =
        "Simulate a swarm with the real stage-1 and stage-2 scheduling code and print completion times "
            + "against the fluid lower bound, per policy, with OK/FAIL. Without --scenario, lists the scenarios.",
    footer = {
      "",
      "Examples:",
      "  swarmsched simulate --scenario skewed --hosts 1000",
      "  swarmsched simulate --scenario all --policy load-aware --out sim-results"
    })
final class SimulateCommand implements Callable<Integer> {
  static final int MAX_HOSTS = 100_000;

  @Spec CommandSpec spec;

  @Option(
      names = "--scenario",
      paramLabel = "NAME|all",
      description = "The scenario to run, or all.")
  String scenario;

  @Option(
      names = "--hosts",
      paramLabel = "N",
      description = "Downloading hosts (default: the scenario's, 1000).")
  Integer hosts;

  @Option(
      names = "--policy",
      paramLabel = "NAME[,NAME]|all",
      defaultValue = "all",
      description = "Stage-1 policies, or all registered ones (default: ${DEFAULT-VALUE}).")
  String policy;

  @Option(
      names = "--size",
      paramLabel = "BYTES",
      converter = ByteSize.class,
      description = "File size, e.g. 256MiB, 1GiB (default: the scenario's, 1GiB).")
  Long size;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "1",
      description = "Seeds arrival times and churn (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--candidate-limit",
      paramLabel = "N",
      defaultValue = "40",
      description =
          "Stage-1 candidates examined per request; 0 scans every peer (default: ${DEFAULT-VALUE}).")
  int candidateLimit;

  @Option(
      names = "--no-super-seeding",
      description =
          "Sources offer every piece they hold (the behaviour before super-seeding), for comparison.")
  boolean noSuperSeeding;

  @Option(
      names = "--upload-slots",
      paramLabel = "N",
      defaultValue = "8",
      description =
          "Concurrent uploads per host, as the agent's piece server allows (its default, 8); 0 ="
              + " unlimited (default: ${DEFAULT-VALUE}).")
  int uploadSlots;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Also write results.json and results.txt here.")
  Path out;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    if (scenario == null) {
      list(stdout);
      return 0;
    }
    if (hosts != null && (hosts < 1 || hosts > MAX_HOSTS)) {
      throw new CommandFailure(
          "--hosts must be between 1 and " + MAX_HOSTS + ", was " + hosts, 2, null);
    }
    if (size != null && size < 1) {
      throw new CommandFailure("--size must be at least 1 byte", 2, null);
    }
    if (uploadSlots < 0) {
      throw new CommandFailure(
          "--upload-slots must be >= 0 (0 = unlimited), was " + uploadSlots, 2, null);
    }
    if (candidateLimit < 0) {
      throw new CommandFailure(
          "--candidate-limit must be >= 0 (0 scans every peer), was " + candidateLimit, 2, null);
    }
    List<String> policies = new java.util.ArrayList<>();
    if (policy.equalsIgnoreCase("all")) {
      policies.addAll(Evaluators.names());
    } else {
      for (String p : policy.split(",")) {
        if (!Evaluators.isRegistered(p)) {
          throw new CommandFailure(
              "unknown policy '"
                  + p.trim()
                  + "', expected one of "
                  + Evaluators.names()
                  + " or all",
              2,
              null);
        }
        policies.add(p.trim().toLowerCase(Locale.ROOT));
      }
    }
    List<Scenario> runs;
    try {
      runs = Scenarios.plan(scenario, hosts == null ? 0 : hosts, size == null ? 0 : size);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(e.getMessage(), 2, e);
    }
    PrintWriter err = spec.commandLine().getErr();
    SimOptions options =
        SimOptions.of(Evaluators.DEFAULT)
            .withSeed(seed)
            .withCandidateLimit(candidateLimit)
            .withSuperSeeding(!noSuperSeeding)
            .withUploadSlots(uploadSlots);
    Simulation.Results results =
        Simulation.run(
            runs,
            policies,
            options,
            line -> {
              err.println(line);
              err.flush();
            });
    String table = Report.table(results);
    stdout.print(table);
    stdout.flush();
    if (out != null) {
      try {
        Files.createDirectories(out);
        Files.writeString(
            out.resolve("results.json"), Report.json(results), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("results.txt"), table, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CommandFailure("cannot write to " + out + ": " + e.getMessage(), e);
      }
      err.println("wrote " + out.resolve("results.json") + " and results.txt");
    }
    return 0;
  }

  private static void list(PrintWriter out) {
    out.println(
        "Scenarios (swarmsched simulate --scenario NAME|all [--hosts N] [--policy NAME|all] [--size BYTES]):");
    for (Scenario s : Scenarios.all()) {
      String checks =
          String.format(
              Locale.ROOT,
              "OK when p50 <= %.1fx and p99 <= %.1fx the bound%s",
              s.p50Max(),
              s.p99Max(),
              s.seedMaxFiles() >= 0
                  ? String.format(Locale.ROOT, ", seed <= %.1fx the file", s.seedMaxFiles())
                  : "");
      out.printf(
          Locale.ROOT,
          "  %-12s %5d hosts, %-7s %s; %s%n",
          s.name(),
          s.hosts(),
          Report.size(s.fileBytes()),
          s.description(),
          checks);
    }
    out.println(
        "Policies: "
            + String.join(", ", Evaluators.names())
            + " (default "
            + Evaluators.DEFAULT
            + "); stage 1 examines "
            + ParentSelector.DEFAULT_CANDIDATE_LIMIT
            + " candidates per request by default.");
    out.flush();
  }
}
