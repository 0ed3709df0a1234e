package io.swarmsched.simulator;

import io.swarmsched.scheduling.ParentSelector;
import io.swarmsched.scheduling.RankedParent;
import io.swarmsched.scheduling.Selection;
import io.swarmsched.scheduling.SelectionRequest;
import io.swarmsched.scheduling.StableHash;
import io.swarmsched.scheduling.evaluator.EvaluatorWeights;
import io.swarmsched.scheduling.evaluator.Evaluators;
import io.swarmsched.scheduling.filter.CandidateFilters;
import io.swarmsched.scheduling.filter.FilterParams;
import io.swarmsched.scheduling.ledger.OptimisticLedger;
import io.swarmsched.scheduling.piece.PieceFetch;
import io.swarmsched.scheduling.piece.PieceParams;
import io.swarmsched.scheduling.piece.PiecePlanner;
import io.swarmsched.scheduling.piece.SourceOffer;
import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostLookup;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.PeerStateMachine;
import io.swarmsched.scheduling.resource.ScoreLookup;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.retry.RetryOutcome;
import io.swarmsched.scheduling.retry.RetryPolicy;
import io.swarmsched.scheduling.round.PeerRules;
import io.swarmsched.scheduling.seed.SeedFailures;
import io.swarmsched.scheduling.seed.SeedSelector;
import io.swarmsched.scoring.LoadQuality;
import io.swarmsched.scoring.LoadQualityCalculator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.DoubleConsumer;

/**
 * One run of a {@link Scenario} under one policy: a deterministic discrete-event model of a swarm
 * that drives the real scheduling code with simulated time. Stage 1 is scheduling-core's {@link
 * ParentSelector} (standard filters, the named evaluator, the optimistic ledger, candidate
 * sampling), with load quality computed by {@link LoadQualityCalculator} from each host's simulated
 * upload per second over the 60 s horizon, and the dispatcher's seed-trigger and back-to-source
 * rules ({@link SeedSelector}, {@link RetryPolicy}). Stage 2 is {@link PiecePlanner}, one per
 * downloading peer, fed its parents' pieces and load every 0.5 s as the agent is.
 *
 * <p>Transfers are piece fetches. Every step ({@link SimOptions#tickSeconds()}) each host's upload
 * and download and the cross-IDC link are shared among their transfers: first each transfer gets
 * the smallest of its fair shares, then what an uploader has left is handed to its transfers that
 * can still take more (so the sharing is work-conserving without any host or link exceeding its
 * limit). A fetch started during a step moves bytes from the next one, about a round trip. Events
 * (joins, requests, departures, the once-a-second heartbeats and scores) are processed in time
 * order between steps. One thread, no wall clock: the same scenario, options and seed give the same
 * result.
 */
public final class Swarm {

  static final String TASK_ID = "sim-task";
  static final String ORIGIN_ID = "origin";

  /**
   * The agent's defaults: parents it wants, how often it asks for more, when a silent download is
   * stalled.
   */
  static final int DESIRED_PARENTS = 8;

  static final double MORE_PARENTS_EVERY = 2.0;
  static final double STALL_SECONDS = 15.0;

  /**
   * How often an agent reads its parents' pieces and load: the agent's status refresher sleeps 500
   * ms between reads (worker-agent's ParentPool.REFRESH_MILLIS). It was once a second here, which
   * left a child idle for up to a second after it had fetched everything its parents held at the
   * last read (a timeline of skewed, 1,000 hosts: 200-300 downloaders at a time with nothing in
   * flight while a parent held a piece they lacked).
   */
  static final double PARENT_REFRESH_SECONDS = 0.5;

  static final int MAX_RESCHEDULES = 5;

  /**
   * A fetch a parent answered with 503 (every upload slot busy) stays in flight this long before it
   * is released, as the agent's piece workers hold it (PieceWorkers.BUSY_HOLD_MILLIS): it keeps the
   * child's slot on that parent, so the child turns to other parents meanwhile, and it keeps the
   * parent's pieces in the child's view.
   */
  static final double BUSY_HOLD_SECONDS = 0.25;

  /**
   * The dispatcher marks a host that stopped heartbeating offline after this long (missed
   * heartbeats).
   */
  static final double FAILURE_DETECTION_SECONDS = 3.0;

  /** Upload slots a host reports (the filter's own default is 50). */
  static final int UPLOAD_SLOTS = 64;

  /** Concurrent fetches from the origin per back-to-source peer (ranged reads). */
  static final int ORIGIN_STREAMS = 4;

  private final Scenario sc;
  private final SimOptions opt;
  private final DoubleConsumer progress;
  private final SplittableRandom random;

  // --- the real scheduling code and the state it reads
  private final Task task = new Task(TASK_ID, "http://origin/file");
  private final PeerStateMachine machine = new PeerStateMachine();
  private final LoadQualityCalculator calculator = new LoadQualityCalculator();
  private final OptimisticLedger ledger = new OptimisticLedger(calculator);
  private final ParentSelector selector;
  private final RetryPolicy retry = new RetryPolicy();
  private final SeedSelector seedSelector = new SeedSelector();
  private final SeedFailures seedFailures = new SeedFailures();

  /**
   * Hosts by id, for stage 1's look-ups of a host's record and score (kept on the {@link Node}):
   * first by the id's identity, since the ids stage 1 asks about are the nodes' own strings (a
   * hashed look-up of a 10,000-entry map per candidate was a tenth of a 10,000-host run), then by
   * value.
   */
  private final Map<String, Node> nodeByIdentity = new IdentityHashMap<>();

  private final Map<String, Node> nodeById = new HashMap<>();
  private final HostLookup hostLookup = id -> Optional.ofNullable(viewOf(id));
  private final ScoreLookup scoreLookup = id -> Optional.ofNullable(scoreOf(id));
  private final PieceParams pieceParams;

  // --- the simulated world
  private final List<Node> nodes = new ArrayList<>();
  private final Node origin;
  private final Node seedHost;
  private final Map<String, Agent> agents = new LinkedHashMap<>();

  /** The same agents by their id's identity (a fetch names its parent by the agent's own id). */
  private final Map<String, Agent> agentByIdentity = new IdentityHashMap<>();

  private final List<Transfer> active = new ArrayList<>();
  private final PriorityQueue<Event> events = new PriorityQueue<>();

  /**
   * Events always scheduled the same time ahead (a busy hold's release, a request for more
   * parents): simulated time never goes back, so each lane is in (time, sequence) order as it is
   * appended, and the earliest of the lanes' heads and the heap's runs next, the order one heap
   * gives. A busy hold is most events of a large swarm (several per piece received), and a heap of
   * tens of thousands of them cost a tenth of a 10,000-host run (docs/benchmarks.md, "Speed of the
   * simulator").
   */
  private final java.util.ArrayDeque<Event> holdLane = new java.util.ArrayDeque<>();

  private final java.util.ArrayDeque<Event> moreLane = new java.util.ArrayDeque<>();

  /**
   * Agents whose fetches may change, in the order first marked, each once ({@link #markDirty}: a
   * flag on the agent instead of a hash set, whose adds were 4 % of a 10,000-host run).
   */
  private List<Agent> dirty = new ArrayList<>();

  private final int pieceCount;
  private final long[] horizonScratch;
  private double now;
  private long eventSeq;
  private long transferSeq;
  private double crossUsed;
  private int crossCount;
  private long sharePass;
  private int pendingJoins;

  // --- what is measured
  private Agent seedAgent;
  private Agent firstChild;
  private final List<Double> completions = new ArrayList<>();
  private int backToSource;
  private long requests;
  private long examined;
  private double parentGiveSum;
  private long parentsChosen;
  private long emptyMore;
  private long violations;
  private long bytesSent;
  private long bytesReceived;
  private int finishedDownloaders;
  private int presentDownloaders;

  /** Told one line per simulated second (a timeline of the run), when set. */
  private java.util.function.Consumer<String> trace;

  private final BitSet seedSent = new BitSet();
  private long seedTransfers;

  /**
   * The pieces whose digests the task's metadata lists: those a source (the seed, a back-to-source
   * peer) has read from the origin. A child granted the origin as a parent of last resort may ask
   * it only for these, since it verifies every piece against its digest (the agent's rule).
   */
  private final BitSet digestsKnown = new BitSet();

  /** Children granted the origin as a parent ({@link SimOptions#originAssist}). */
  private int originAssisted;

  /**
   * A JVM system property naming the cycle rule the simulated dispatcher runs ({@code java
   * -Dswarmsched.cycle.rule=strict ... io.swarmsched.simulator.Main}), to compare the rules; unset:
   * the dispatcher's default. Read here, not in scheduling-core, so that no JVM property changes a
   * dispatcher's default (its own key is {@code swarm.dispatcher.cycle.rule}).
   */
  static final String CYCLE_RULE_PROPERTY = "swarmsched.cycle.rule";

  private static io.swarmsched.scheduling.filter.CycleRule cycleRule() {
    String p = System.getProperty(CYCLE_RULE_PROPERTY);
    return p == null || p.isBlank()
        ? FilterParams.DEFAULT_CYCLE_RULE
        : io.swarmsched.scheduling.filter.CycleRule.byName(p);
  }

  public Swarm(Scenario scenario, SimOptions options, DoubleConsumer progress) {
    this.sc = scenario;
    this.opt = options;
    this.pieceParams = PieceParams.defaults().withSourceRoom(options.sourceRoom());
    this.progress = progress == null ? x -> {} : progress;
    this.random = new SplittableRandom(options.seed());
    this.selector =
        new ParentSelector(
                CandidateFilters.standard(
                    new FilterParams(
                        FilterParams.DEFAULT_UPLOAD_SLOT_LIMIT,
                        io.swarmsched.scheduling.stats.BadParentRule.DEFAULT,
                        cycleRule())),
                Evaluators.byName(options.policy(), EvaluatorWeights.DEFAULT),
                ParentSelector.DEFAULT_TOP_N,
                options.candidateLimit())
            // the same parents, without a DAG walk for candidates ranked below the chosen ones
            .checkingLast(io.swarmsched.scheduling.filter.CycleFilter.class);
    this.pieceCount = scenario.pieceCount();
    this.horizonScratch = new long[calculator.params().horizonBuckets()];
    task.setMetadata(scenario.fileBytes(), scenario.pieceBytes(), pieceCount);
    origin = new Node(-1, ORIGIN_ID, "", scenario.originBps(), Long.MAX_VALUE / 4, false);
    seedHost =
        addNode(
            "seed-0",
            scenario.seedUploadBps(),
            Math.max(scenario.downloadBps(), scenario.originBps()),
            true);
    seedHost.view = view(seedHost);
  }

  /**
   * Prints a timeline: one line per simulated second (seed upload, peers' upload use, idle
   * downloaders, pieces held) to {@code out}. For diagnosis; changes no decision.
   */
  public Swarm traceTo(java.util.function.Consumer<String> out) {
    this.trace = out;
    if (out != null) {
      out.accept(
          "t seedMiBps seedDistinct seedSends upUse% fastUse% slowUse% downloading idleDl idleHasOffer"
              + " minHeld medHeld finished transfers");
    }
    return this;
  }

  private void traceLine() {
    double upCap = 0, upUsed = 0, fastCap = 0, fastUsed = 0, slowCap = 0, slowUsed = 0;
    int downloading = 0, idle = 0, idleOffer = 0;
    List<Integer> held = new ArrayList<>();
    for (Node n : nodes) {
      if (n.seed || !n.online || n.agent == null) {
        continue;
      }
      upCap += n.up;
      upUsed += n.lastSecondTx;
      if (n.up > sc.uploadBps()) {
        fastCap += n.up;
        fastUsed += n.lastSecondTx;
      } else {
        slowCap += n.up;
        slowUsed += n.lastSecondTx;
      }
      Agent a = n.agent;
      if (a.done || a.gone) {
        continue;
      }
      downloading++;
      held.add(a.have.cardinality());
      if (n.downloads.isEmpty()) {
        idle++;
        for (Agent p : a.parents.values()) {
          BitSet u = (BitSet) p.advertised().clone();
          u.andNot(a.have);
          if (!u.isEmpty()) {
            idleOffer++;
            break;
          }
        }
      }
    }
    java.util.Collections.sort(held);
    trace.accept(
        String.format(
            java.util.Locale.ROOT,
            "%.0f %.1f %d %d %.0f %.0f %.0f %d %d %d %d %d %d %d",
            now,
            seedHost.lastSecondTx / 1048576.0,
            seedSent.cardinality(),
            seedTransfers,
            upCap == 0 ? 0 : 100 * upUsed / upCap,
            fastCap == 0 ? 0 : 100 * fastUsed / fastCap,
            slowCap == 0 ? 0 : 100 * slowUsed / slowCap,
            downloading,
            idle,
            idleOffer,
            held.isEmpty() ? 0 : held.get(0),
            held.isEmpty() ? 0 : held.get(held.size() / 2),
            finishedDownloaders,
            active.size()));
  }

  /** Runs the scenario to the end (every present peer finished) or to its time limit. */
  public SimResult run() {
    if (planningThreads > 1) {
      planner =
          java.util.concurrent.Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "swarm-planner");
                t.setDaemon(true);
                return t;
              });
    }
    try {
      return runSteps();
    } finally {
      if (planner != null) {
        planner.shutdownNow();
        planner = null;
      }
    }
  }

  private SimResult runSteps() {
    long wallStart = System.nanoTime();
    double bound = sc.fluidBound();
    double limit = Math.max(60.0, 20.0 * bound) + sc.joinWindowSeconds();
    for (int i = 0; i < sc.hosts(); i++) {
      Node n = addNode(String.format("h-%05d", i), sc.uploadOf(i), sc.downloadBps(), false);
      double at = sc.joinWindowSeconds() * random.nextDouble();
      pendingJoins++;
      schedule(at, () -> join(n));
    }
    int joiners = (int) Math.round(sc.churnJoin() * sc.hosts());
    for (int i = 0; i < joiners; i++) {
      int idx = sc.hosts() + i;
      Node n = addNode(String.format("h-%05d", idx), sc.uploadOf(idx), sc.downloadBps(), false);
      double at = sc.joinWindowSeconds() + 0.5 * bound * random.nextDouble();
      pendingJoins++;
      schedule(at, () -> join(n));
    }
    int leavers = (int) Math.round(sc.churnLeave() * sc.hosts());
    for (int i = 0; i < leavers; i++) {
      Node n = nodes.get(1 + random.nextInt(sc.hosts())); // nodes[0] is the seed
      boolean fail = i % 2 == 1;
      double at = sc.joinWindowSeconds() + bound * (0.2 + 0.6 * random.nextDouble());
      schedule(at, () -> leave(n, fail));
    }
    if (sc.seedLeavesAt() >= 0) {
      schedule(sc.seedLeavesAt() * bound, () -> leave(seedHost, false));
    }
    schedule(1.0, this::everySecond);
    if (PARENT_REFRESH_SECONDS < 1.0) {
      schedule(PARENT_REFRESH_SECONDS, this::refreshBetweenSeconds);
    }

    long tick = 0;
    double dt = opt.tickSeconds();
    double lastProgress = 0;
    while (now < limit) {
      drainEvents();
      if (allDone()) {
        break;
      }
      startFetches();
      if (active.isEmpty()) {
        Event next = peekEvent();
        if (next == null) {
          break; // nothing moves and nothing will happen
        }
        // jump to the step holding the next event
        tick = Math.max(tick + 1, (long) Math.ceil(next.at / dt));
        now = tick * dt;
        continue;
      }
      shareBandwidth();
      advance(dt);
      tick++;
      now = tick * dt;
      if (now - lastProgress >= 5.0) {
        lastProgress = now;
        progress.accept(now);
      }
    }
    return result(bound, System.nanoTime() - wallStart);
  }

  // ------------------------------------------------------------------ world

  private static String idcName(int i) {
    return "idc-" + (char) ('a' + i);
  }

  private Node addNode(String id, long up, long down, boolean seed) {
    int idx = nodes.size();
    String idc = seed ? idcName(0) : idcName((idx - 1) % sc.idcs());
    Node n = new Node(idx, id, idc, up, down, seed);
    nodes.add(n);
    nodeByIdentity.put(n.id, n);
    nodeById.put(n.id, n);
    return n;
  }

  private Node node(String id) {
    Node n = nodeByIdentity.get(id);
    return n != null ? n : nodeById.get(id);
  }

  /** The scheduler's record of a host: null until it joined. */
  private HostView viewOf(String id) {
    Node n = node(id);
    return n == null ? null : n.view;
  }

  private ScoreView scoreOf(String id) {
    Node n = node(id);
    return n == null ? null : n.score;
  }

  private Agent agent(String peerId) {
    Agent a = agentByIdentity.get(peerId);
    return a != null ? a : agents.get(peerId);
  }

  private void putAgent(Agent a) {
    agents.put(a.peerId, a);
    agentByIdentity.put(a.peerId, a);
  }

  private HostView view(Node n) {
    String location = n.idc.equals(idcName(0)) ? "cn|zj|hz" : "cn|bj|bj|" + n.idc;
    return new HostView(
        n.id,
        n.id + ":65000",
        n.seed ? HostType.SUPER_SEED : HostType.NORMAL,
        n.idc,
        location,
        Set.of(),
        Liveness.ONLINE,
        false,
        HostCapacity.uploads(n.up, opt.uploadSlots() > 0 ? opt.uploadSlots() : UPLOAD_SLOTS),
        HostLoad.IDLE,
        (long) (now * 1000),
        false);
  }

  private long nowMillis() {
    return (long) Math.floor(now * 1000.0);
  }

  private void schedule(double at, Runnable r) {
    events.add(new Event(at, eventSeq++, r));
  }

  /**
   * Schedules {@code r} at {@code now + delay} in {@code lane}, whose events all use that delay.
   */
  private void scheduleIn(java.util.ArrayDeque<Event> lane, double delay, Runnable r) {
    lane.addLast(new Event(now + delay, eventSeq++, r));
  }

  /** The next event of the heap and the lanes, without taking it; null when there is none. */
  private Event peekEvent() {
    Event e = events.peek();
    Event h = holdLane.peekFirst();
    if (h != null && (e == null || h.compareTo(e) < 0)) {
      e = h;
    }
    Event m = moreLane.peekFirst();
    if (m != null && (e == null || m.compareTo(e) < 0)) {
      e = m;
    }
    return e;
  }

  private void drainEvents() {
    Event e;
    while ((e = peekEvent()) != null && e.at <= now + 1e-9) {
      if (e == holdLane.peekFirst()) {
        holdLane.pollFirst();
      } else if (e == moreLane.peekFirst()) {
        moreLane.pollFirst();
      } else {
        events.poll();
      }
      e.action.run();
    }
  }

  private boolean allDone() {
    return presentDownloaders > 0 && finishedDownloaders >= presentDownloaders && noJoinsLeft();
  }

  private boolean noJoinsLeft() {
    return pendingJoins == 0;
  }

  private void join(Node n) {
    pendingJoins--;
    if (!n.online) {
      return;
    }
    n.view = view(n);
    Agent a = new Agent(n, "p-" + n.id, now);
    n.agent = a;
    putAgent(a);
    task.addPeer(a.core);
    presentDownloaders++;
    a.planner = new PiecePlanner(pieceCount, new BitSet(), StableHash.hash(a.peerId), pieceParams);
    request(a, false);
  }

  /**
   * A host leaves: gracefully (its peer says LEFT) or by failing (noticed when fetches fail and
   * heartbeats stop).
   */
  private void leave(Node n, boolean fail) {
    if (!n.online) {
      return;
    }
    n.online = false;
    Agent a = n.agent;
    for (Transfer t : new ArrayList<>(n.uploads)) {
      remove(t);
      if (t.child.planner != null) {
        if (fail) {
          t.child.planner.failed(t.fetch);
        } else {
          t.child.planner.released(t.fetch);
        }
        markDirty(t.child);
      }
    }
    for (Transfer t : new ArrayList<>(n.downloads)) {
      remove(t);
    }
    if (a != null && !a.gone) {
      a.gone = true;
      if (!a.done && !a.isSeed()) {
        presentDownloaders--;
      }
      if (fail) {
        schedule(now + FAILURE_DETECTION_SECONDS, () -> forget(n, a));
      } else {
        forget(n, a);
      }
    } else {
      n.view = (n.view != null ? n.view : view(n)).withLiveness(Liveness.OFFLINE);
    }
  }

  /** The scheduler learns the host is gone: offline, its peer removed, its children told. */
  private void forget(Node n, Agent a) {
    n.view = (n.view != null ? n.view : view(n)).withLiveness(Liveness.OFFLINE);
    machine.transition(a.core, PeerState.LEFT, nowMillis());
    task.removePeer(a.peerId);
    for (Agent child : new ArrayList<>(a.children)) {
      dropParent(child, a);
      if (!child.done && !child.gone && child.parents.isEmpty() && !child.source) {
        request(child, false);
      }
    }
    if (n.seed) {
      seedFailures.record(TASK_ID, n.id, nowMillis());
    }
  }

  private void dropParent(Agent child, Agent parent) {
    child.parents.remove(parent.peerId);
    parent.children.remove(child);
    if (child.planner != null) {
      child.planner.removeParent(parent.peerId);
    }
  }

  // ------------------------------------------------------------------ stage 1

  /**
   * One scheduling round for {@code a}, as the dispatcher runs it (a decision now, or a retry
   * later).
   */
  private void request(Agent a, boolean more) {
    if (a.done || a.gone || a.source) {
      return;
    }
    if (!more && a.waiting) {
      return;
    }
    a.waiting = false;
    String rid = a.peerId + "#" + (++a.requestSeq);
    if (opt.copyLostRule()
        && PeerRules.copyLost(task, hostLookup)
        && (seedAgent == null || seedAgent.gone)
        && retry.backToSourceAllowed(task.backToSourceCount())) {
      // SchedulingRound's copy-lost rule: peers hold parts of the task, nobody holds or reads the
      // whole (the seed left first), and no seed can be triggered (the one seed host is gone): the
      // requester, whatever it asked for, reads what it lacks from the origin
      requests++;
      backToSource(a);
      return;
    }
    Selection s =
        selector.select(
            new SelectionRequest(
                rid, task, a.peerId, a.blocklist, hostLookup, scoreLookup, ledger, nowMillis()));
    requests++;
    examined += s.candidates();
    if (!s.isEmpty()) {
      ParentSelector.commit(task, s, ledger, nowMillis());
      if (a.core.state() == PeerState.PENDING) {
        machine.transition(a.core, PeerState.RUNNING, nowMillis());
      }
      a.emptyRounds = 0;
      int added = 0;
      for (RankedParent rp : s.parents()) {
        Agent p = agent(rp.peerId());
        if (p == null || p.gone || a.parents.containsKey(p.peerId)) {
          continue;
        }
        parentGiveSum += give(p, a);
        parentsChosen++;
        a.parents.put(p.peerId, p);
        p.children.add(a);
        a.planner.updateParent(
            p.peerId, p.advertised(), p.node.up, p.node.lastSecondTx, p.isSource(), remote(a, p));
        grantOrigin(p, a);
        added++;
        if (p == seedAgent && firstChild == null && !a.isSeed()) {
          firstChild = a;
        }
      }
      if (more && added == 0) {
        emptyMore++;
      }
      markDirty(a);
      askForMoreLater(a);
      return;
    }
    if (more) {
      emptyMore++;
      askForMoreLater(a);
      return;
    }
    if (!task.hasAvailablePeer() && seedStep(a, rid)) {
      return;
    }
    a.emptyRounds++;
    RetryOutcome o =
        retry.afterEmptyRound(rid, a.emptyRounds, nowMillis(), 0, task.backToSourceCount());
    if (o instanceof RetryOutcome.RetryAt at) {
      retryAt(a, at.atMillis() / 1000.0);
    } else if (o instanceof RetryOutcome.BackToSource) {
      backToSource(a);
    } else if (!a.failed) {
      a.failed = true; // FAILED: the agent gives up; counted as unfinished
      presentDownloaders--;
    }
  }

  /**
   * A source grants the first {@link SimOptions#originAssist} children that take it as a parent the
   * origin as a parent of last resort (the agent's piece server says so in its status): the child
   * then asks the origin for pieces no other usable parent holds (PiecePlanner's updateOrigin).
   */
  private void grantOrigin(Agent parent, Agent child) {
    if (!parent.isSource()
        || child.assist
        || child.source
        || parent.granted >= opt.originAssist()) {
      return;
    }
    child.assistSlice = parent.granted++;
    child.grantor = parent;
    originAssisted++;
    child.assist = true;
    refreshOrigin(child);
  }

  /**
   * What an assisted child sees of the origin, once every digest is known (the source has read the
   * whole content; until then nothing): the origin stands in for a source, so while the child has a
   * source parent, the pieces its sources offer (those that have not left them yet); with none left
   * (the seed has gone), every piece. Of those, its slice (piece mod the grant count = its grant's
   * number, so that the children one source granted read disjoint pieces and the origin serves each
   * about once); its load unknown (the agent's ParentPool does the same).
   */
  private void refreshOrigin(Agent a) {
    if (a.assist && !a.source && a.planner != null) {
      int of = opt.originAssist();
      BitSet offered = null;
      for (Agent p : a.parents.values()) {
        if (p.isSource()) {
          if (offered == null) {
            offered = new BitSet();
          }
          offered.or(p.advertised());
        }
      }
      if (digestsKnown.cardinality() < pieceCount) {
        // A source is still reading the origin: children do not slow that read down. (Letting them
        // read once their source has left, with the digests known so far, made seed-loss worse:
        // 1,000 hosts, load-aware, p50 1.73x -> 2.26x the bound with one child granted.)
        return;
      }
      BitSet slice = (BitSet) digestsKnown.clone();
      if (offered != null) {
        slice.and(offered);
      }
      if (of > 1) {
        for (int p = slice.nextSetBit(0); p >= 0; p = slice.nextSetBit(p + 1)) {
          if (p % of != a.assistSlice) {
            slice.clear(p);
          }
        }
      }
      a.planner.updateOrigin(ORIGIN_ID, slice, 0, 0);
    }
  }

  private void retryAt(Agent a, double at) {
    a.waiting = true;
    schedule(
        Math.max(at, now),
        () -> {
          a.waiting = false;
          request(a, false);
        });
  }

  /**
   * Nobody holds the task yet: trigger the seed chosen by the consistent hash (and retry the
   * request until it has pieces), or, with no usable seed, send the requester back to source. False
   * when the request should count an empty round instead.
   */
  private boolean seedStep(Agent a, String rid) {
    if (seedAgent != null && !seedAgent.gone) {
      retryAt(a, now + retry.delayMillis(rid, a.requestSeq) / 1000.0);
      return true;
    }
    List<String> online = new ArrayList<>();
    if (seedHost.online) {
      online.add(seedHost.id);
    }
    Optional<String> seed = seedSelector.choose(TASK_ID, online, seedFailures, nowMillis());
    if (seed.isPresent() && seedAgent == null) {
      triggerSeed();
      retryAt(a, now + retry.delayMillis(rid, a.requestSeq) / 1000.0);
      return true;
    }
    if (retry.backToSourceAllowed(task.backToSourceCount())) {
      backToSource(a);
      return true;
    }
    return false;
  }

  private void triggerSeed() {
    Agent s = new Agent(seedHost, "p-" + seedHost.id, now);
    seedHost.agent = s;
    seedAgent = s;
    putAgent(s);
    task.addPeer(s.core);
    s.planner =
        new PiecePlanner(pieceCount, new BitSet(), StableHash.hash(s.peerId), originParams());
    machine.transition(s.core, PeerState.BACK_TO_SOURCE, nowMillis());
    s.source = true;
    s.offer = opt.superSeeding() ? new SourceOffer(pieceCount) : null;
    s.planner.updateParent(ORIGIN_ID, fullSet(), sc.originBps(), 0, false);
    markDirty(s);
  }

  private void backToSource(Agent a) {
    if (a.source) {
      return;
    }
    backToSource++;
    machine.transition(a.core, PeerState.BACK_TO_SOURCE, nowMillis());
    task.dag().deleteInEdges(a.peerId);
    for (Agent p : new ArrayList<>(a.parents.values())) {
      dropParent(a, p);
    }
    a.source = true;
    a.offer = opt.superSeeding() ? new SourceOffer(pieceCount) : null;
    // the pieces it holds stay; the rest come from the origin
    PiecePlanner old = a.planner;
    a.planner =
        new PiecePlanner(pieceCount, a.have, StableHash.hash(a.peerId + "/source"), originParams());
    for (Transfer t : new ArrayList<>(a.node.downloads)) {
      remove(t);
      old.released(t.fetch);
    }
    a.planner.updateParent(ORIGIN_ID, fullSet(), sc.originBps(), 0, false);
    markDirty(a);
  }

  private PieceParams originParams() {
    PieceParams d = PieceParams.defaults();
    return new PieceParams(
        ORIGIN_STREAMS, d.maxParentFailures(), d.rarestFirst(), d.sourceLast(), false);
  }

  private BitSet fullSet() {
    BitSet b = new BitSet(pieceCount);
    b.set(0, pieceCount);
    return b;
  }

  private void askForMoreLater(Agent a) {
    if (a.moreScheduled || a.done || a.gone || a.source || a.parents.size() >= DESIRED_PARENTS) {
      return;
    }
    a.moreScheduled = true;
    scheduleIn(
        moreLane,
        MORE_PARENTS_EVERY,
        () -> {
          a.moreScheduled = false;
          if (!a.done && !a.gone && !a.source && a.parents.size() < DESIRED_PARENTS) {
            request(a, true);
          }
        });
  }

  /**
   * Whether stage 2 treats the parent as remote (asked only for what no parent of the child's IDC
   * holds, one fetch at a time; {@code PieceParams.remoteInFlight}): a parent in another IDC when
   * the link between IDCs is limited. Where it is not (uniform, skewed: two IDCs, no link limit)
   * the tier only cost: skewed, 1,000 hosts, load-aware p99 1.17x -> 1.49x, random 1.35x -> 2.73x
   * the bound, since a child with mostly remote parents then had one fetch in flight.
   */
  private boolean remote(Agent child, Agent parent) {
    return sc.crossIdcBps() > 0 && !parent.node.idc.equals(child.node.idc);
  }

  /** The share of the child's missing pieces the parent holds now. */
  private double give(Agent parent, Agent child) {
    int missing = pieceCount - child.have.cardinality();
    if (missing == 0) {
      return 0;
    }
    BitSet useful = (BitSet) parent.have.clone();
    useful.andNot(child.have);
    return (double) useful.cardinality() / missing;
  }

  // ------------------------------------------------------------------ once a second

  /**
   * Heartbeats and scores (each host's upload per second over the horizon, scored by the real
   * calculator, the ledger told), the agents' refresh of their parents' pieces and load, and stall
   * handling.
   */
  private void everySecond() {
    long nowMs = nowMillis();
    int horizon = horizonScratch.length;
    for (Node n : nodes) {
      n.lastSecondTx = n.secondBytes;
      n.history[n.historyAt] = n.secondBytes;
      n.historyAt = (n.historyAt + 1) % horizon;
      n.secondBytes = 0;
      if (n.agent == null || !n.online) {
        continue;
      }
      for (int b = 0; b < horizon; b++) {
        horizonScratch[b] = n.history[(n.historyAt + b) % horizon];
      }
      int uploads = n.uploads.size();
      LoadQuality lq = calculator.compute(horizonScratch, n.up, uploads);
      n.score = new ScoreView(n.id, lq, n.up, uploads, nowMs);
      ledger.onScore(n.id, nowMs);
      n.view = n.view.withLoad(new HostLoad(n.lastSecondTx, uploads, 0), nowMs);
    }
    if (trace != null) {
      traceLine();
    }
    for (Agent a : agents.values()) {
      if (a.done || a.gone || a.planner == null) {
        continue;
      }
      refreshView(a);
      List<Agent> useless = null;
      for (Agent p : a.parents.values()) {
        if (!opt.historyDag() && !a.planner.wants(p.peerId) && !hasFetchFrom(a, p)) {
          if (useless == null) {
            useless = new ArrayList<>();
          }
          useless.add(p);
        }
      }
      if (useless != null) {
        // docs/design.md, Stage 1: an edge whose parent holds nothing the child still lacks is
        // dropped;
        // the child asks for more parents while it has fewer than it wants
        for (Agent p : useless) {
          dropParent(a, p);
          task.dag().removeEdge(p.peerId, a.peerId);
        }
        askForMoreLater(a);
      }
      if (opt.replaceIdleParents() && ((long) Math.rint(now)) % 2 == 0) {
        replaceIdleParent(a);
      }
      markDirty(a);
      if (!a.source && a.node.downloads.isEmpty()) {
        a.idleSeconds += 1.0;
        if (a.idleSeconds >= STALL_SECONDS) {
          stalled(a);
        }
      } else {
        a.idleSeconds = 0;
      }
    }
    if (hasWorkLeft()) {
      schedule(now + 1.0, this::everySecond);
    }
  }

  /**
   * The agents' reads of their parents' pieces and load between two whole seconds (the read at a
   * whole second is part of {@link #everySecond}), every {@link #PARENT_REFRESH_SECONDS}.
   */
  private void refreshBetweenSeconds() {
    for (Agent a : agents.values()) {
      if (!(a.done || a.gone || a.planner == null)) {
        refreshView(a);
        markDirty(a);
      }
    }
    double next = now + PARENT_REFRESH_SECONDS;
    if (hasWorkLeft() && Math.abs(next - Math.rint(next)) > 1e-6) {
      schedule(next, this::refreshBetweenSeconds);
    } else if (hasWorkLeft()) {
      schedule(next + PARENT_REFRESH_SECONDS, this::refreshBetweenSeconds);
    }
  }

  /**
   * An agent reads its parents' pieces and load, and what it may read from the origin (its
   * planner's view of them).
   */
  private void refreshView(Agent a) {
    refreshOrigin(a);
    for (Agent p : a.parents.values()) {
      a.planner.updateParent(
          p.peerId, p.advertised(), p.node.up, p.node.lastSecondTx, p.isSource(), remote(a, p));
    }
  }

  /** {@link #plan}s the agents of {@code batch}, its second half on {@link #planner}'s thread. */
  private void planInHalves(List<Agent> batch) {
    parallelBatches++;
    int n = batch.size();
    int half = n / 2;
    java.util.concurrent.Future<?> other =
        planner.submit(
            () -> {
              for (int i = half; i < n; i++) {
                plan(batch.get(i));
              }
            });
    for (int i = 0; i < half; i++) {
      plan(batch.get(i));
    }
    await(other);
  }

  private static void await(java.util.concurrent.Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while planning", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("planning failed", e.getCause());
    }
  }

  /**
   * The experiment {@link SimOptions#replaceIdleParents}: a child with all the parents it wants
   * drops one (not a source) that holds a piece it lacks but sent it nothing in the last 2 s, and
   * asks stage 1 for another at once.
   */
  private void replaceIdleParent(Agent a) {
    Map<String, Long> window = a.gotFrom;
    a.gotFrom = new HashMap<>();
    if (a.source || a.done || a.gone || a.parents.size() < DESIRED_PARENTS) {
      return;
    }
    for (Agent p : a.parents.values()) {
      if (!p.isSource()
          && window.getOrDefault(p.peerId, 0L) == 0
          && a.planner.wants(p.peerId)
          && !hasFetchFrom(a, p)) {
        dropParent(a, p);
        task.dag().removeEdge(p.peerId, a.peerId);
        request(a, true);
        return;
      }
    }
  }

  private static boolean hasFetchFrom(Agent a, Agent p) {
    for (Transfer t : a.node.downloads) {
      if (t.from == p.node) {
        return true;
      }
    }
    return false;
  }

  private boolean hasWorkLeft() {
    return !(presentDownloaders > 0 && finishedDownloaders >= presentDownloaders && noJoinsLeft());
  }

  /**
   * Nothing arrived for the stall timeout: reschedule with the silent parents on the blocklist, and
   * after too many reschedules ask to go back to source (the agent's rules).
   */
  private void stalled(Agent a) {
    a.idleSeconds = 0;
    a.reschedules++;
    if (a.reschedules > MAX_RESCHEDULES) {
      if (retry.backToSourceAllowed(task.backToSourceCount())) {
        backToSource(a);
      }
      return;
    }
    for (Agent p : new ArrayList<>(a.parents.values())) {
      a.blocklist.add(p.peerId);
      dropParent(a, p);
    }
    request(a, false);
  }

  // ------------------------------------------------------------------ stage 2 and transfers

  /**
   * Stage 2 for every agent whose planner may have something to start: each asks its planner for
   * fetches until it has none, and each fetch starts a transfer, or is held (every upload slot of
   * the parent busy), or fails (the parent is gone), or goes back to the planner (a source's offer
   * has moved on).
   *
   * <p>In two phases, so that a large batch uses a second core and gives the same result as one
   * thread. A planner's answers depend on its own state alone, and the only answer from the rest of
   * the swarm that changes that state is a source's claim (a refused claim tells the planner the
   * piece is not held); whether the parent is online does not change during a batch, and a busy
   * hold keeps its fetch in flight just as a transfer does. So first each agent asks its planner
   * ({@link #plan}), on two threads, until the planner has nothing more or a fetch needs a source's
   * claim; then, on this thread and in the batch's order, each agent's fetches are applied ({@link
   * #apply}: the slot and claim checks, transfers, holds, in the order one thread would make them),
   * and an agent whose planning stopped at a claim goes on asking its planner here.
   */
  private void startFetches() {
    if (dirty.isEmpty()) {
      return;
    }
    List<Agent> batch = dirty;
    dirty = new ArrayList<>();
    for (Agent a : batch) {
      a.dirtyMarked = false;
    }
    if (planner == null || batch.size() < parallelBatch) {
      for (Agent a : batch) {
        if (mayFetch(a)) {
          fetchInTurn(a);
        }
      }
      return;
    }
    planInHalves(batch);
    for (Agent a : batch) {
      List<PieceFetch> planned = a.planned;
      for (int i = 0, k = planned.size(); i < k; i++) {
        apply(a, planned.get(i), a.plannedFrom.get(i));
      }
      planned.clear();
      a.plannedFrom.clear();
      if (!a.plannedToEnd) {
        fetchInTurn(a);
      }
    }
  }

  /** Puts {@code a} in {@link #dirty} unless it is there already. */
  private void markDirty(Agent a) {
    if (!a.dirtyMarked) {
      a.dirtyMarked = true;
      dirty.add(a);
    }
  }

  /** Whether the agent still downloads and one of its parents may have a free slot. */
  private boolean mayFetch(Agent a) {
    return !(a.done || a.gone || a.planner == null) && hasFreeSlot(a);
  }

  /** One thread's stage 2 for one agent: asks its planner and applies each answer at once. */
  private void fetchInTurn(Agent a) {
    Optional<PieceFetch> f;
    while ((f = a.planner.next()).isPresent()) {
      PieceFetch fetch = f.get();
      Agent parent = parentOf(fetch);
      if (!failedAtOnce(a, fetch, parent)) {
        apply(a, fetch, parent);
      }
    }
  }

  /**
   * Batches of at least this many agents are planned on two threads (see {@link #startFetches}).
   */
  static final int PARALLEL_BATCH = 256;

  /**
   * The second thread of {@link #startFetches}; null plans on one thread. Results do not depend on
   * it ({@code SwarmPlanningThreadsTest}).
   */
  private java.util.concurrent.ExecutorService planner;

  private int planningThreads = Math.min(2, Runtime.getRuntime().availableProcessors());

  private int parallelBatch = PARALLEL_BATCH;

  /** Batches planned on two threads so far. */
  private long parallelBatches;

  /** For tests: batches of at least this many agents are planned on two threads. */
  Swarm parallelFrom(int agents) {
    this.parallelBatch = Math.max(2, agents);
    return this;
  }

  long parallelBatches() {
    return parallelBatches;
  }

  /**
   * Plans stage 2 on this many threads (1 or 2; by default 2 when the machine has two cores). The
   * result is the same either way; the wall time is not.
   */
  public Swarm planningThreads(int threads) {
    if (threads < 1 || threads > 2) {
      throw new IllegalArgumentException("planning threads must be 1 or 2, was " + threads);
    }
    this.planningThreads = threads;
    return this;
  }

  /**
   * Phase one of {@link #startFetches} for one agent: asks its planner for fetches while one of its
   * parents may have a free slot, into {@code a.planned}, and fails at once a fetch whose parent is
   * gone. Stops after a fetch that needs a source's claim ({@code a.plannedToEnd} false). Reads
   * nothing that another agent's planning changes, and changes nothing but the agent's planner and
   * its list, so agents can be planned on different threads.
   */
  private void plan(Agent a) {
    a.planned.clear();
    a.plannedFrom.clear();
    a.plannedToEnd = true;
    if (!mayFetch(a)) {
      return;
    }
    Optional<PieceFetch> f;
    while ((f = a.planner.next()).isPresent()) {
      PieceFetch fetch = f.get();
      Agent parent = parentOf(fetch);
      if (failedAtOnce(a, fetch, parent)) {
        continue;
      }
      a.planned.add(fetch);
      a.plannedFrom.add(parent);
      if (parent != null && parent.offer != null) {
        a.plannedToEnd = false; // the claim decides what the planner answers next
        return;
      }
    }
  }

  /**
   * A fetch from a parent that is gone (connection refused) fails at once and counts towards
   * dropping the parent; returns whether it did.
   */
  private boolean failedAtOnce(Agent a, PieceFetch fetch, Agent parent) {
    if (fetch.parentId().equals(ORIGIN_ID)) {
      return false;
    }
    if (parent == null || !parent.node.online) {
      a.planner.failed(fetch);
      return true;
    }
    return false;
  }

  /**
   * The agent a fetch asks ({@code null} for the origin), looked up once per fetch: a look-up is a
   * cache miss in a large swarm.
   */
  private Agent parentOf(PieceFetch fetch) {
    return fetch.parentId().equals(ORIGIN_ID) ? null : agent(fetch.parentId());
  }

  /**
   * Phase two of {@link #startFetches} for one fetch whose parent is there ({@code parent} is
   * {@link #parentOf} it).
   */
  private void apply(Agent a, PieceFetch fetch, Agent parent) {
    Node from = parent == null ? origin : parent.node;
    if (parent != null && opt.uploadSlots() > 0 && from.uploads.size() >= opt.uploadSlots()) {
      // Every upload slot busy (the piece server's 503). Modelled as the agent answers it: the
      // fetch is held, then released. It was modelled as "not held", which cleared the piece
      // from the child's view of the parent until the next refresh: the planner then asked the
      // busy parent for its next piece, and the next, so one pass wiped the parent's whole
      // bitmap, and with one upload slot every child got one piece per parent per second
      // (no peer finished).
      busyHold(a, fetch);
      return;
    }
    if (parent != null && parent.offer != null && !parent.offer.claim(fetch.piece(), parent.have)) {
      a.planner.notHeld(fetch); // it has left this source already: take it from a peer
      return;
    }
    long size = Math.min(sc.pieceBytes(), sc.fileBytes() - (long) fetch.piece() * sc.pieceBytes());
    Transfer t = new Transfer(transferSeq++, from, a, fetch, size, now);
    t.cross = from != origin && sc.crossIdcBps() > 0 && !from.idc.equals(a.node.idc);
    active.add(t);
    from.uploads.add(t);
    a.node.downloads.add(t);
  }

  private void busyHold(Agent a, PieceFetch fetch) {
    PiecePlanner held = a.planner;
    scheduleIn(
        holdLane,
        BUSY_HOLD_SECONDS,
        () -> {
          held.released(fetch);
          if (a.planner == held) {
            markDirty(a);
          }
        });
  }

  /**
   * Whether some parent has fewer fetches in flight than the planner allows: when none has, the
   * planner can start nothing, and asking it would only scan every piece (the common case between
   * two arrivals).
   */
  private boolean hasFreeSlot(Agent a) {
    int limit = a.source ? ORIGIN_STREAMS : pieceParams.perParentInFlight();
    int parents = a.source ? 1 : a.parents.size() + (a.assist ? 1 : 0);
    if (parents == 0) {
      return false;
    }
    if (a.node.downloads.size() < parents * limit) {
      return true;
    }
    return false;
  }

  private void remove(Transfer t) {
    if (t.removed) {
      return;
    }
    t.removed = true;
    t.from.uploads.remove(t);
    t.to.downloads.remove(t);
  }

  /**
   * Max-min style sharing: fair shares first, then each uploader's leftover to transfers that can
   * take it.
   */
  private void shareBandwidth() {
    crossCount = 0;
    sharePass++;
    for (Transfer t : active) {
      if (t.removed) {
        continue;
      }
      t.from.upUsed = 0;
      t.to.downUsed = 0;
      if (t.cross) {
        crossCount++;
      }
    }
    crossUsed = 0;
    double crossShare = crossCount == 0 ? Double.MAX_VALUE : (double) sc.crossIdcBps() / crossCount;
    for (Transfer t : active) {
      if (t.removed) {
        continue;
      }
      Node up = t.from;
      Node down = t.to;
      double r =
          Math.min((double) up.up / up.uploads.size(), (double) down.down / down.downloads.size());
      if (t.cross) {
        r = Math.min(r, crossShare);
      }
      t.rate = r;
      up.upUsed += r;
      down.downUsed += r;
      if (t.cross) {
        crossUsed += r;
      }
    }
    // hand leftovers out, uploader by uploader in a fixed order
    for (Transfer t : active) {
      Node up = t.from;
      if (t.removed || up.filledPass == sharePass) {
        continue;
      }
      up.filledPass = sharePass;
      double spare = up.up - up.upUsed;
      int left = up.uploads.size();
      for (Transfer u : up.uploads) {
        if (spare <= 1e-6) {
          break;
        }
        Node down = u.to;
        double add = Math.min(spare / left, down.down - down.downUsed);
        if (u.cross) {
          add = Math.min(add, sc.crossIdcBps() - crossUsed);
        }
        left--;
        if (add > 0) {
          u.rate += add;
          up.upUsed += add;
          down.downUsed += add;
          if (u.cross) {
            crossUsed += add;
          }
          spare -= add;
        }
      }
    }
    if (opt.checkInvariants()) {
      for (Transfer t : active) {
        if (!t.removed && t.from.upUsed > t.from.up * (1 + 1e-9) + 1e-6
            || t.to.downUsed > t.to.down * (1 + 1e-9) + 1e-6) {
          violations++;
        }
      }
      if (sc.crossIdcBps() > 0 && crossUsed > sc.crossIdcBps() * (1 + 1e-9) + 1e-6) {
        violations++;
      }
      if (opt.uploadSlots() > 0) {
        for (Node n : nodes) {
          if (n.uploads.size() > opt.uploadSlots()) {
            violations++;
          }
        }
      }
    }
  }

  private void advance(double dt) {
    List<Transfer> finished = new ArrayList<>();
    int w = 0;
    for (int i = 0; i < active.size(); i++) {
      Transfer t = active.get(i);
      if (t.removed) {
        continue;
      }
      // Whole bytes per step, the fraction carried to the next step. Flooring each step's bytes
      // without the carry cost a whole extra step per piece whenever rate·dt was fractional: a
      // 2 MiB piece at 4 MiB/s (32 MiB/s over 8 slots) moved 209,715 bytes a step and needed an
      // 11th step for its last 2 bytes, so the seed and every slow host uploaded at 10/11 of
      // their limit (a timeline of skewed, 1,000 hosts: the seed at 28.8-29.2 MiB/s of 32).
      double due = t.rate * dt + t.carry;
      long bytes = (long) Math.floor(due + 1e-6);
      t.carry = Math.max(0, due - bytes);
      if (bytes >= t.remaining) {
        bytes = t.remaining;
        t.doneAt = now + (t.rate > 0 ? t.remaining / t.rate : dt);
        finished.add(t);
      } else {
        active.set(w++, t);
      }
      t.remaining -= bytes;
      t.from.secondBytes += bytes;
      t.from.totalUp += bytes;
      t.to.totalDown += bytes;
      bytesSent += bytes;
      bytesReceived += bytes;
    }
    active.subList(w, active.size()).clear();
    finished.sort(
        (x, y) ->
            x.doneAt != y.doneAt ? Double.compare(x.doneAt, y.doneAt) : Long.compare(x.id, y.id));
    for (Transfer t : finished) {
      if (!t.removed) {
        pieceArrived(t);
      }
    }
  }

  private void pieceArrived(Transfer t) {
    remove(t);
    if (t.from == seedHost) {
      seedSent.set(t.fetch.piece());
      seedTransfers++;
    }
    Agent a = t.child;
    if (t.from == origin && a.source) {
      digestsKnown.set(t.fetch.piece()); // the source publishes each digest as its piece arrives
    } else if (t.from == origin && a.grantor != null && a.grantor.offer != null) {
      // the granted child tells its source (the agent: on its next status read), which counts the
      // piece as sent and offers others
      a.grantor.offer.readElsewhere(t.fetch.piece());
    }
    if (a.gone || a.done || a.planner == null) {
      return;
    }
    for (PieceFetch dup : a.planner.succeeded(t.fetch)) {
      for (Transfer o : new ArrayList<>(a.node.downloads)) {
        if (o.fetch.equals(dup)) {
          remove(o); // the slower copy of an endgame duplicate: its bytes so far were still sent
        }
      }
    }
    a.have.set(t.fetch.piece());
    if (t.from.agent != null && opt.replaceIdleParents()) { // read only by that experiment
      a.gotFrom.merge(t.from.agent.peerId, 1L, Long::sum);
    }
    a.core.recordPiece(
        Math.max(1L, Math.round((t.doneAt - t.startedAt) * 1000)), (long) (t.doneAt * 1000));
    a.idleSeconds = 0;
    markDirty(a);
    if (a.planner.complete()) {
      finish(a, t.doneAt);
    }
  }

  private void finish(Agent a, double at) {
    a.done = true;
    a.doneAt = at;
    for (Transfer t : new ArrayList<>(a.node.downloads)) {
      remove(t);
    }
    machine.transition(a.core, PeerState.SUCCEEDED, (long) (at * 1000));
    if (!opt.historyDag()) {
      task.onSucceeded(a.peerId);
    }
    for (Agent p : new ArrayList<>(a.parents.values())) {
      p.children.remove(a);
    }
    a.parents.clear();
    a.planner = null;
    if (!a.isSeed()) {
      finishedDownloaders++;
      completions.add(at - a.joinedAt);
    }
  }

  private SimResult result(double bound, long wallNanos) {
    double[] c = completions.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(c);
    int unfinished = 0;
    int incomplete = 0;
    for (Agent a : agents.values()) {
      if (a.isSeed()) {
        continue;
      }
      if (!a.done && !a.gone) {
        unfinished++;
      }
      if (a.done && a.have.cardinality() != pieceCount) {
        incomplete++;
      }
    }
    int rank = 0;
    if (firstChild != null && firstChild.done) {
      rank = 1;
      for (double x : c) {
        if (x < firstChild.doneAt - firstChild.joinedAt) {
          rank++;
        }
      }
    }
    return new SimResult(
        sc.name(),
        opt.policy(),
        sc.hosts(),
        sc.fileBytes(),
        pieceCount,
        bound,
        c,
        unfinished,
        origin.totalUp,
        seedHost.totalUp,
        backToSource,
        requests,
        requests == 0 ? 0 : (double) examined / requests,
        parentsChosen == 0 ? 0 : parentGiveSum / parentsChosen,
        emptyMore,
        rank,
        firstChild != null && firstChild.done
            ? firstChild.doneAt - firstChild.joinedAt
            : Double.NaN,
        bytesSent,
        bytesReceived,
        violations,
        incomplete,
        now,
        wallNanos / 1_000_000);
  }

  // ------------------------------------------------------------------ model types

  /** A host: its limits, its transfers and its upload per second. */
  private final class Node {
    final int index;
    final String id;
    final String idc;
    final long up;
    final long down;
    final boolean seed;
    final List<Transfer> uploads = new ArrayList<>();
    final List<Transfer> downloads = new ArrayList<>();
    final long[] history;
    int historyAt;
    long secondBytes;
    long lastSecondTx;
    long totalUp;
    long totalDown;
    double upUsed;
    double downUsed;
    long filledPass = -1;
    boolean online = true;
    Agent agent;

    /** What the scheduler knows of the host (null until it joined) and its last score. */
    HostView view;

    ScoreView score;

    Node(int index, String id, String idc, long up, long down, boolean seed) {
      this.index = index;
      this.id = id;
      this.idc = idc;
      this.up = up;
      this.down = down;
      this.seed = seed;
      this.history = new long[calculator.params().horizonBuckets()];
    }
  }

  /**
   * The download of the task by one host: its core peer, its planner, what it holds, whom it
   * fetches from.
   */
  private final class Agent {
    /** In {@link #dirty}. */
    boolean dirtyMarked;

    final Node node;
    final String peerId;
    final Peer core;
    final double joinedAt;
    final BitSet have = new BitSet();
    final Map<String, Agent> parents = new LinkedHashMap<>();
    final Set<Agent> children = new LinkedHashSet<>();
    final Set<String> blocklist = new LinkedHashSet<>();

    /** Pieces received per parent since the last look ({@link SimOptions#replaceIdleParents}). */
    Map<String, Long> gotFrom = new HashMap<>();

    PiecePlanner planner;

    /**
     * Super-seeding state while this agent is a source (the agent's piece server keeps the same).
     */
    SourceOffer offer;

    boolean source;

    /** Granted the origin as a parent of last resort ({@link SimOptions#originAssist}). */
    boolean assist;

    /** Its grant's number among the children its source granted: the origin slice it reads. */
    int assistSlice;

    /** The source whose grant it took: told of each piece read from the origin. */
    Agent grantor;

    /** As a source: children it granted the origin ({@link #grantOrigin}). */
    int granted;

    boolean done;
    boolean gone;
    boolean failed;
    boolean waiting;
    boolean moreScheduled;

    /** Stage 2's first phase: the fetches planned, and whether planning ran to the end. */
    final List<PieceFetch> planned = new ArrayList<>();

    /** The agent each planned fetch asks ({@code null}: the origin), beside {@link #planned}. */
    final List<Agent> plannedFrom = new ArrayList<>();

    boolean plannedToEnd = true;

    double doneAt = -1;
    double idleSeconds;
    int requestSeq;
    int emptyRounds;
    int reschedules;

    Agent(Node node, String peerId, double at) {
      this.node = node;
      this.peerId = peerId;
      this.joinedAt = at;
      this.core = new Peer(peerId, TASK_ID, node.id, (long) (at * 1000));
    }

    boolean isSeed() {
      return node.seed;
    }

    /** Stage 2 asks a seed or a back-to-source peer only for pieces no other parent holds. */
    boolean isSource() {
      return source;
    }

    /** What its children see it hold: a source lists only the pieces it offers now. */
    BitSet advertised() {
      return offer == null ? have : offer.offered(have);
    }
  }

  /** One piece on its way from a host (or the origin) to an agent. */
  private static final class Transfer {
    final long id;
    final Node from;
    final Agent child;

    /** {@code child.node}, kept here for the per-step loops. */
    final Node to;

    final PieceFetch fetch;
    final double startedAt;
    long remaining;
    double rate;
    double carry;
    double doneAt;
    boolean cross;
    boolean removed;

    Transfer(long id, Node from, Agent child, PieceFetch fetch, long size, double startedAt) {
      this.id = id;
      this.from = from;
      this.child = child;
      this.to = child.node;
      this.fetch = fetch;
      this.remaining = size;
      this.startedAt = startedAt;
    }
  }

  private static final class Event implements Comparable<Event> {
    final double at;
    final long seq;
    final Runnable action;

    Event(double at, long seq, Runnable action) {
      this.at = at;
      this.seq = seq;
      this.action = action;
    }

    @Override
    public int compareTo(Event o) {
      return at != o.at ? Double.compare(at, o.at) : Long.compare(seq, o.seq);
    }
  }
}
