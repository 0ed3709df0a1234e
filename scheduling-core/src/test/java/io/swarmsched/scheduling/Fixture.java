package io.swarmsched.scheduling;

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
import io.swarmsched.scoring.LoadQuality;
import io.swarmsched.scoring.LoadQualityCalculator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A small mock cluster for scheduling tests (PD-style): hosts, scores, one task, a ledger. */
public final class Fixture {

  public static final long MIB = 1024L * 1024;

  public final Map<String, HostView> hosts = new HashMap<>();
  public final Map<String, ScoreView> scores = new HashMap<>();
  public final LoadQualityCalculator calculator = new LoadQualityCalculator();
  public final OptimisticLedger ledger = new OptimisticLedger(calculator);
  public final PeerStateMachine machine = new PeerStateMachine();
  public final Task task = new Task("task-1", "http://origin/file");

  public HostView host(String id, HostType type, String idc, String location) {
    HostView h =
        HostView.online(id, type, idc, location, HostCapacity.uploads(64 * MIB, 10), HostLoad.IDLE);
    hosts.put(id, h);
    return h;
  }

  public HostView host(String id) {
    return host(id, HostType.NORMAL, "idc-a", "cn|zj|hz");
  }

  public void put(HostView h) {
    hosts.put(h.hostId(), h);
  }

  /**
   * Publishes a score with the given load quality (parts chosen so the weighted sum is exactly lq).
   */
  public ScoreView score(String hostId, double lq, long computedAt) {
    LoadQuality q = new LoadQuality(lq, lq, lq, lq, 0, 0);
    ScoreView s = new ScoreView(hostId, q, 64 * MIB, 0, computedAt);
    scores.put(hostId, s);
    return s;
  }

  /** Adds a peer on a host and drives it to {@code state} through legal transitions. */
  public Peer peer(String peerId, String hostId, PeerState state) {
    Peer p = task.addPeer(new Peer(peerId, task.taskId(), hostId, 0));
    List<PeerState> path =
        switch (state) {
          case PENDING -> List.of();
          case RUNNING -> List.of(PeerState.RUNNING);
          case BACK_TO_SOURCE -> List.of(PeerState.BACK_TO_SOURCE);
          case SUCCEEDED -> List.of(PeerState.RUNNING, PeerState.SUCCEEDED);
          case FAILED -> List.of(PeerState.FAILED);
          case LEFT -> List.of(PeerState.LEFT);
        };
    for (PeerState s : path) {
      machine.transition(p, s, 0);
    }
    return p;
  }

  public void edge(String parent, String child) {
    task.dag().addEdge(parent, child);
  }

  public SelectionRequest request(
      String requestId, String peerId, Set<String> blocklist, long now) {
    return new SelectionRequest(
        requestId,
        task,
        peerId,
        blocklist,
        HostLookup.of(hosts),
        ScoreLookup.of(scores),
        ledger,
        now);
  }

  public SelectionRequest request(String peerId) {
    return request("req-" + peerId, peerId, Set.of(), 1_000);
  }

  public SelectionContext context(String peerId, Set<String> blocklist) {
    Peer requester = task.peer(peerId).orElseThrow();
    HostView rh = hosts.getOrDefault(requester.hostId(), HostView.unknown(requester.hostId()));
    return new SelectionContext(
        "req",
        task,
        requester,
        rh,
        blocklist,
        HostLookup.of(hosts),
        ScoreLookup.of(scores),
        ledger,
        1_000);
  }

  public Candidate candidate(String peerId) {
    Peer p = task.peer(peerId).orElseThrow();
    HostView h = hosts.get(p.hostId());
    return new Candidate(p, h == null ? HostView.unknown(p.hostId()) : h, h != null);
  }
}
