package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceOutcome;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A load harness for the dispatcher's processor, run by hand (not a test): the real topology on a
 * TopologyTestDriver with 100,000 hosts in the hosts and scores global tables, tasks of 10, 100 and
 * 1,000 peers, and a stream of schedule requests, peer events and piece events. It prints the CPU
 * time of the processing thread per event of each kind and the decisions per CPU-second, so the
 * numbers do not depend on how loaded the machine is.
 *
 * <pre>
 * ./mvnw -B -o -q -pl dispatcher test-compile
 * java -cp "$(./mvnw -B -o -q -pl dispatcher dependency:build-classpath -Dmdep.outputFile=/dev/stdout):dispatcher/target/classes:dispatcher/target/test-classes" \
 *   io.swarmsched.dispatcher.topology.DispatcherLoadHarness [hosts=100000] [tasks=10] [requests=2000]
 *   [pieces=5000] [peerEvents=2000] [firstDownloads=50] [jobs=50]
 * </pre>
 *
 * Add {@code -XX:StartFlightRecording=filename=/tmp/d.jfr,settings=profile} to profile, then {@code
 * jfr print --events jdk.ExecutionSample /tmp/d.jfr}.
 */
public final class DispatcherLoadHarness {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  /** Every decision, in order: the same inputs must give the same digest. */
  private static final HarnessDecisionDigest DECISIONS = new HarnessDecisionDigest();

  private DispatcherLoadHarness() {}

  public static void main(String[] args) throws Exception {
    Map<String, Integer> opts =
        new java.util.HashMap<>(
            Map.of(
                "hosts",
                100_000,
                "tasks",
                10,
                "requests",
                2_000,
                "pieces",
                5_000,
                "peerEvents",
                2_000,
                "firstDownloads",
                50,
                "jobs",
                50));
    for (String a : args) {
      String[] kv = a.split("=", 2);
      opts.put(kv[0], Integer.parseInt(kv[1]));
    }
    int hostCount = opts.get("hosts");
    int tasksPerSize = opts.get("tasks");
    System.out.printf(
        "dispatcher load harness: %,d hosts, %d tasks per size, %s%n",
        hostCount, tasksPerSize, opts);
    try (DispatcherFixture f = new DispatcherFixture()) {
      long c0 = cpu();
      SplittableRandom rnd = new SplittableRandom(42);
      HarnessHosts.load(f, hostCount, rnd);
      System.out.printf(
          "loaded %,d hosts and scores in %.1f s CPU%n", hostCount, (cpu() - c0) / 1e9);

      HarnessFloor.floor(5_000);
      HarnessFloor.floor(5_000);
      long now = T0 + 1_000;
      for (int size : new int[] {10, 100, 1_000}) {
        if (size > opts.getOrDefault("maxSize", 1_000)) break;
        now = runSize(f, opts, size, tasksPerSize, hostCount, now, rnd);
      }
      runSeedsAndJobs(f, opts, hostCount, now, rnd);
      System.out.println(DECISIONS.summary());
    }
  }

  private static long runSize(
      DispatcherFixture f,
      Map<String, Integer> opts,
      int size,
      int tasks,
      int hostCount,
      long now,
      SplittableRandom rnd) {
    HarnessRun run = new HarnessRun(f, DECISIONS::record);
    run.drain();
    run.takeChangelog(1);
    // 1. loading: each task gets `size` peers, reported SUCCEEDED (a finished swarm: every peer can
    // give)
    List<HarnessRun.In> load = new ArrayList<>();
    for (int p = 0; p < size; p++) {
      for (int t = 0; t < tasks; t++) {
        String task = task(size, t);
        load.add(
            run.peer(
                task,
                task + "-peer-" + p,
                hostId(rnd.nextInt(hostCount)),
                PeerEventType.SUCCEEDED,
                now));
      }
      now += 1;
    }
    long loadNs = run.pipe(load);
    String loadLog = run.takeChangelog(load.size());

    // 2. requests: each from a new peer of one of the tasks (as the end-to-end benchmark does)
    int requests = opts.get("requests");
    List<HarnessRun.In> reqs = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      String task = task(size, i % tasks);
      reqs.add(
          run.request(
              DispatcherFixture.request(
                      "req-" + size + "-" + i,
                      task,
                      task + "-new-" + i,
                      hostId(rnd.nextInt(hostCount)),
                      now)
                  .build()));
      now += 1;
    }
    long requestNs = run.pipe(reqs);
    String reqLog = run.takeChangelog(reqs.size());
    Map<DecisionOutcome, Integer> outcomes = new EnumMap<>(run.outcomes);
    run.outcomes.clear();

    // 3. piece events of the new peers, from their parents
    int pieces = opts.get("pieces");
    List<HarnessRun.In> pcs = new ArrayList<>();
    for (int i = 0; i < pieces; i++) {
      int r = i % requests;
      String task = task(size, r % tasks);
      String parent = task + "-peer-" + (i % size);
      pcs.add(
          run.piece(
              task,
              task + "-new-" + r,
              hostId(r % hostCount),
              parent,
              hostId((i * 7) % hostCount),
              i % 50 == 0 ? PieceOutcome.FAILED : PieceOutcome.FINISHED,
              40 + (i % 13),
              i / requests,
              now));
      now += 1;
    }
    long pieceNs = run.pipe(pcs);
    String pieceLog = run.takeChangelog(pcs.size());

    // 4. peer events: the new peers report RUNNING progress
    int peerEvents = opts.get("peerEvents");
    List<HarnessRun.In> pes = new ArrayList<>();
    for (int i = 0; i < peerEvents; i++) {
      int r = i % requests;
      String task = task(size, r % tasks);
      pes.add(
          run.peer(task, task + "-new-" + r, hostId(r % hostCount), PeerEventType.RUNNING, now));
      now += 1;
    }
    long peerNs = run.pipe(pes);
    String peerLog = run.takeChangelog(pes.size());

    System.out.printf(
        "%5d-peer tasks:%n"
            + "   load        %9.1f us/peer event   %s (%,d events)%n"
            + "   request     %9.1f us/request      %s -> %,.0f decisions/CPU-s %s%n"
            + "   piece event %9.1f us/event        %s%n"
            + "   peer event  %9.1f us/event        %s%n",
        size,
        loadNs / 1e3 / load.size(),
        loadLog,
        load.size(),
        requestNs / 1e3 / requests,
        reqLog,
        requests / (requestNs / 1e9),
        outcomes,
        pieceNs / 1e3 / pieces,
        pieceLog,
        peerNs / 1e3 / peerEvents,
        peerLog);
    return now;
  }

  /**
   * First downloads (each a new task: seed choice over the online super seeds, SEED_TRIGGER) and
   * job requests (placement over the workers, ASSIGNED). Run last: the first downloads leave
   * requests waiting for their seed.
   */
  private static void runSeedsAndJobs(
      DispatcherFixture f,
      Map<String, Integer> opts,
      int hostCount,
      long now,
      SplittableRandom rnd) {
    HarnessRun run = new HarnessRun(f, DECISIONS::record);
    run.drain();
    int firstDownloads = opts.get("firstDownloads");
    List<HarnessRun.In> first = new ArrayList<>();
    for (int i = 0; i < firstDownloads; i++) {
      String task = "first-" + i;
      first.add(
          run.request(
              DispatcherFixture.request(
                      "req-first-" + i, task, task + "-peer-0", hostId(rnd.nextInt(hostCount)), now)
                  .build()));
      now += 1;
    }
    long firstNs = run.pipe(first);
    Map<DecisionOutcome, Integer> firstOutcomes = new EnumMap<>(run.outcomes);
    run.outcomes.clear();

    int jobs = opts.get("jobs");
    List<HarnessRun.In> js = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      js.add(
          run.request(
              DispatcherFixture.request("req-job-" + i, "job-" + i, "", "client", now)
                  .setUrl("")
                  .setJob(
                      JobRequirements.newBuilder()
                          .setRequiredTags(List.of("gpu"))
                          .setMinCpuCores(4)
                          .build())
                  .build()));
      now += 1;
    }
    long jobNs = run.pipe(js);
    System.out.printf(
        "first download (seed choice over %,d hosts): %9.1f us/request %s%n"
            + "job request (placement over %,d hosts):      %9.1f us/request %s%n",
        hostCount,
        firstNs / 1e3 / Math.max(1, firstDownloads),
        firstOutcomes,
        hostCount,
        jobNs / 1e3 / Math.max(1, jobs),
        run.outcomes);
  }

  private static String task(int size, int t) {
    return "task-" + size + "-" + t;
  }

  static String hostId(int i) {
    return String.format("host-%06d", i);
  }

  static long cpu() {
    return CPU.getCurrentThreadCpuTime();
  }
}
