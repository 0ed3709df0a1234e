package io.swarmsched.cli;

import io.swarmsched.swarm.SwarmDemo;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code swarmsched demo}: the whole system distributing one file to a local swarm. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Start the embedded cluster, every service, an origin and a swarm of agents, and distribute one file.",
    footer = {
      "",
      "Agent 0 is a super seed; the agents alternate between two IDCs and four locations, each with the upload limit.",
      "The summary shows the elapsed time beside the fluid lower bound max(F/u_s, N*F/(u_s + sum u_i)),",
      "origin versus peer-to-peer bytes and the decisions by outcome. Exit 0 only when every agent holds a verified copy."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--size",
      paramLabel = "BYTES",
      converter = ByteSize.class,
      description = "Size of the generated file (default: 256MiB).")
  long size = 256L << 20;

  @Option(
      names = "--agents",
      paramLabel = "N",
      description = "Agents in the swarm, including the super seed (default: ${DEFAULT-VALUE}).")
  int agents = 8;

  @Option(
      names = "--upload-limit",
      paramLabel = "BYTES/S",
      converter = ByteSize.class,
      description = "Each agent's upload limit (default: 32MiB).")
  long uploadLimit = 32L << 20;

  @Option(
      names = "--origin-limit",
      paramLabel = "BYTES/S",
      converter = ByteSize.class,
      description = "The origin's egress limit, 0 = unlimited (default: 64MiB).")
  long originLimit = 64L << 20;

  @Option(
      names = "--policy",
      paramLabel = "POLICY",
      description =
          "Dispatcher policy, any registered name: load-aware, random, give-aware, dragonfly, seed-last (default: ${DEFAULT-VALUE}).")
  String policy = "load-aware";

  @Option(
      names = "--piece-length",
      paramLabel = "BYTES",
      converter = ByteSize.class,
      description = "Piece length; 0 = chosen from the file size, about 128 pieces (default: 0).")
  long pieceLength = 0;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Where the demo's broker, state, origin and agents live (default: .swarmsched/demo; wiped at start).")
  Path dataDir;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "A setting for every agent, e.g. --set swarm.agent.origin.assist=0 (repeatable).")
  java.util.Map<String, String> agentSettings = new java.util.LinkedHashMap<>();

  @Option(
      names = "--service-set",
      paramLabel = "KEY=VALUE",
      description =
          "A setting for every service (ingest, scoring, dispatcher), e.g. --service-set swarm.streams.max.task.idle.ms=0 (repeatable).")
  java.util.Map<String, String> serviceSettings = new java.util.LinkedHashMap<>();

  @Option(
      names = "--seed-leaves-after",
      paramLabel = "SECONDS",
      description =
          "Stop the super seed's agent this long after the downloads start, finished or not (the simulator's seed-loss); 0 = it stays (default: 0).")
  double seedLeavesAfter = 0;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds = 900;

  @Override
  public Integer call() {
    if (!(seedLeavesAfter >= 0) || seedLeavesAfter > 86_400) {
      throw new CommandFailure(
          "--seed-leaves-after must be between 0 and 86400 seconds, was " + seedLeavesAfter,
          2,
          null);
    }
    if (pieceLength != 0 && (pieceLength < 4096 || pieceLength > (64L << 20))) {
      throw new CommandFailure(
          "--piece-length must be 0 (automatic) or between 4KiB and 64MiB", 2, null);
    }
    Path dir = dataDir != null ? dataDir : ClusterCommand.defaultDataDir().resolveSibling("demo");
    LogToFile.to(dir.resolve("swarmsched.log"));
    PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true);
    PrintStream err = new PrintStream(new WriterOutputStream(spec.commandLine().getErr()), true);
    return SwarmDemo.run(
        new SwarmDemo.Options(
                size,
                agents,
                uploadLimit,
                originLimit,
                policy,
                dir,
                (int) pieceLength,
                Duration.ofSeconds(timeoutSeconds))
            .withAgentSettings(agentSettings)
            .withServiceSettings(serviceSettings)
            .withSeedLeavingAfter(Duration.ofMillis((long) (seedLeavesAfter * 1000))),
        out,
        err);
  }
}
