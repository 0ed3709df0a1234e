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
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parents of one download round and what stage 2 knows of them: a refresher reads every
 * parent's status (what it holds, whether it is a source, its live load) a few times a second and
 * hands it to the {@link PiecePlanner}; while the child has fewer usable parents than it wants, it
 * asks the dispatcher for more, so peers that started later become parents as they get pieces; with
 * all it wants, it replaces one that has given it nothing for a while though it holds a piece the
 * child lacks ({@link #idleParent}). A parent whose status names another IDC than this agent's is
 * passed to the planner as remote: it is asked only for pieces no parent in this IDC holds (see
 * {@link PiecePlanner}).
 */
final class ParentPool {
  private static final Logger log = LoggerFactory.getLogger(ParentPool.class);

  /** Status reads that may fail in a row before a parent is taken for gone. */
  private static final int MAX_STATUS_FAILURES = 3;

  private static final long REFRESH_MILLIS = 500;

  /**
   * The planner's id for the origin as a parent of last resort ({@link #allowOrigin}); never a
   * peer's id, which has the host's and the task's in it.
   */
  static final String ORIGIN = "origin";

  /**
   * The share of its upload limit above which a source counts as busy ({@link #hasRoom}): its rate
   * over the last second, so a source at its limit reads about 1.0, one with a slot to spare
   * clearly less.
   */
  static final double SOURCE_BUSY_SHARE = 0.75;

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

    /** A seed's or back-to-source copy, as its last status said: never replaced as idle. */
    volatile boolean source;

    /** When it last sent this child a piece, or joined the pool ({@link #clock}). */
    volatile long lastGaveNanos;

    /** Fetches from it under way (request sent, no answer yet). */
    final AtomicInteger fetching = new AtomicInteger();

    Parent(ParentCandidate c, long nowNanos) {
      this.peerId = c.getPeerId();
      this.hostId = c.getHostId();
      this.address = c.getPieceServerAddress();
      this.lastGaveNanos = nowNanos;
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

  /** Nanosecond time for {@link Parent#lastGaveNanos}. */
  private final LongSupplier clock;

  /** What {@link #links} said at the last status update, to log a change once. */
  private volatile boolean linksSlow = true;

  /** The task's URL when this child may take a source's grant of the origin, else null. */
  private volatile String originUrl;

  /** Whether the origin was asked if it honours ranges (once, at the first grant). */
  private volatile boolean originProbed;

  /** The granted slice of the origin's pieces and how many slices, or -1 while none. */
  private volatile int originSlice = -1;

  private volatile int originSlices;

  /** The source whose grant this child took (it is told what was read), or null. */
  private volatile String originGrantor;

  /** The pieces this child has read from the origin as a parent (guarded by itself). */
  private final BitSet originRead = new BitSet();

  /**
   * @param idc this agent's IDC (its configured {@code swarm.agent.idc}); empty when unknown, and
   *     then every parent counts as local
   * @param onRefresh called after each status round: idle piece workers look again
   * @param onNewDigests called when the source published more digests: this counts as progress, so
   *     waiting on a slow source is not taken for stalled parents
   * @param links judges whether parents in other IDCs are behind a slow link (else they are planned
   *     as local ones)
   * @param clock nanosecond time ({@code System::nanoTime}), for how long a parent has sent nothing
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
      RemoteLinks links,
      LongSupplier clock) {
    this.clock = clock;
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
          && parents.putIfAbsent(c.getPeerId(), new Parent(c, clock.getAsLong())) == null) {
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

  /**
   * True while some parent (the origin included, once granted) is neither unreachable nor dropped.
   */
  boolean anyUsable() {
    Set<String> dropped = planner.droppedParents();
    return (originSlice >= 0 && !dropped.contains(ORIGIN))
        || parents.values().stream().anyMatch(p -> !p.unreachable && !dropped.contains(p.peerId));
  }

  /**
   * Lets this child take a source's grant of the origin as a parent of last resort (docs/design.md,
   * "Stage 2"; {@code swarm.agent.origin.assist}): when a source's status grants it, and the origin
   * says it honours {@code Range} (an origin without ranges is read once, by the source, as one
   * stream), the planner gets the origin as a parent holding the pieces of the granted slice whose
   * digests are known, asked only for pieces no other usable parent holds.
   */
  void allowOrigin(String url) {
    this.originUrl = url;
  }

  /** The origin's URL once it is a parent of this round, else null. */
  String originUrl() {
    return originSlice >= 0 ? originUrl : null;
  }

  /** The origin ignored a range after all: it leaves the round, and is not taken again. */
  synchronized void dropOrigin(String why) {
    if (originSlice >= 0) {
      log.info("{}: the origin leaves this round's parents: {}", peerId, why);
    }
    originSlice = -1;
    originUrl = null;
    planner.removeParent(ORIGIN);
  }

  /**
   * This child read {@code piece} from the origin: its next status read of the source that granted
   * the origin says so, and the source counts it as sent ({@code SourceOffer.readElsewhere}).
   */
  void readFromOrigin(int piece) {
    synchronized (originRead) {
      originRead.set(piece);
    }
  }

  /** What to tell {@code parent} of this child's reads of the origin: only its grantor is told. */
  private BitSet originReadFor(String parent) {
    if (!parent.equals(originGrantor)) {
      return null;
    }
    synchronized (originRead) {
      return (BitSet) originRead.clone();
    }
  }

  /** A source's status granted the origin: take it, when allowed and the origin has ranges. */
  private void originGranted(ParentStatus s, String by) throws InterruptedException {
    if (originUrl == null || originSlice >= 0 || originProbed || !s.originGranted()) {
      return;
    }
    originProbed = true;
    boolean ranges;
    try {
      ranges = ctx.origin().probe(originUrl).acceptsRanges();
    } catch (io.swarmsched.agent.origin.OriginException e) {
      log.info(
          "{}: not reading the origin as a parent: its probe failed: {}", peerId, e.getMessage());
      return;
    }
    if (!ranges) {
      log.info("{}: not reading the origin as a parent: it does not announce ranges", peerId);
      return;
    }
    originSlices = s.originSlices();
    originSlice = s.originSlice();
    originGrantor = by;
    log.info(
        "{}: source {} granted the origin as a parent of last resort (slice {} of {})",
        peerId,
        by,
        originSlice,
        originSlices);
  }

  /**
   * Tells the planner what the origin may be asked for: its slice of {@code offered}. The origin
   * stands in for a source, so that is what the source parents offer (the pieces that have not left
   * them yet, verifiable) less what a source with upload to spare offers ({@link #hasRoom}), or,
   * with no source parent left (the seed has gone), every piece whose digest is known: pieces on
   * their way through the swarm are not read again. Only called once every digest is known (the
   * source has read the whole content): children reading the origin earlier slow the source's own
   * read, which the swarm waits on (the simulator's {@code seed-loss}: the seed then left with
   * fewer pieces read, and the run was slower).
   */
  private void updateOrigin(BitSet offered) {
    int slice = originSlice;
    int of = originSlices;
    if (slice < 0) {
      return;
    }
    BitSet holds = new BitSet();
    for (int p = offered.nextSetBit(0); p >= 0; p = offered.nextSetBit(p + 1)) {
      if (p % of == slice) {
        holds.set(p);
      }
    }
    synchronized (this) {
      if (originSlice >= 0) {
        planner.updateOrigin(ORIGIN, holds, 0, 0);
      }
    }
  }

  /**
   * Whether a source parent has upload to spare, by its last status: no limit, or sending less than
   * {@link #SOURCE_BUSY_SHARE} of it. A granted child reads from the origin only the pieces no such
   * source offers ({@link #updateOrigin}): a source with room sends them at once, and the origin is
   * worth its bytes only while every source that could send a piece is at its limit, which is what
   * the swarm then waits on. (Without this, a child beside a seed without a limit read about half
   * its pieces from the origin: the origin, of unknown capacity, weighs as much as the idle seed.)
   */
  static boolean hasRoom(long maxTx, long tx) {
    return maxTx <= 0 || tx < maxTx * SOURCE_BUSY_SHARE;
  }

  /** Reads every reachable parent's status once and passes it to the planner. */
  void refresh() throws InterruptedException {
    boolean news = digests.refresh();
    BitSet verifiable = digests.known();
    BitSet sourcesOffer = null; // what the source parents offer this round (null: none answered)
    BitSet withRoom = new BitSet(); // what a source parent with upload to spare offers
    for (Parent p : parents.values()) {
      if (p.unreachable) {
        continue;
      }
      try {
        ParentStatus s =
            ctx.parents().status(p.address, taskId, p.peerId, peerId, originReadFor(p.peerId));
        p.statusFailures.set(0);
        originGranted(s, p.peerId);
        BitSet holds = s.pieces();
        holds.and(verifiable); // a piece nobody can verify yet is not on offer
        p.lastHolds = holds;
        update(p.peerId, holds, s);
        if (s.source()) {
          sourcesOffer = sourcesOffer == null ? new BitSet() : sourcesOffer;
          sourcesOffer.or(holds);
          if (hasRoom(s.load().maxTx(), s.load().tx())) {
            withRoom.or(holds);
          }
        }
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
    if (verifiable.cardinality() == planner.pieceCount()) {
      // only once the source's copy is whole: until then its read of the origin goes first
      BitSet forOrigin = sourcesOffer != null ? sourcesOffer : verifiable;
      forOrigin.andNot(withRoom); // a source that can send them now does
      updateOrigin(forOrigin);
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
      p.source = s.source();
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
    synchronized (this) {
      // a status read that raced with replacing the parent must not hand it back to the planner
      if (parents.containsKey(parentId)) {
        planner.updateParent(
            parentId, holds, s.load().maxTx(), s.load().tx(), s.source(), otherIdc && slow);
      }
    }
  }

  /** A piece of {@code bytes} arrived from {@code parentId} in {@code nanos}: a link sample. */
  void fetched(String parentId, long bytes, long nanos) {
    Parent p = parents.get(parentId);
    if (p != null) {
      links.record(p.otherIdc, bytes, nanos, p.maxTx);
    }
  }

  /** A request for a piece went to {@code p}: while it is under way the parent is not idle. */
  void fetchStarted(Parent p) {
    p.fetching.incrementAndGet();
  }

  /**
   * The request to {@code p} was answered ({@code sentPiece}: with the piece's bytes) or failed. A
   * busy answer does not count as giving: a parent whose slots stay full is the idle kind.
   */
  void fetchEnded(Parent p, boolean sentPiece) {
    if (sentPiece) {
      p.lastGaveNanos = clock.getAsLong();
    }
    p.fetching.decrementAndGet();
  }

  /**
   * The parent to replace ({@code swarm.agent.replace.idle.parents}), or null: among the parents
   * that count towards the ones this child wants ({@link #givingParents}: usable, holding a piece
   * it lacks), one that is not a source, has no fetch under way and has sent it no piece for {@code
   * windowNanos} (counted from when it joined the pool); the one idle longest, ties by id. It holds
   * what the child needs but sends it nothing (its upload goes to others, or it is slow), while
   * finished or idle peers could; the seed's copy is never given up, since stage 2 asks it only for
   * what no other parent holds.
   */
  String idleParent(long windowNanos) {
    long now = clock.getAsLong();
    Set<String> keepOut = keepOut();
    Parent idlest = null;
    for (Parent p : parents.values()) {
      if (keepOut.contains(p.peerId)
          || p.source
          || p.fetching.get() > 0
          || now - p.lastGaveNanos < windowNanos) {
        continue;
      }
      if (idlest == null
          || p.lastGaveNanos < idlest.lastGaveNanos
          || (p.lastGaveNanos == idlest.lastGaveNanos && p.peerId.compareTo(idlest.peerId) < 0)) {
        idlest = p;
      }
    }
    return idlest == null ? null : idlest.peerId;
  }

  /**
   * Leaves {@code parentId} out of this round: the pool and the planner forget it (a fetch under
   * way is still reported). The dispatcher may offer it again later, as any other peer.
   */
  synchronized void replace(String parentId) {
    parents.remove(parentId);
    planner.removeParent(parentId);
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
   * A request for more parents that is due: the parents it names ({@link #keepOut}, and the one it
   * replaces) and the replaced parent (null when the child simply has fewer than it wants).
   */
  record Ask(Set<String> keepOut, String replaced) {}

  /**
   * The request for more parents due now, or null: one while the child has fewer giving parents
   * than {@code desired}; with all of them and {@code replaceIdle}, one that replaces an idle
   * parent ({@link #idleParent}) and names it, so the dispatcher does not offer it straight back
   * and its edge leaves the DAG.
   */
  Ask nextAsk(int desired, boolean replaceIdle, long windowNanos) {
    String idle = null;
    if (givingParents() >= desired) {
      idle = replaceIdle ? idleParent(windowNanos) : null;
      if (idle == null) {
        return null;
      }
    }
    Set<String> keepOut = keepOut();
    if (idle != null) {
      keepOut.add(idle);
    }
    return new Ask(Set.copyOf(keepOut), idle);
  }

  /**
   * Starts the status refresher and, when {@code every} is positive, the request for more parents:
   * every {@code everyMillis} while it has fewer giving parents than {@code desired}; with {@code
   * replaceIdle}, also when it has them all and one has been idle for {@code everyMillis} ({@link
   * #idleParent}): the request names that one, so the dispatcher offers another, and it leaves the
   * round once the new parents' statuses are read.
   */
  void start(
      ExecutorService pool, long everyMillis, int desired, boolean replaceIdle, MoreParents more) {
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
              Ask ask = nextAsk(desired, replaceIdle, everyMillis * 1_000_000L);
              if (ask == null) {
                continue;
              }
              List<ParentCandidate> offered = more.ask(ask.keepOut());
              int added = add(offered);
              if (added > 0) {
                refresh();
              }
              if (ask.replaced() != null) {
                // only now, with the new parents' pieces known: until then the planner still sees
                // the replaced one's, so a source is not asked for them in between
                replace(ask.replaced());
                log.info(
                    "{}: replaced parent {} (nothing from it for {} ms though it holds pieces"
                        + " missing here): {} offered, {} new",
                    peerId,
                    ask.replaced(),
                    everyMillis,
                    offered.size(),
                    added);
              } else {
                log.info(
                    "{}: asked for more parents: {} offered, {} new",
                    peerId,
                    offered.size(),
                    added);
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
