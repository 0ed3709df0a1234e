package io.swarmsched.bench.core;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Benchmark;
import io.swarmsched.bench.Charts;
import io.swarmsched.bench.Measurement;
import io.swarmsched.bench.baseline.BrokerBaseline;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Benchmark 5: runs {@link StageOneBenchmark} with JMH (one fork) from the harness, and reads each
 * decision time against Kafka's one-hop p50 of the same run: the share of a dispatcher round trip
 * the core costs.
 */
public final class SchedulingCoreJmh implements Benchmark {
  public static final String NAME = "scheduling-core-jmh";
  static final String BENCHMARK_LIST = "META-INF/BenchmarkList";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "JMH: stage-1 decision time for tasks of 10, 100 and 1,000 peers with 100,000 hosts";
  }

  @Override
  public boolean needsBroker() {
    return false; // the baseline it is read against is used when the run has it
  }

  @Override
  public BenchResult run(BenchContext ctx) throws Exception {
    if (SchedulingCoreJmh.class.getClassLoader().getResource(BENCHMARK_LIST) == null) {
      return BenchResult.notRun(
          this,
          BENCHMARK_LIST
              + " is not on the classpath: the JMH annotation processor "
              + "(jmh-generator-annprocess) did not run when bench was compiled");
    }
    Options options =
        new OptionsBuilder()
            .include(StageOneBenchmark.class.getName() + ".decide")
            .forks(1)
            .param(
                "peers", ctx.pick(new String[] {"10", "1000"}, new String[] {"10", "100", "1000"}))
            .warmupIterations(ctx.pick(1, 5))
            .warmupTime(TimeValue.seconds(ctx.pick(1, 2)))
            .measurementIterations(ctx.pick(2, 5))
            .measurementTime(TimeValue.seconds(ctx.pick(1, 2)))
            .jvmArgs("-Xms512m", "-Xmx1g", "-XX:+UseParallelGC")
            .verbosity(VerboseMode.SILENT)
            .result(ctx.outDir().resolve("jmh-scheduling-core.json").toString())
            .resultFormat(org.openjdk.jmh.results.format.ResultFormatType.JSON)
            .build();
    ctx.progress(
        "JMH %s (forks 1, %s)",
        StageOneBenchmark.class.getSimpleName(), ctx.quick() ? "short" : "full");
    Collection<RunResult> runs = new Runner(options).run();

    BenchResult result = BenchResult.of(this);
    Map<String, Map<Integer, Double>> byPolicy = new TreeMap<>();
    for (RunResult run : runs) {
      int peers = Integer.parseInt(run.getParams().getParam("peers"));
      String hosts = run.getParams().getParam("hosts");
      String policy = run.getParams().getParam("policy");
      double micros = run.getPrimaryResult().getScore();
      double error = run.getPrimaryResult().getScoreError();
      ctx.progress(
          "%s, %d peers, %s hosts: %.2f ± %.2f µs/decision", policy, peers, hosts, micros, error);
      result.add(
          ctx.against(
              policy + " decision, " + peers + " peers, " + hosts + " hosts (ms)",
              micros / 1000.0,
              "ms",
              BrokerBaseline.E2E_P50));
      result.add(
          Measurement.of(
              policy + " decisions/s on one thread, " + peers + " peers",
              1e6 / micros,
              "decisions/s"));
      byPolicy.computeIfAbsent(policy, p -> new TreeMap<>()).put(peers, micros);
      result.data(
          policy + "_" + peers + "_us",
          Map.of("score", micros, "error", Double.isNaN(error) ? 0 : error));
    }
    List<String> categories = new ArrayList<>();
    Map<String, List<Double>> series = new LinkedHashMap<>();
    byPolicy.values().stream()
        .findFirst()
        .ifPresent(m -> m.keySet().forEach(p -> categories.add(p + " peers")));
    byPolicy.forEach((policy, m) -> series.put(policy, new ArrayList<>(m.values())));
    if (!categories.isEmpty()) {
      result.chart(
          Charts.bars(
              ctx,
              "core-decision-time",
              "Stage-1 decision time (100,000 hosts)",
              "µs per decision",
              categories,
              series));
    }
    result.note(
        "Average time of ParentSelector.select over JMH iterations (one fork, "
            + (ctx.quick()
                ? "1×1 s warm-up, 2×1 s measured, tasks of 10 and 1,000 peers"
                : "5×2 s warm-up, 5×2 s measured")
            + "); ratio = decision time / Kafka one-hop p50 of this run. Full JMH output: jmh-scheduling-core.json.");
    return result;
  }
}
