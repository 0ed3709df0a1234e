package io.swarmsched.bench.memory;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Benchmark;

/**
 * Each service as its own process ({@link ServiceProcesses}): RSS and CPU per input record at
 * 10,000 hosts ({@code --quick}) or 100,000 (full run). It runs right after the broker baseline,
 * while the shared topics are still empty, so each service reads only this benchmark's hosts (the
 * later benchmarks fill swarm.hosts.v1 with hundreds of thousands of states, which a fresh
 * scoring-streams would have to read first).
 */
public final class ServicesBench implements Benchmark {
  public static final String NAME = "services";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "ingest, scoring and dispatcher each as its own process: RSS and CPU per record";
  }

  @Override
  public BenchResult run(BenchContext ctx) throws Exception {
    BenchResult result = BenchResult.of(this);
    ServiceProcesses.measure(ctx, result);
    return result;
  }
}
