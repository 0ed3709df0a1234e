package io.swarmsched.bench.distribution;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Benchmark;

/**
 * Benchmark 6 (slot): time for one file to reach every agent beside the fluid lower bound
 * {@code max(F/u_s, F/d_min, N·F/(u_s + Σu_i))}, and the origin's egress, for the load-aware and random
 * policies, with worker-agent's Agent and OriginServer and an in-process dispatcher. Not written yet: it
 * reports "not run" rather than a number that was not measured.
 */
public final class DistributionBench implements Benchmark {
  @Override
  public String name() {
    return "distribution";
  }

  @Override
  public String title() {
    return "time to distribute one file to N rate-limited agents vs the fluid lower bound, load-aware and random";
  }

  @Override
  public boolean needsBroker() {
    return false;
  }

  @Override
  public BenchResult run(BenchContext ctx) {
    return BenchResult.notRun(this, "not implemented yet: needs the swarm orchestration (ingest + scoring + "
        + "dispatcher + N io.swarmsched.agent.Agent with upload limits + OriginServer) written in the harness");
  }
}
