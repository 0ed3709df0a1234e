package io.swarmsched.scheduling;

import io.swarmsched.scheduling.dag.Dag;
import io.swarmsched.scheduling.evaluator.Evaluator;
import io.swarmsched.scheduling.evaluator.LoadAwareEvaluator;
import io.swarmsched.scheduling.evaluator.ScoredCandidate;
import io.swarmsched.scheduling.filter.CandidateFilter;
import io.swarmsched.scheduling.filter.CandidateFilters;
import io.swarmsched.scheduling.filter.Drop;
import io.swarmsched.scheduling.filter.FilterParams;
import io.swarmsched.scheduling.ledger.OptimisticLedger;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Stage 1 of docs/design.md as one call: filter the task's other peers, score the survivors, keep
 * the top N. A task with more other peers than the candidate limit (default 40) is not scanned
 * whole: a sample of that many peers with something to give is examined, drawn deterministically
 * from the request id, so a decision costs the same for 10 peers and 10,000. Deterministic: peers
 * are visited in id order (or the request's sample), every filter and evaluator is a pure function
 * of the request, and ties are broken by peer id. Stateless and thread-safe itself; the {@link
 * Task} and ledger it is given belong to the caller.
 */
public final class ParentSelector {

  public static final int DEFAULT_TOP_N = 4;

  /** Candidates examined per request (docs/design.md, Stage 1: {@code candidate.limit}). */
  public static final int DEFAULT_CANDIDATE_LIMIT = 40;

  /** Random draws per examined candidate before the sample falls back to a walk over the task. */
  static final int DRAWS_PER_CANDIDATE = 3;

  private final List<CandidateFilter> filters;
  private final Evaluator evaluator;
  private final int topN;
  private final int candidateLimit;

  /**
   * Null: every filter runs on every candidate, in order. Else the filter that runs only on the
   * ranked survivors of the others, best first, until {@code topN} pass ({@link #checkingLast});
   * {@link #examined} holds the others.
   */
  private final CandidateFilter last;

  private final List<CandidateFilter> examined;

  /** With the default candidate limit (40). */
  public ParentSelector(List<CandidateFilter> filters, Evaluator evaluator, int topN) {
    this(filters, evaluator, topN, DEFAULT_CANDIDATE_LIMIT);
  }

  /**
   * @param candidateLimit most candidates examined per request; {@code <= 0} or {@link
   *     Integer#MAX_VALUE} scans every peer of the task
   */
  public ParentSelector(
      List<CandidateFilter> filters, Evaluator evaluator, int topN, int candidateLimit) {
    this.filters = List.copyOf(filters);
    this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
    if (topN < 1) {
      throw new IllegalArgumentException("topN must be >= 1, was " + topN);
    }
    this.topN = topN;
    this.candidateLimit = candidateLimit <= 0 ? Integer.MAX_VALUE : candidateLimit;
    this.last = null;
    this.examined = this.filters;
  }

  private ParentSelector(ParentSelector s, CandidateFilter last) {
    this.filters = s.filters;
    this.evaluator = s.evaluator;
    this.topN = s.topN;
    this.candidateLimit = s.candidateLimit;
    this.last = last;
    this.examined = s.filters.stream().filter(f -> f != last).toList();
  }

  /**
   * This selector with the filter of class {@code type} (the DAG's cycle filter, the costly one)
   * run last and lazily: the other filters pick the survivors, the evaluator ranks them all, and
   * the lazy filter is asked about them best first only until {@code topN} pass. Every filter and
   * the evaluator are pure functions of the request and the ranking is a total order (score, then
   * peer id), so the parents are exactly those of the eager selector; only the drops differ: a
   * candidate ranked below the chosen ones is not checked, so it is not listed. For the simulator,
   * which reads the parents and not the drops; the dispatcher keeps every drop in its decisions.
   */
  public ParentSelector checkingLast(Class<? extends CandidateFilter> type) {
    List<CandidateFilter> found = filters.stream().filter(type::isInstance).toList();
    if (found.size() != 1) {
      throw new IllegalArgumentException(
          found.size() + " filters of " + type.getSimpleName() + " in the chain, not one");
    }
    CandidateFilter f = found.get(0);
    return new ParentSelector(this, f);
  }

  /** Standard filters, load-aware evaluator, top 4. */
  public static ParentSelector defaults() {
    return new ParentSelector(
        CandidateFilters.standard(FilterParams.defaults()),
        new LoadAwareEvaluator(),
        DEFAULT_TOP_N);
  }

  public Evaluator evaluator() {
    return evaluator;
  }

  public List<CandidateFilter> filters() {
    return filters;
  }

  public int topN() {
    return topN;
  }

  /** Most candidates examined per request; {@link Integer#MAX_VALUE} for a full scan. */
  public int candidateLimit() {
    return candidateLimit;
  }

  /**
   * The policy recorded in decisions: evaluator and its parameters, and N (and the candidate limit
   * when it is not the default, so that a full-scan run is told apart).
   */
  public String policyId() {
    String base = evaluator.policyId() + "/top" + topN;
    if (candidateLimit == DEFAULT_CANDIDATE_LIMIT) {
      return base;
    }
    return base + (candidateLimit == Integer.MAX_VALUE ? "/all" : "/sample" + candidateLimit);
  }

  /**
   * @throws IllegalArgumentException when the requesting peer is not in the task
   */
  public Selection select(SelectionRequest r) {
    Task task = r.task();
    Peer requester =
        task.peer(r.peerId())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "peer " + r.peerId() + " is not in task " + task.taskId()));
    HostView requesterHost =
        r.hosts().host(requester.hostId()).orElseGet(() -> HostView.unknown(requester.hostId()));
    SelectionContext ctx =
        new SelectionContext(
            r.requestId(),
            task,
            requester,
            requesterHost,
            r.blocklist(),
            r.hosts(),
            r.scores(),
            r.ledger(),
            r.nowMillis());

    List<Candidate> survivors = new ArrayList<>();
    List<Drop> drops = new ArrayList<>();
    int considered;
    if (task.peerCount() - 1 <= candidateLimit) {
      considered = 0;
      for (Peer p : task.peers()) { // sorted by peer id
        if (p == requester) { // the task holds one Peer per id: identity is the id check, without
          // reading it
          continue;
        }
        considered++;
        examine(ctx, r, p, survivors, drops);
      }
    } else {
      considered = sample(ctx, r, requester, survivors, drops);
      drops.sort(Comparator.comparing(Drop::peerId)); // as a full scan lists them
    }
    List<RankedParent> parents = new ArrayList<>();
    if (last == null) {
      for (ScoredCandidate s : evaluator.rank(ctx, survivors, topN)) {
        parents.add(parent(s));
      }
    } else if (!survivors.isEmpty()) {
      int before = drops.size();
      for (ScoredCandidate s : evaluator.rank(ctx, survivors, survivors.size())) {
        if (parents.size() == topN) {
          break;
        }
        Optional<Drop> drop = last.check(ctx, s.candidate());
        if (drop.isPresent()) {
          drops.add(drop.get());
        } else {
          parents.add(parent(s));
        }
      }
      if (drops.size() > before) {
        drops.sort(Comparator.comparing(Drop::peerId)); // in peer order, as everywhere else
      }
    }
    return new Selection(
        policyId(), r.requestId(), task.taskId(), requester.peerId(), parents, drops, considered);
  }

  private static RankedParent parent(ScoredCandidate s) {
    Candidate c = s.candidate();
    return new RankedParent(c.peerId(), c.hostId(), c.host().pieceServerAddress(), s.breakdown());
  }

  /** Runs the filters on one candidate: a survivor, or a drop with the filter and reason. */
  private void examine(
      SelectionContext ctx,
      SelectionRequest r,
      Peer p,
      List<Candidate> survivors,
      List<Drop> drops) {
    Optional<HostView> host = r.hosts().host(p.hostId());
    Candidate c =
        new Candidate(p, host.orElseGet(() -> HostView.unknown(p.hostId())), host.isPresent());
    for (CandidateFilter f : examined) {
      Optional<Drop> drop = f.check(ctx, c);
      if (drop.isPresent()) {
        drops.add(drop.get());
        return;
      }
    }
    survivors.add(c);
  }

  /**
   * Examines at most {@code candidateLimit} peers that have something to give, drawn by position
   * from the id-sorted peers with a generator seeded by the request ({@link
   * SelectionContext#randomSeed()}): the same request over the same set of peers examines the same
   * ones. Up to {@value #DRAWS_PER_CANDIDATE} draws per candidate; when givers are so rare that the
   * draws do not find enough (the first seconds of a flash crowd, when only the seed has pieces), a
   * walk from a random position over the rest finds them. Returns how many were examined.
   */
  private int sample(
      SelectionContext ctx,
      SelectionRequest r,
      Peer requester,
      List<Candidate> survivors,
      List<Drop> drops) {
    List<Peer> all = ctx.task().peerList();
    int n = all.size();
    long seed = ctx.randomSeed();
    Set<Integer> visited = new HashSet<>();
    int examined = 0;
    int draws = DRAWS_PER_CANDIDATE * candidateLimit;
    for (int d = 0; d < draws && examined < candidateLimit; d++) {
      int i = (int) Math.floorMod(StableHash.mix(seed + d), (long) n);
      if (!visited.add(i)) {
        continue;
      }
      Peer p = all.get(i);
      if (p != requester && hasSomethingToGive(ctx.task(), p, r)) {
        examine(ctx, r, p, survivors, drops);
        examined++;
      }
    }
    int start = (int) Math.floorMod(StableHash.mix(seed ^ WALK_SALT), (long) n);
    for (int k = 0; k < n && examined < candidateLimit; k++) {
      int i = (start + k) % n;
      if (visited.contains(i)) {
        continue;
      }
      Peer p = all.get(i);
      if (p != requester && hasSomethingToGive(ctx.task(), p, r)) {
        examine(ctx, r, p, survivors, drops);
        examined++;
      }
    }
    return examined;
  }

  private static final long WALK_SALT = 0x5eed_0f_da9L;

  /**
   * A superset of what filter rule 3 keeps, without the other filters' work: a state that can
   * serve, and not a normal RUNNING peer with neither a parent nor a piece. A sampled scan skips
   * the others without listing them as drops (there may be thousands).
   */
  static boolean hasSomethingToGive(Task task, Peer p, SelectionRequest r) {
    if (!p.state().canServe()) {
      return false;
    }
    if (p.state() != PeerState.RUNNING
        || p.piecesFinished() > 0
        || task.dag().inDegree(p.peerId()) > 0) {
      return true;
    }
    return r.hosts().host(p.hostId()).map(HostView::isSeed).orElse(false);
  }

  /**
   * Applies a selection: the child's previous parents are replaced by the chosen ones in the task's
   * DAG, and each new edge is recorded in the ledger at {@code nowMillis}. A chosen parent that
   * downloads (directly or not) from the child, which the cycle rule let through ({@link
   * io.swarmsched.scheduling.filter.CycleRule}), first loses that path: the child's out-edges that
   * lead to it are dropped, so the DAG stays acyclic. Returns the former parents.
   */
  public static List<String> commit(
      Task task, Selection selection, OptimisticLedger ledger, long nowMillis) {
    String child = selection.peerId();
    Dag<String> dag = task.dag();
    // Decided before the in-edges go, with the walk the selection's cycle filter just made (the
    // DAG reuses it while unchanged); edges into one child never change what the child reaches,
    // so these answers hold for every new edge.
    Set<String> closesCycle = new HashSet<>();
    if (!selection.parents().isEmpty()) {
      Dag<String>.Reach fromChild = dag.reachFrom(child);
      for (RankedParent p : selection.parents()) {
        if (fromChild.reaches(p.peerId())) {
          closesCycle.add(p.peerId());
        }
      }
    }
    if (!closesCycle.isEmpty()) {
      cutPathsTo(dag, child, closesCycle);
    }
    List<String> former = dag.deleteInEdges(child);
    for (RankedParent p : selection.parents()) {
      if (!dag.hasVertex(p.peerId())
          || !dag.hasVertex(child)
          || p.peerId().equals(child)
          || dag.children(p.peerId()).contains(child)) {
        continue;
      }
      dag.addEdgeWithoutCycleCheck(p.peerId(), child);
      ledger.recordAllocation(p.hostId(), nowMillis);
    }
    return former;
  }

  /**
   * Drops {@code child}'s out-edges to the children from which one of {@code targets} is reachable
   * (or that are one): afterwards no path leads from {@code child} to a target, since every such
   * path began with one of those edges. The children dropped keep fetching from {@code child} in
   * stage 2 while it holds something they lack; the DAG stops recording it.
   */
  private static void cutPathsTo(Dag<String> dag, String child, Set<String> targets) {
    for (String x : dag.childrenLeadingTo(child, targets)) {
      dag.removeEdge(child, x);
    }
  }
}
