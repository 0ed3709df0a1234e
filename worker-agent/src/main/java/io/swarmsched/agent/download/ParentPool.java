package io.swarmsched.agent.download;

import io.swarmsched.agent.server.ParentClient.ParentStatus;
import io.swarmsched.scheduling.evaluator.Affinity;
import io.swarmsched.scheduling.piece.PiecePlanner;
import io.swarmsched.schemas.ParentCandidate;
import java.io.IOException;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parents of one download round and what stage 2 knows of them: a refresher reads every
 * parent's status (what it holds, whether it is a source, its live load) a few times a second and
 * hands it to the {@link PiecePlanner}; while the child has fewer usable parents than it wants, it
 * asks the dispatcher for more, so peers that started later become parents as they get pieces. A
 * parent whose status names another IDC than this agent's is passed to the planner as remote: it is
 * asked only for pieces no parent in this IDC holds (see {@link PiecePlanner}).
 */
final class ParentPool {
  private static final Logger log = LoggerFactory.getLogger(ParentPool.class);

  /** Status reads that may fail in a row before a parent is taken for gone. */
  private static final int MAX_STATUS_FAILURES = 3;

  private static final long REFRESH_MILLIS = 500;

  /** The longest wait between requests for more parents while a child is starved of parents. */
  static final long STARVED_ASK_MILLIS = 500;

  /** Asks the dispatcher for more parents, none of {@code blocklist}; empty when it offers none. */
  @FunctionalInterface
  interface MoreParents {
    List<ParentCandidate> ask(Set<String> blocklist) throws DownloadException, InterruptedException;
  }

  static final class Parent {
    final String peerId;
    final String hostId;
    final String address;
    final AtomicInteger statusFailures = new AtomicInteger();
    volatile boolean unreachable;

    /** What its last status said it holds (verifiable pieces only); for the debug log. */
    volatile BitSet lastHolds = new BitSet();

    /** In another IDC than this agent, as its last status said. */
    volatile boolean otherIdc;

    /** Its upload limit as its last status said (bytes/s, 0 unknown). */
    volatile long maxTx;

    Parent(ParentCandidate c) {
      this.peerId = c.getPeerId();
      this.hostId = c.getHostId();
      this.address = c.getPieceServerAddress();
    }
  }

  private final DownloadContext ctx;
  private final String taskId;
  private final String peerId;
  private final String idc;
  private final PiecePlanner planner;
  private final PieceDigests digests;
  private final Runnable onRefresh;
  private final Runnable onNewDigests;
  private final Map<String, Parent> parents = new ConcurrentHashMap<>();
  private final Set<String> corrupting = ConcurrentHashMap.newKeySet();
  private final RemoteLinks links;

  /** What {@link #links} said at the last status update, to log a change once. */
  private volatile boolean linksSlow = true;

  /**
   * @param idc this agent's IDC (its configured {@code swarm.agent.idc}); empty when unknown, and
   *     then every parent counts as local
   * @param onRefresh called after each status round: idle piece workers look again
   * @param onNewDigests called when the source published more digests: this counts as progress, so
   *     waiting on a slow source is not taken for stalled parents
   * @param links judges whether parents in other IDCs are behind a slow link (else they are planned
   *     as local ones)
   */
  ParentPool(
      DownloadContext ctx,
      String taskId,
      String peerId,
      String idc,
      PiecePlanner planner,
      PieceDigests digests,
      Runnable onRefresh,
      Runnable onNewDigests,
      RemoteLinks links) {
    this.links = links;
    this.ctx = ctx;
    this.taskId = taskId;
    this.peerId = peerId;
    this.idc = idc == null ? "" : idc;
    this.planner = planner;
    this.digests = digests;
    this.onRefresh = onRefresh;
    this.onNewDigests = onNewDigests;
  }

  /** Adds the parents not known yet; returns how many were new. */
  int add(Collection<ParentCandidate> candidates) {
    int added = 0;
    for (ParentCandidate c : candidates) {
      if (!c.getPeerId().equals(peerId)
          && parents.putIfAbsent(c.getPeerId(), new Parent(c)) == null) {
        added++;
      }
    }
    return added;
  }

  Parent get(String parentId) {
    return parents.get(parentId);
  }

  Set<String> ids() {
    return Set.copyOf(parents.keySet());
  }

  /** A parent served a piece that failed verification: it is never asked back in this download. */
  void corrupted(String parentId) {
    corrupting.add(parentId);
  }

  /**
   * Parents to keep out: those that served corrupt bytes, failed too many pieces, or stopped
   * answering.
   */
  Set<String> failed() {
    Set<String> out = new HashSet<>(corrupting);
    out.addAll(planner.droppedParents());
    parents.values().stream().filter(p -> p.unreachable).forEach(p -> out.add(p.peerId));
    return out;
  }

  /**
   * What a request for more parents names, so the dispatcher chooses others: the failed parents,
   * and those holding nothing this child still lacks. The latter stay in the pool (they may get
   * more) but do not count towards the parents it wants, and the dispatcher drops their edges: an
   * edge that feeds nothing must not block, through cycle prevention, the mesh the swarm needs
   * (docs/design.md, Stage 1; the seed's first child is otherwise left with the seed alone).
   */
  Set<String> keepOut() {
    Set<String> out = failed();
    for (String id : parents.keySet()) {
      if (!planner.wants(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /** True while some parent is neither unreachable nor dropped. */
  boolean anyUsable() {
    Set<String> dropped = planner.droppedParents();
    return parents.values().stream().anyMatch(p -> !p.unreachable && !dropped.contains(p.peerId));
  }

  /** Reads every reachable parent's status once and passes it to the planner. */
  void refresh() throws InterruptedException {
    boolean news = digests.refresh();
    BitSet verifiable = digests.known();
    for (Parent p : parents.values()) {
      if (p.unreachable) {
        continue;
      }
      try {
        ParentStatus s = ctx.parents().status(p.address, taskId, p.peerId);
        p.statusFailures.set(0);
        BitSet holds = s.pieces();
        holds.and(verifiable); // a piece nobody can verify yet is not on offer
        p.lastHolds = holds;
        update(p.peerId, holds, s);
      } catch (IOException e) {
        if (p.statusFailures.incrementAndGet() >= MAX_STATUS_FAILURES) {
          p.unreachable = true;
          planner.removeParent(p.peerId);
          log.info(
              "{}: parent {} did not answer {} status reads in a row ({}); left out",
              peerId,
              p.peerId,
              MAX_STATUS_FAILURES,
              e.getMessage());
        }
      }
    }
    if (log.isDebugEnabled()) {
      // What each parent could give this child now (held, verifiable, lacked), for the timelines.
      BitSet lack = new BitSet(planner.pieceCount());
      lack.set(0, planner.pieceCount());
      lack.andNot(planner.have());
      StringBuilder b = new StringBuilder();
      for (Parent p : parents.values()) {
        BitSet offers = (BitSet) p.lastHolds.clone();
        offers.and(lack);
        b.append(' ').append(p.peerId).append('=').append(offers.cardinality());
      }
      log.debug(
          "{}: parents offer{}; {} missing, {} in flight",
          peerId,
          b,
          lack.cardinality(),
          planner.inFlightCount());
    }
    if (news) {
      onNewDigests.run();
    }
    onRefresh.run();
  }

  /**
   * Passes what one parent holds and its status to the planner, with whether it is remote: in
   * another IDC while the links to other IDCs count as slow ({@link RemoteLinks}).
   */
  void update(String parentId, BitSet holds, ParentStatus s) {
    boolean otherIdc = remote(idc, s.idc());
    Parent p = parents.get(parentId);
    if (p != null) {
      p.otherIdc = otherIdc;
      p.maxTx = s.load().maxTx();
    }
    boolean slow = links.slow();
    if (otherIdc && slow != linksSlow) {
      linksSlow = slow;
      log.info(
          "{}: fetches from other IDCs {}; their parents are now planned as {}",
          peerId,
          slow ? "slowed down" : "keep up with local ones",
          slow ? "remote" : "local");
    }
    planner.updateParent(
        parentId, holds, s.load().maxTx(), s.load().tx(), s.source(), otherIdc && slow);
  }

  /** A piece of {@code bytes} arrived from {@code parentId} in {@code nanos}: a link sample. */
  void fetched(String parentId, long bytes, long nanos) {
    Parent p = parents.get(parentId);
    if (p != null) {
      links.record(p.otherIdc, bytes, nanos, p.maxTx);
    }
  }

  /**
   * True when both IDCs are known and differ (compared as the scheduler's IDC affinity compares
   * them). An unknown IDC on either side counts as local, as before parents were told apart.
   */
  static boolean remote(String ownIdc, String parentIdc) {
    return ownIdc != null
        && parentIdc != null
        && !ownIdc.isEmpty()
        && !parentIdc.isEmpty()
        && Affinity.idc(ownIdc, parentIdc) == 0.0;
  }

  /**
   * Parents that count towards the ones this child wants: usable and holding something it lacks.
   */
  long givingParents() {
    Set<String> keepOut = keepOut();
    return parents.keySet().stream().filter(id -> !keepOut.contains(id)).count();
  }

  /**
   * How long to wait before the next request for more parents: {@code everyMillis}, but at most
   * {@link #STARVED_ASK_MILLIS} while fewer than two parents have anything to give. Every child's
   * first decision names only the seed (its siblings hold nothing yet, so stage 1 offers none), and
   * the seed serves each piece about once; in the demo's timeline the peers' uploads stood idle for
   * the first seconds until the children's second requests brought their siblings.
   */
  static long askDelayMillis(long givingParents, long everyMillis) {
    return givingParents < 2 ? Math.min(STARVED_ASK_MILLIS, everyMillis) : everyMillis;
  }

  /**
   * Starts the status refresher and, when {@code every} is positive, the request for more parents.
   */
  void start(ExecutorService pool, long everyMillis, int desired, MoreParents more) {
    pool.submit(
        () -> {
          while (!Thread.currentThread().isInterrupted()) {
            try {
              refresh();
              Thread.sleep(REFRESH_MILLIS);
            } catch (InterruptedException e) {
              return;
            }
          }
        });
    if (everyMillis <= 0) {
      return;
    }
    pool.submit(
        () -> {
          while (!Thread.currentThread().isInterrupted()) {
            try {
              Thread.sleep(askDelayMillis(givingParents(), everyMillis));
              if (givingParents() >= desired) {
                continue;
              }
              Set<String> keepOut = keepOut();
              List<ParentCandidate> offered = more.ask(keepOut);
              int added = add(offered);
              log.info(
                  "{}: asked for more parents: {} offered, {} new", peerId, offered.size(), added);
              if (added > 0) {
                refresh();
              }
            } catch (InterruptedException e) {
              return;
            } catch (DownloadException e) {
              log.debug("{}: asking for more parents failed: {}", peerId, e.getMessage());
            }
          }
        });
  }
}
