package io.swarmsched.dispatcher.jobs;

import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.schemas.JobEventType;

/**
 * The pool's own placement cost, outside Kafka: {@code workers} workers with 4 slots each, then
 * {@code jobs} submissions (each placed at once while slots last, then queued), then every placed
 * job's SUCCEEDED (each frees a slot that the queue's head takes). Run from the repository root:
 *
 * <pre>
 * ./mvnw -B -o -q -pl dispatcher -am test-compile -Dspotless.check.skip=true
 * java -cp "dispatcher/target/test-classes:dispatcher/target/classes:$(cat /tmp/dispatcher.cp)" \
 *   io.swarmsched.dispatcher.jobs.JobPoolBench 10000 50000
 * </pre>
 */
public final class JobPoolBench {
  public static void main(String[] args) {
    int workers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
    for (int round = 0; round < 3; round++) {
      PoolHarness h = new PoolHarness();
      h.decisions.clear();
      for (int w = 0; w < workers; w++) h.worker(String.format("w%06d", w), 4, 0, Liveness.ONLINE);
      long t0 = System.nanoTime();
      for (int j = 0; j < jobs; j++) h.submit("j" + j, j % 3);
      long t1 = System.nanoTime();
      int done = 0;
      for (JobRecord r : h.stored.values().toArray(new JobRecord[0])) {
        if (r.state.holdsSlot()) {
          h.report(r.jobId, r.attempt, r.workerHostId, JobEventType.SUCCEEDED, null);
          done++;
        }
      }
      long t2 = System.nanoTime();
      System.out.printf(
          "round %d: %d workers, %d submissions in %.0f ms (%.0f/s, %.1f µs each);"
              + " %d completions (each placing a queued job) in %.0f ms (%.1f µs each)%n",
          round,
          workers,
          jobs,
          (t1 - t0) / 1e6,
          jobs / ((t1 - t0) / 1e9),
          (t1 - t0) / 1e3 / jobs,
          done,
          (t2 - t1) / 1e6,
          (t2 - t1) / 1e3 / Math.max(1, done));
    }
  }
}
