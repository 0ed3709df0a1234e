package io.swarmsched.agent.download;

import io.swarmsched.agent.download.DownloadEvents.From;
import io.swarmsched.agent.server.ParentClient.PieceAnswer;
import io.swarmsched.agent.server.ParentClient.Transfer;
import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.agent.storage.PieceVerificationException;
import io.swarmsched.scheduling.piece.PieceFetch;
import io.swarmsched.scheduling.piece.PiecePlanner;
import io.swarmsched.schemas.PieceSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The piece workers of one download round: each asks the {@link PiecePlanner} for the next fetch
 * (which piece, from which parent; endgame duplicates included), fetches it, verifies it against
 * the task metadata before writing it, and tells the planner how it went. When an endgame duplicate
 * wins, the other transfer of the piece is cancelled (its HTTP connection closed), so the slower
 * parent stops uploading bytes nobody needs.
 */
final class PieceWorkers {
  private static final Logger log = LoggerFactory.getLogger(PieceWorkers.class);
  private static final long BUSY_HOLD_MILLIS = 250;

  /** How a round ended. */
  enum End {
    COMPLETE,
    /** No piece verified (and no new digest) within the stall timeout. */
    STALLED,
    /** Every parent is dropped or unreachable and nothing is in flight. */
    NO_PARENTS,
    /**
     * A request for more parents was answered BACK_TO_SOURCE: the fetches in flight finish, and the
     * rest comes from the origin.
     */
    TO_SOURCE
  }

  private volatile boolean toSource;

  private final DownloadContext ctx;
  private final String taskId;
  private final String peerId;
  private final PieceFile file;
  private final PiecePlanner planner;
  private final ParentPool parents;
  private final PieceDigests digests;
  private final DownloadEvents events;
  private final DownloadProgress progress;
  private final AtomicLong lastProgress = new AtomicLong(System.nanoTime());
  private final Map<PieceFetch, Transfer> transfers = new ConcurrentHashMap<>();
  private final Map<PieceFetch, Long> startedAt = new ConcurrentHashMap<>();

  /** Pieces a worker is writing or has written, so two endgame copies are never both written. */
  private final Set<Integer> claimed = ConcurrentHashMap.newKeySet();

  private final AtomicInteger cancelled = new AtomicInteger();

  /**
   * Answers by kind, for the round's log line: what the parents said tells why a round was slow.
   */
  private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();

  private final long createdAt = System.nanoTime();
  private volatile long firstPieceAt;
  private final Object signal = new Object();

  PieceWorkers(
      DownloadContext ctx,
      String taskId,
      String peerId,
      PieceFile file,
      PiecePlanner planner,
      ParentPool parents,
      PieceDigests digests,
      DownloadEvents events,
      DownloadProgress progress) {
    this.ctx = ctx;
    this.taskId = taskId;
    this.peerId = peerId;
    this.file = file;
    this.planner = planner;
    this.parents = parents;
    this.digests = digests;
    this.events = events;
    this.progress = progress;
  }

  /** Something changed (a refresh, a piece done): idle workers ask the planner again. */
  void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  /** The round ends: each worker stops after its fetch in flight ({@link End#TO_SOURCE}). */
  void toSource() {
    toSource = true;
    wake();
  }

  /** Counts as progress: the stall clock starts again. */
  void progressed() {
    lastProgress.set(System.nanoTime());
  }

  /** Endgame transfers cancelled because another copy of their piece arrived first. */
  int cancelledTransfers() {
    return cancelled.get();
  }

  /** Runs {@code count} workers on {@code pool} until the round ends. */
  End run(ExecutorService pool, int count) throws DownloadException, InterruptedException {
    List<Future<End>> workers = new ArrayList<>();
    for (int w = 0; w < count; w++) {
      workers.add(pool.submit(this::work));
    }
    End end = End.COMPLETE;
    for (Future<End> w : workers) {
      try {
        End e = w.get();
        if (e != End.COMPLETE) {
          end = e;
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IOException io) {
          throw new DownloadException("cannot write " + file.path() + ": " + io.getMessage(), io);
        }
        throw new DownloadException("piece download failed: " + e.getCause(), e.getCause());
      }
    }
    End result = planner.complete() ? End.COMPLETE : toSource ? End.TO_SOURCE : end;
    log.info(
        "{}: round {} after {} ms (first piece after {} ms), answers {}, {} endgame transfers cancelled",
        peerId,
        result,
        (System.nanoTime() - createdAt) / 1_000_000,
        firstPieceAt == 0 ? -1 : (firstPieceAt - createdAt) / 1_000_000,
        new java.util.TreeMap<>(answers),
        cancelled.get());
    return result;
  }

  private End work() throws IOException, InterruptedException {
    long stallNanos = ctx.config().parentStallTimeout().toNanos();
    while (!planner.complete()) {
      if (toSource) {
        return End.TO_SOURCE;
      }
      if (System.nanoTime() - lastProgress.get() > stallNanos) {
        return End.STALLED;
      }
      if (planner.inFlightCount() == 0 && !parents.anyUsable()) {
        return End.NO_PARENTS;
      }
      expireSlowTransfers();
      Optional<PieceFetch> next = planner.next();
      if (next.isEmpty()) {
        synchronized (signal) {
          signal.wait(100);
        }
        continue;
      }
      fetch(next.get());
    }
    wake(); // the others may be waiting for a fetch that will never come
    return End.COMPLETE;
  }

  private void fetch(PieceFetch f) throws IOException, InterruptedException {
    if (f.parentId().equals(ParentPool.ORIGIN)) {
      fetchFromOrigin(f);
      return;
    }
    ParentPool.Parent parent = parents.get(f.parentId());
    String expected = digests.digest(f.piece());
    if (parent == null || expected == null) {
      // The pool only offers verifiable pieces of known parents; this is a race with a refresh.
      planner.released(f);
      Thread.sleep(20);
      return;
    }
    Transfer transfer = new Transfer();
    transfers.put(f, transfer);
    long start = System.nanoTime();
    startedAt.put(f, start);
    PieceAnswer answer = null;
    parents.fetchStarted(parent);
    try {
      answer =
          ctx.parents()
              .fetch(parent.address, taskId, f.piece(), file.layout().length(f.piece()), transfer);
    } finally {
      parents.fetchEnded(parent, answer instanceof PieceAnswer.Bytes);
      transfers.remove(f);
      startedAt.remove(f);
    }
    long costNanos = System.nanoTime() - start;
    long costMillis = costNanos / 1_000_000;
    if (log.isDebugEnabled()) {
      // One line per fetch (start, cost, answer): docs/benchmarks.md's per-second timelines of a
      // real swarm are built from these.
      log.debug(
          "{}: fetch piece {} from {} took {} ms: {} {} bytes",
          peerId,
          f.piece(),
          f.parentId(),
          costMillis,
          answer.getClass().getSimpleName(),
          answer instanceof PieceAnswer.Bytes b ? b.data().length : 0);
    }
    answers
        .computeIfAbsent(answer.getClass().getSimpleName(), k -> new AtomicInteger())
        .incrementAndGet();
    From from = new From(parent.peerId, parent.hostId);
    if (answer instanceof PieceAnswer.Bytes b) {
      if (!claimed.add(f.piece())) {
        planner.released(f); // the other endgame copy is being written
        return;
      }
      try {
        file.writeVerified(f.piece(), b.data(), expected);
      } catch (PieceVerificationException e) {
        claimed.remove(f.piece());
        parents.corrupted(parent.peerId);
        failed(f, from, b.data().length, costMillis, e.getMessage());
        return;
      }
      cancelEndgameLosers(f);
      parents.fetched(f.parentId(), b.data().length, costNanos);
      progress.addPeer(b.data().length);
      if (firstPieceAt == 0) {
        firstPieceAt = System.nanoTime();
      }
      progressed();
      events.pieceFinished(
          f.piece(), PieceSource.PARENT, from, b.data().length, costMillis, expected);
      wake();
    } else if (answer instanceof PieceAnswer.Busy) {
      // Its upload slots are full. The fetch stays in flight for a moment before it is released:
      // that holds one of this child's slots on the parent, so the planner sends the other workers
      // to
      // other parents and pieces instead of straight back to the busy one (measured: over a
      // thousand
      // 503s per child in a demo when the piece was released at once).
      Thread.sleep(BUSY_HOLD_MILLIS);
      planner.released(f);
    } else if (answer instanceof PieceAnswer.NotHeld) {
      planner.notHeld(f);
    } else if (answer instanceof PieceAnswer.Failed failure) {
      failed(f, from, 0, costMillis, failure.reason());
    } else {
      planner.released(f); // cancelled: the planner already counts the piece as held
    }
  }

  /**
   * A piece from the origin as a parent of last resort (ParentPool.allowOrigin): one ranged read,
   * verified against the digest the source published, as a parent's piece is. An origin that
   * answers a range with the whole body leaves the round (it is read once, by the source).
   */
  private void fetchFromOrigin(PieceFetch f) throws IOException, InterruptedException {
    String url = parents.originUrl();
    String expected = digests.digest(f.piece());
    if (url == null || expected == null) {
      planner.released(f);
      Thread.sleep(20);
      return;
    }
    long start = System.nanoTime();
    byte[] data = null;
    String error = null;
    try {
      var answer =
          ctx.origin()
              .requestRange(url, file.layout().offset(f.piece()), file.layout().length(f.piece()));
      if (answer instanceof io.swarmsched.agent.origin.OriginClient.RangeAnswer.Partial p) {
        data = p.bytes();
      } else {
        try {
          ((io.swarmsched.agent.origin.OriginClient.RangeAnswer.Whole) answer).body().close();
        } catch (IOException e) {
          // going away either way
        }
        parents.dropOrigin("it answered a range with the whole content");
        planner.released(f);
        return;
      }
    } catch (io.swarmsched.agent.origin.OriginException e) {
      error = e.getMessage();
    }
    long costMillis = (System.nanoTime() - start) / 1_000_000;
    answers.computeIfAbsent("Origin", k -> new AtomicInteger()).incrementAndGet();
    if (data == null) {
      failed(f, From.ORIGIN, 0, costMillis, error);
      return;
    }
    if (!claimed.add(f.piece())) {
      planner.released(f); // the other endgame copy is being written
      return;
    }
    try {
      file.writeVerified(f.piece(), data, expected);
    } catch (PieceVerificationException e) {
      claimed.remove(f.piece());
      failed(f, From.ORIGIN, data.length, costMillis, e.getMessage());
      return;
    }
    cancelEndgameLosers(f);
    parents.readFromOrigin(f.piece());
    progress.addOrigin(data.length);
    if (firstPieceAt == 0) {
      firstPieceAt = System.nanoTime();
    }
    progressed();
    events.pieceFinished(
        f.piece(), PieceSource.ORIGIN, From.ORIGIN, data.length, costMillis, expected);
    wake();
  }

  private void failed(PieceFetch f, From from, long bytes, long costMillis, String reason) {
    boolean dropped;
    // One decision under the planner's lock: a fetch from a parent that was dropped while it ran is
    // released unreported, so a bad parent costs at most maxParentFailures failures, whatever was
    // in flight.
    synchronized (planner) {
      if (planner.droppedParents().contains(f.parentId())) {
        planner.released(f);
        wake();
        return;
      }
      planner.failed(f);
      dropped = planner.droppedParents().contains(f.parentId());
    }
    events.pieceFailed(f.piece(), PieceSource.PARENT, from, bytes, costMillis, reason);
    if (dropped) {
      log.info(
          "{}: parent {} dropped after {} failed pieces (last: {})",
          peerId,
          f.parentId(),
          planner.params().maxParentFailures(),
          reason);
    }
    wake();
  }

  /** A transfer that outlasts the request timeout is cut and counted as a failure of its parent. */
  private void expireSlowTransfers() {
    long limit = ctx.config().requestTimeout().multipliedBy(4).toNanos();
    long now = System.nanoTime();
    startedAt.forEach(
        (f, at) -> {
          Transfer t = transfers.get(f);
          if (t != null && now - at > limit) {
            t.expire();
          }
        });
  }

  /** Cancels the other endgame transfers of {@code f}'s piece, which has just been written. */
  private void cancelEndgameLosers(PieceFetch f) {
    for (PieceFetch loser : planner.succeeded(f)) {
      Transfer t = transfers.get(loser);
      if (t != null) {
        t.cancel();
        cancelled.incrementAndGet();
        log.debug(
            "{}: piece {} arrived from {}; cancelled its transfer from {}",
            peerId,
            f.piece(),
            f.parentId(),
            loser.parentId());
      }
    }
  }
}
