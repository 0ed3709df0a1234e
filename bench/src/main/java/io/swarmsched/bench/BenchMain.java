package io.swarmsched.bench;

import io.swarmsched.bench.baseline.BrokerBaseline;
import io.swarmsched.bench.core.SchedulingCoreJmh;
import io.swarmsched.bench.dispatcher.DispatcherBench;
import io.swarmsched.bench.distribution.DistributionBench;
import io.swarmsched.bench.ingest.CommitIntervalBench;
import io.swarmsched.bench.ingest.HeartbeatIngestBench;
import io.swarmsched.bench.jobs.JobPlacementBench;
import io.swarmsched.bench.memory.MemoryBench;
import io.swarmsched.bench.memory.ServicesBench;
import io.swarmsched.bench.scoring.ScoringStreamsBench;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The benchmark harness: {@code BenchMain [--quick] [--only NAME[,NAME]] [--out DIR]}. Runs the
 * selected benchmarks in order against one broker, prints progress, and writes {@code
 * results.json}, {@code report.md} and {@code charts/*.png} to the output directory (default {@code
 * bench-results/<timestamp>}). Exits 0 when every selected benchmark ran or reported why it could
 * not, 1 when one failed, 2 on bad arguments.
 */
public final class BenchMain {

  /**
   * Every benchmark, in run order: the broker baseline first, so the others can be read against it;
   * the broker-based ones next, memory while the shared broker still runs; then those that need no
   * shared broker (JMH, and distribution, which starts a whole swarm with a broker of its own) once
   * it is stopped.
   */
  public static List<Benchmark> defaultBenchmarks() {
    return List.of(
        new BrokerBaseline(),
        new ServicesBench(),
        new HeartbeatIngestBench(),
        new CommitIntervalBench(),
        new ScoringStreamsBench(),
        new DispatcherBench(),
        new JobPlacementBench(),
        new MemoryBench(),
        new SchedulingCoreJmh(),
        new DistributionBench());
  }

  /** Same as {@link #defaultBenchmarks()}. */
  public static List<Benchmark> all() {
    return defaultBenchmarks();
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * The front door for a CLI: runs the default benchmarks with {@code args}; bad arguments print
   * one line ({@code bench: <reason>}) to {@code err} and return 2; otherwise 0 when every
   * benchmark ran or said why it could not, 1 when one failed.
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    try {
      return run(args, defaultBenchmarks(), out);
    } catch (IllegalArgumentException e) {
      err.println("bench: " + e.getMessage());
      return 2;
    }
  }

  /** Runs the harness with the given benchmarks; returns the exit code. */
  public static int run(String[] args, List<Benchmark> available, PrintStream out)
      throws IllegalArgumentException {
    boolean quick = false;
    Set<String> only = new LinkedHashSet<>();
    Path outDir = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--only" -> only.addAll(Arrays.asList(value(args, ++i, "--only").split(",")));
        case "--out" -> outDir = Path.of(value(args, ++i, "--out"));
        case "--help", "-h" -> {
          out.println("usage: BenchMain [--quick] [--only NAME[,NAME]] [--out DIR]");
          out.println(
              "benchmarks: " + String.join(", ", available.stream().map(Benchmark::name).toList()));
          return 0;
        }
        default ->
            throw new IllegalArgumentException("unknown argument '" + args[i] + "' (try --help)");
      }
    }
    List<Benchmark> selected = select(available, only);
    if (outDir == null) {
      outDir =
          Path.of(
              "bench-results",
              LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    Instant started = Instant.now();
    List<BenchResult> results = new ArrayList<>();
    boolean failed = false;
    try (BenchContext ctx = new BenchContext(quick, outDir, out)) {
      ctx.progress(
          "%s run of %s -> %s",
          quick ? "quick" : "full",
          String.join(", ", selected.stream().map(Benchmark::name).toList()),
          outDir.toAbsolutePath());
      for (int i = 0; i < selected.size(); i++) {
        Benchmark b = selected.get(i);
        if (selected.subList(i, selected.size()).stream().noneMatch(Benchmark::needsBroker)) {
          ctx.releaseCluster(); // nothing left needs it: give its CPU and memory back
        }
        ctx.enter(b.name());
        ctx.progress("start: %s", b.title());
        long t0 = System.nanoTime();
        BenchResult r;
        try {
          r = b.run(ctx);
        } catch (Exception | Error e) {
          r = BenchResult.failed(b, e.getClass().getSimpleName() + ": " + e.getMessage());
          e.printStackTrace(out);
        }
        r.setSeconds((System.nanoTime() - t0) / 1e9);
        failed |= BenchResult.FAILED.equals(r.getStatus());
        ctx.progress(
            "%s in %.1f s%s",
            r.getStatus(), r.getSeconds(), r.getReason() == null ? "" : ": " + r.getReason());
        results.add(r);
        Report.write(
            outDir,
            started,
            List.of(args),
            quick,
            ctx.baselines(),
            results); // partial results survive a crash
      }
      ctx.enter("");
      Report.write(outDir, started, List.of(args), quick, ctx.baselines(), results);
      ctx.progress("wrote %s and %s", outDir.resolve("results.json"), outDir.resolve("report.md"));
    } catch (java.io.IOException e) {
      out.println("bench: cannot write results to " + outDir + ": " + e.getMessage());
      return 1;
    }
    return failed ? 1 : 0;
  }

  /**
   * The benchmarks named by {@code --only} (all when empty), in run order; the broker baseline is
   * added in front when a selected benchmark needs the broker, because every figure is read against
   * it.
   */
  static List<Benchmark> select(List<Benchmark> available, Set<String> only) {
    List<String> known = available.stream().map(Benchmark::name).toList();
    for (String name : only) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException(
            "unknown benchmark '" + name + "'; known: " + String.join(", ", known));
      }
    }
    List<Benchmark> selected = new ArrayList<>();
    boolean needsBroker = false;
    for (Benchmark b : available) {
      if (only.isEmpty() || only.contains(b.name())) {
        selected.add(b);
        needsBroker |= b.needsBroker();
      }
    }
    if (needsBroker && !only.isEmpty() && !only.contains(BrokerBaseline.NAME)) {
      available.stream()
          .filter(b -> b.name().equals(BrokerBaseline.NAME))
          .findFirst()
          .ifPresent(b -> selected.add(0, b));
    }
    return selected;
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length || args[i].startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  static boolean exists(Path p) {
    return Files.exists(p);
  }
}
