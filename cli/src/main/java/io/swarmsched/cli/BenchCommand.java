package io.swarmsched.cli;

import io.swarmsched.bench.BenchMain;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code swarmsched bench}: the benchmark harness. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Run the benchmarks on an embedded broker; every figure beside the broker's own baseline from the same run.",
    footer = {
      "",
      "Writes results.json, report.md and charts to the output directory (default bench-results/<timestamp>).",
      "Benchmarks: "
          + "broker, heartbeat-ingest, scoring-streams, dispatcher, scheduling-core (JMH), distribution, memory."
    })
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--quick", description = "Smaller, shorter runs (under 5 minutes on 2 cores).")
  boolean quick;

  @Option(
      names = "--only",
      paramLabel = "NAME[,NAME]",
      description = "Run only these benchmarks (the broker baseline is added when needed).")
  String only;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Override
  public Integer call() {
    List<String> args = new ArrayList<>();
    if (quick) {
      args.add("--quick");
    }
    if (only != null) {
      args.add("--only");
      args.add(only);
    }
    if (out != null) {
      args.add("--out");
      args.add(out.toString());
    }
    PrintStream stdout = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true);
    try {
      return BenchMain.run(args.toArray(String[]::new), BenchMain.all(), stdout);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(e.getMessage(), 2, e);
    }
  }
}
