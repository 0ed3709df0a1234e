package io.swarmsched.bench;

/**
 * One benchmark of the harness. Implementations are bounded: every load generator stops by itself
 * (by count and by time), talks only to loopback, and leaves nothing running when {@link #run}
 * returns.
 */
public interface Benchmark {

  /** Short name used by {@code --only} and in file names, e.g. {@code broker-baseline}. */
  String name();

  /** One line saying what is measured. */
  String title();

  /** Whether the run needs the broker and registry ({@link BenchContext#cluster()}). */
  default boolean needsBroker() {
    return true;
  }

  /**
   * Runs the benchmark and returns its figures. A benchmark that cannot run (a service missing or
   * broken) returns {@link BenchResult#notRun(Benchmark, String)} instead of throwing.
   */
  BenchResult run(BenchContext context) throws Exception;
}
