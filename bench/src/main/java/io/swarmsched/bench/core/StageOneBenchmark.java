package io.swarmsched.bench.core;

import io.swarmsched.scheduling.ParentSelector;
import io.swarmsched.scheduling.Selection;
import io.swarmsched.scheduling.SelectionRequest;
import io.swarmsched.scheduling.evaluator.EvaluatorWeights;
import io.swarmsched.scheduling.evaluator.Evaluators;
import io.swarmsched.scheduling.filter.CandidateFilters;
import io.swarmsched.scheduling.filter.FilterParams;
import io.swarmsched.scheduling.ledger.OptimisticLedger;
import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostLookup;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.PeerStateMachine;
import io.swarmsched.scheduling.resource.ScoreLookup;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scoring.LoadQualityCalculator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Benchmark 5: one stage-1 decision of the scheduling core (filter every other peer of the task,
 * score the survivors, keep the top 4) for tasks of 10, 100 and 1,000 peers, with 100,000 hosts and
 * their published scores in the lookup tables (hash maps, as the dispatcher's global-table caches
 * would be).
 *
 * <p>Task shape: peer 0 is a seed that finished; every other peer runs and downloads from a parent
 * in a 4-ary tree, so all pass rule 3 and none closes a cycle; the requester is a new PENDING peer.
 * A tenth of the hosts are busy enough to be near their upload slot limit, so filters and the
 * ledger do real work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StageOneBenchmark {

  @Param({"10", "100", "1000"})
  public int peers;

  @Param({"100000"})
  public int hosts;

  @Param({"load-aware", "random"})
  public String policy;

  private ParentSelector selector;
  private Task task;
  private HostLookup hostLookup;
  private ScoreLookup scoreLookup;
  private OptimisticLedger ledger;
  private long now;
  private long requestSeq;

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom rnd = new SplittableRandom(1234);
    now = 1_700_000_000_000L;
    LoadQualityCalculator calculator = new LoadQualityCalculator();
    Map<String, HostView> hostMap = new HashMap<>(hosts * 2);
    Map<String, ScoreView> scoreMap = new HashMap<>(hosts * 2);
    String[] idcs = {"idc-a", "idc-b", "idc-c", "idc-d"};
    String[] cities = {"cn|zj|hz", "cn|bj|bj", "us|ca|sf", "de|be|berlin"};
    for (int i = 0; i < hosts; i++) {
      String id = "host-" + i;
      long maxTx = (100 + (i % 10) * 100) * 1024L * 1024L;
      boolean busy = i % 10 == 0;
      int uploads = busy ? 45 + rnd.nextInt(10) : rnd.nextInt(10);
      long tx = (long) (maxTx * (busy ? 0.9 : rnd.nextDouble() * 0.6));
      HostView h =
          HostView.online(
              id,
              i % 1000 == 0 ? HostType.SUPER_SEED : HostType.NORMAL,
              idcs[i % 4],
              cities[i % 4],
              HostCapacity.uploads(maxTx, 50),
              new HostLoad(tx, uploads, 0));
      hostMap.put(id, h);
      long[] buckets = new long[60];
      for (int b = 0; b < buckets.length; b++) {
        buckets[b] = (long) (tx * rnd.nextDouble());
      }
      scoreMap.put(
          id,
          new ScoreView(
              id, calculator.compute(buckets, maxTx, uploads), maxTx, uploads, now - 1000));
    }
    hostLookup = HostLookup.of(hostMap);
    scoreLookup = ScoreLookup.of(scoreMap);
    ledger = new OptimisticLedger(calculator);

    task = new Task("task-bench", "http://origin/blob");
    PeerStateMachine machine = new PeerStateMachine();
    for (int p = 0; p < peers; p++) {
      int host = rnd.nextInt(hosts);
      Peer peer =
          task.addPeer(
              new Peer(String.format("peer-%05d", p), task.taskId(), "host-" + host, now - 60_000));
      machine.transition(peer, PeerState.RUNNING, now - 50_000);
      for (int k = 0; k < 10; k++) {
        peer.recordPiece(50 + rnd.nextInt(20), now - 40_000 + k);
      }
      if (p == 0) {
        machine.transition(peer, PeerState.SUCCEEDED, now - 30_000);
      } else {
        task.dag().addEdge(String.format("peer-%05d", (p - 1) / 4), peer.peerId());
      }
    }
    task.addPeer(new Peer("requester", task.taskId(), "host-" + rnd.nextInt(hosts), now));
    // pending allocations on some hosts, as between two score updates
    for (int i = 0; i < hosts; i += 50) {
      ledger.recordAllocation("host-" + i, now - 500);
    }
    selector =
        new ParentSelector(
            CandidateFilters.standard(FilterParams.defaults()),
            Evaluators.byName(policy, EvaluatorWeights.DEFAULT),
            ParentSelector.DEFAULT_TOP_N);
  }

  @Benchmark
  public Selection decide() {
    return selector.select(
        new SelectionRequest(
            "req-" + (requestSeq++),
            task,
            "requester",
            Set.of(),
            hostLookup,
            scoreLookup,
            ledger,
            now));
  }
}
