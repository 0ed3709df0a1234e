package io.swarmsched.scheduling;

import io.swarmsched.scheduling.dag.Dag;
import io.swarmsched.scheduling.ledger.LoadEstimate;
import io.swarmsched.scheduling.ledger.OptimisticLedger;
import io.swarmsched.scheduling.resource.HostLookup;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.ScoreLookup;
import io.swarmsched.scheduling.resource.Task;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything filters and evaluators may look at for one request, with per-request caches (the
 * requester's descendants in the DAG, each host's load estimate). Built by {@link ParentSelector};
 * one per request.
 */
public final class SelectionContext {

  private static final int MAX_PRESIZED = 64;

  private final String requestId;
  private final Task task;
  private final Peer requester;
  private final HostView requesterHost;
  private final Set<String> blocklist;
  private final HostLookup hosts;
  private final ScoreLookup scores;
  private final OptimisticLedger ledger;
  private final long nowMillis;
  private Set<String> descendants;
  private Dag<String>.Reach reach;
  private final Map<String, LoadEstimate> estimates;

  public SelectionContext(
      String requestId,
      Task task,
      Peer requester,
      HostView requesterHost,
      Set<String> blocklist,
      HostLookup hosts,
      ScoreLookup scores,
      OptimisticLedger ledger,
      long nowMillis) {
    this.requestId = requestId == null ? "" : requestId;
    this.task = Objects.requireNonNull(task, "task");
    this.requester = Objects.requireNonNull(requester, "requester");
    this.requesterHost = Objects.requireNonNull(requesterHost, "requesterHost");
    this.blocklist = blocklist == null ? Set.of() : blocklist;
    this.hosts = Objects.requireNonNull(hosts, "hosts");
    this.scores = Objects.requireNonNull(scores, "scores");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.nowMillis = nowMillis;
    // one estimate per examined candidate's host: sized up front instead of rehashing as it fills,
    // but no
    // larger than a sampled request examines (a 10,000-peer task must not cost a 10,000-entry
    // table)
    this.estimates =
        new HashMap<>(Math.max(16, Math.min(task.peerCount(), MAX_PRESIZED) * 4 / 3 + 1));
  }

  public String requestId() {
    return requestId;
  }

  public Task task() {
    return task;
  }

  public Peer requester() {
    return requester;
  }

  public HostView requesterHost() {
    return requesterHost;
  }

  public Set<String> blocklist() {
    return blocklist;
  }

  public HostLookup hosts() {
    return hosts;
  }

  public ScoreLookup scores() {
    return scores;
  }

  public OptimisticLedger ledger() {
    return ledger;
  }

  public long nowMillis() {
    return nowMillis;
  }

  /** The seed of every random choice for this request: the request id, else task and peer ids. */
  public long randomSeed() {
    return requestId.isEmpty()
        ? StableHash.hash(task.taskId(), requester.peerId())
        : StableHash.hash(requestId);
  }

  /**
   * The requester and every peer downloading (directly or not) from it: a parent among them closes
   * a cycle.
   */
  public Set<String> requesterDescendants() {
    if (descendants == null) {
      descendants = task.dag().descendantsAndSelf(requester.peerId());
    }
    return descendants;
  }

  /**
   * True when {@code peerId} is the requester or downloads (directly or not) from it, i.e. an edge
   * from it to the requester would close a cycle. Exact, like {@link #requesterDescendants()}, but
   * it walks only as far as the answer needs (see {@link Dag.Reach}): a sampled request checks 40
   * candidates, and listing every descendant first cost O(swarm) per request in a large task.
   */
  public boolean downloadsFromRequester(String peerId) {
    if (descendants != null) {
      return descendants.contains(peerId);
    }
    if (reach == null) {
      reach = task.dag().reachFrom(requester.peerId());
    }
    return reach.reaches(peerId);
  }

  /**
   * The candidate host's load adjusted by the optimistic ledger, computed once per host per
   * request.
   */
  public LoadEstimate loadEstimate(Candidate c) {
    return estimates.computeIfAbsent(c.hostId(), h -> ledger.estimate(c.host(), scores.score(h)));
  }
}
