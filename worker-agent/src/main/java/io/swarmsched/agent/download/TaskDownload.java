package io.swarmsched.agent.download;

import io.swarmsched.agent.origin.OriginClient;
import io.swarmsched.agent.origin.OriginException;
import io.swarmsched.agent.server.ParentClient;
import io.swarmsched.agent.server.ParentClient.PieceAnswer;
import io.swarmsched.agent.stage2.ParentLoad;
import io.swarmsched.agent.stage2.PieceParentPicker;
import io.swarmsched.agent.storage.Digests;
import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.agent.storage.PieceLayout;
import io.swarmsched.agent.storage.PieceLengths;
import io.swarmsched.agent.storage.PieceVerificationException;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.TaskMetadata;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One download of one task by this agent, from scheduling to a verified file:
 *
 * <ol>
 *   <li>asks the dispatcher for parents (a schedule request) and waits for the decision;</li>
 *   <li>on PARENTS, fetches pieces concurrently, choosing a parent per piece by stage 2 with the
 *       parents' live load, verifying each against the task metadata before writing it; a bad
 *       piece blocklists its parent for that piece; when the parents stall or all fail, it asks
 *       to be rescheduled with them on its blocklist;</li>
 *   <li>on BACK_TO_SOURCE, fetches byte ranges from the origin, computes the piece digests and
 *       publishes the task metadata so others can verify what it serves;</li>
 *   <li>checks the whole digest when one was given, and reports every piece and lifecycle step.</li>
 * </ol>
 * Pieces already verified on disk (a restarted agent) are never fetched again.
 */
public final class TaskDownload {
  private static final Logger log = LoggerFactory.getLogger(TaskDownload.class);
  private static final int MAX_PARENT_FAILURES = 3;
  private static final int ORIGIN_RETRIES = 3;

  private final DownloadContext ctx;
  private final DownloadRequest request;
  private final String taskId;
  private final String peerId;
  private final DownloadProgress progress;
  private final SplittableRandom random;
  private PieceFile file;
  private boolean running;
  private int reschedules;
  private final AtomicInteger attempts = new AtomicInteger();

  public TaskDownload(DownloadContext ctx, DownloadRequest request, String peerId, DownloadProgress progress) {
    this.ctx = ctx;
    this.request = request;
    this.taskId = request.taskId();
    this.peerId = peerId;
    this.progress = progress;
    // Stage-2 choices are reproducible for a given peer.
    this.random = new SplittableRandom(UUID.nameUUIDFromBytes(peerId.getBytes()).getMostSignificantBits());
  }

  public static String newPeerId(String hostId, String taskId) {
    return hostId + "-" + taskId.substring(0, 8) + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public String taskId() {
    return taskId;
  }

  public String peerId() {
    return peerId;
  }

  public DownloadResult run() throws DownloadException, InterruptedException {
    try {
      OriginClient.checkUrl(request.url());
    } catch (IllegalArgumentException e) {
      throw new DownloadException(e.getMessage());
    }
    if (request.digest().isPresent()) {
      try {
        Digests.parseSha256(request.digest().get());
      } catch (IllegalArgumentException e) {
        throw new DownloadException(e.getMessage());
      }
    }
    peerEvent(PeerEventType.REGISTERED, null);
    try {
      DownloadResult result = schedule();
      peerEvent(PeerEventType.SUCCEEDED, null);
      ctx.completed(taskId);
      return result;
    } catch (DownloadException | RuntimeException e) {
      peerEvent(PeerEventType.FAILED, e.getMessage());
      ctx.drop(taskId);
      closeFile();
      throw e;
    } catch (InterruptedException e) {
      peerEvent(PeerEventType.LEFT, "interrupted");
      ctx.drop(taskId);
      closeFile();
      throw e;
    }
  }

  private DownloadResult schedule() throws DownloadException, InterruptedException {
    Set<String> blocklist = new LinkedHashSet<>();
    int maxReschedules = ctx.config().maxReschedules();
    for (int round = 0; ; round++) {
      boolean forceSource = request.needBackToSource() || round > maxReschedules;
      progress.phase("scheduling");
      ScheduleDecision decision = decide(blocklist, forceSource, round > 0);
      log.info("{}: {} after {} ms ({} parents{})", peerId, decision.getOutcome(),
          (long) (progress.elapsedSeconds() * 1000), decision.getParents().size(),
          decision.getReason() == null ? "" : ", " + decision.getReason());
      switch (decision.getOutcome()) {
        case PARENTS -> {
          if (!running) {
            running = true;
            peerEvent(PeerEventType.RUNNING, null);
          }
          Set<String> failed = fromParents(decision.getParents());
          if (failed == null) {
            return finish();
          }
          blocklist.addAll(failed);
          reschedules++;
        }
        case BACK_TO_SOURCE -> {
          peerEvent(PeerEventType.BACK_TO_SOURCE, decision.getReason());
          fromOrigin();
          return finish();
        }
        case FAILED, REJECTED -> throw new DownloadException("scheduling " + decision.getOutcome()
            + (decision.getReason() == null ? "" : ": " + decision.getReason()));
        default -> throw new DownloadException("unexpected decision " + decision.getOutcome() + " for request " + decision.getRequestId());
      }
    }
  }

  private ScheduleDecision decide(Set<String> blocklist, boolean needBackToSource, boolean reschedule)
      throws DownloadException, InterruptedException {
    ScheduleRequest req = ScheduleRequest.newBuilder()
        .setRequestId(peerId + ":" + attempts.getAndIncrement())
        .setTaskId(taskId)
        .setPeerId(peerId)
        .setHostId(ctx.config().hostId())
        .setUrl(request.url())
        .setDigest(request.digest().orElse(null))
        .setTag(request.tag())
        .setNeedBackToSource(needBackToSource)
        .setBlocklist(new ArrayList<>(blocklist))
        .setReschedule(reschedule)
        .setTimestamp(Instant.now())
        .build();
    try {
      return ctx.schedule(req).get(ctx.config().decisionTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new DownloadException("no scheduling decision within " + ctx.config().decisionTimeout().toSeconds()
          + " s (is the dispatcher running?)");
    } catch (ExecutionException e) {
      throw new DownloadException("scheduling failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  // ---- from parents ---------------------------------------------------------------------------

  private static final class Parent {
    final String peerId;
    final String hostId;
    final String address;
    volatile BitSet pieces = new BitSet();
    volatile ParentLoad load;
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    volatile boolean dead;

    Parent(ParentCandidate c) {
      this.peerId = c.getPeerId();
      this.hostId = c.getHostId();
      this.address = c.getPieceServerAddress();
      this.load = new ParentLoad(peerId, 0, 0);
    }
  }

  /** @return null when every piece is verified, else the parents to blocklist in the next request */
  private Set<String> fromParents(List<ParentCandidate> candidates) throws DownloadException, InterruptedException {
    progress.phase("waiting for task metadata");
    Optional<TaskMetadata> meta = ctx.awaitMetadata(taskId, ctx.config().metadataTimeout());
    if (meta.isEmpty()) {
      log.info("{}: no metadata for task {} within {}; asking again", peerId, taskId, ctx.config().metadataTimeout());
      return new HashSet<>();
    }
    TaskMetadata m = meta.get();
    log.info("{}: task metadata after {} ms", peerId, (long) (progress.elapsedSeconds() * 1000));
    openFile(new PieceLayout(m.getContentLength(), m.getPieceLength()));
    if (file.complete()) {
      return null;
    }
    progress.phase("downloading from peers");
    Map<String, Parent> parents = new ConcurrentHashMap<>();
    for (ParentCandidate c : candidates) {
      parents.put(c.getPeerId(), new Parent(c));
    }
    Map<Integer, Set<String>> blockedForPiece = new ConcurrentHashMap<>();
    Set<String> corrupting = ConcurrentHashMap.newKeySet();
    LinkedBlockingDeque<Integer> missing = new LinkedBlockingDeque<>(shuffledMissing());
    AtomicReference<TaskMetadata> latest = new AtomicReference<>(m);
    AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    AtomicReference<DownloadException> fatal = new AtomicReference<>();
    ExecutorService pool = Executors.newFixedThreadPool(ctx.config().downloadConcurrency() + 2, r -> {
      Thread t = new Thread(r, "download-" + peerId);
      t.setDaemon(true);
      return t;
    });
    long stallNanos = ctx.config().parentStallTimeout().toNanos();
    try {
      // Live load and holdings of every parent, refreshed about once a second.
      Future<?> refresher = pool.submit(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          for (Parent p : parents.values()) {
            if (p.dead) {
              continue;
            }
            try {
              ParentClient.ParentStatus s = ctx.parents().status(p.address, taskId, p.peerId);
              p.pieces = s.pieces();
              p.load = s.load();
            } catch (IOException e) {
              if (p.failures.incrementAndGet() >= MAX_PARENT_FAILURES) {
                p.dead = true;
              }
            } catch (InterruptedException e) {
              return;
            }
          }
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      // While it has fewer parents than it wants, ask for more: peers that started after this one's
      // first decision become parents as they get pieces, so the swarm does not all pull from the seed.
      pool.submit(() -> {
        long every = ctx.config().parentRefreshInterval().toMillis();
        while (!Thread.currentThread().isInterrupted() && every > 0) {
          try {
            Thread.sleep(every);
            long alive = parents.values().stream().filter(p -> !p.dead).count();
            if (alive >= ctx.config().desiredParents()) {
              continue;
            }
            ScheduleDecision more = decide(Set.copyOf(corrupting), false, false);
            if (more.getOutcome() == DecisionOutcome.PARENTS) {
              int before = parents.size();
              for (ParentCandidate c : more.getParents()) {
                parents.putIfAbsent(c.getPeerId(), new Parent(c));
              }
              log.info("{}: asked for more parents after {} ms: {} offered, {} new", peerId,
                  (long) (progress.elapsedSeconds() * 1000), more.getParents().size(), parents.size() - before);
            }
          } catch (InterruptedException e) {
            return;
          } catch (DownloadException e) {
            log.debug("{}: asking for more parents failed: {}", peerId, e.getMessage());
          }
        }
      });
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < ctx.config().downloadConcurrency(); w++) {
        workers.add(pool.submit(() -> {
          while (fatal.get() == null && !file.complete()) {
            if (System.nanoTime() - lastProgress.get() > stallNanos) {
              return null;
            }
            Integer piece = missing.poll(200, TimeUnit.MILLISECONDS);
            if (piece == null) {
              continue;
            }
            if (file.has(piece)) {
              continue;
            }
            String expected = digestOf(latest, piece, lastProgress);
            if (expected == null) {
              // The source peer has not published this piece's digest yet: nothing can verify it.
              missing.addLast(piece);
              Thread.sleep(50);
              continue;
            }
            Set<String> blocked = blockedForPiece.getOrDefault(piece, Set.of());
            List<ParentLoad> holders = new ArrayList<>();
            int perParent = ctx.config().parentConcurrency();
            for (Parent p : parents.values()) {
              // A bounded number of pieces in flight per parent: queueing more on a busy parent only
              // slows every piece down, while a piece from another parent may already be on offer.
              if (!p.dead && p.pieces.get(piece) && p.inFlight.get() < perParent) {
                holders.add(p.load);
              }
            }
            Optional<ParentLoad> choice;
            synchronized (random) {
              choice = PieceParentPicker.pick(holders, blocked, random);
            }
            if (choice.isEmpty()) {
              missing.addLast(piece);
              Thread.sleep(20);
              continue;
            }
            Parent parent = parents.get(choice.get().peerId());
            long start = System.nanoTime();
            PieceAnswer answer;
            parent.inFlight.incrementAndGet();
            try {
              answer = ctx.parents().fetch(parent.address, taskId, piece);
            } finally {
              parent.inFlight.decrementAndGet();
            }
            long costMillis = (System.nanoTime() - start) / 1_000_000;
            if (answer instanceof PieceAnswer.Bytes b) {
              try {
                file.writeVerified(piece, b.data(), expected);
                parent.failures.set(0);
                progress.addPeer(b.data().length);
                lastProgress.set(System.nanoTime());
                pieceEvent(piece, PieceOutcome.FINISHED, PieceSource.PARENT, parent, b.data().length, costMillis,
                    expected, null);
              } catch (PieceVerificationException e) {
                blockedForPiece.computeIfAbsent(piece, k -> ConcurrentHashMap.newKeySet()).add(parent.peerId);
                corrupting.add(parent.peerId);
                pieceEvent(piece, PieceOutcome.FAILED, PieceSource.PARENT, parent, b.data().length, costMillis, null, e.getMessage());
                missing.addFirst(piece);
              }
            } else if (answer instanceof PieceAnswer.Busy) {
              missing.addLast(piece);
              Thread.sleep(20);
            } else if (answer instanceof PieceAnswer.NotHeld) {
              BitSet updated = (BitSet) parent.pieces.clone();
              updated.clear(piece);
              parent.pieces = updated;
              missing.addLast(piece);
            } else if (answer instanceof PieceAnswer.Failed f) {
              if (parent.failures.incrementAndGet() >= MAX_PARENT_FAILURES) {
                parent.dead = true;
              }
              pieceEvent(piece, PieceOutcome.FAILED, PieceSource.PARENT, parent, 0, costMillis, null, f.reason());
              missing.addFirst(piece);
            }
          }
          return null;
        }));
      }
      for (Future<?> w : workers) {
        try {
          w.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof IOException io) {
            throw new DownloadException("cannot write " + request.output() + ": " + io.getMessage(), io);
          }
          throw new DownloadException("piece download failed: " + e.getCause(), e.getCause());
        }
      }
      refresher.cancel(true);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    if (file.complete()) {
      return null;
    }
    Set<String> failed = new HashSet<>(corrupting);
    parents.values().stream().filter(p -> p.dead).forEach(p -> failed.add(p.peerId));
    if (failed.isEmpty()) {
      // They stalled: none had what is missing. Ask for others.
      failed.addAll(parents.keySet());
    }
    log.info("{}: {} of {} pieces after parents stalled or failed; rescheduling without {}",
        peerId, file.verifiedCount(), file.layout().pieceCount(), failed);
    return failed;
  }

  /** The missing pieces in an order of this peer's own, so peers hold different pieces early and can trade. */
  private List<Integer> shuffledMissing() {
    List<Integer> missing = new ArrayList<>();
    BitSet have = file.verifiedPieces();
    for (int p = 0; p < file.layout().pieceCount(); p++) {
      if (!have.get(p)) {
        missing.add(p);
      }
    }
    synchronized (random) {
      for (int i = missing.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        Integer t = missing.get(i);
        missing.set(i, missing.get(j));
        missing.set(j, t);
      }
    }
    return missing;
  }

  /**
   * The digest of a piece from the newest task metadata, or null while the source peer has not
   * published it. Newly published digests count as progress, so waiting on a slow source is not
   * taken for stalled parents.
   */
  private String digestOf(AtomicReference<TaskMetadata> latest, int piece, AtomicLong lastProgress) {
    String d = knownDigest(latest.get(), piece);
    if (d != null) {
      return d;
    }
    Optional<TaskMetadata> newer = ctx.metadata(taskId);
    if (newer.isPresent() && newer.get() != latest.get()) {
      latest.set(newer.get());
      lastProgress.set(System.nanoTime());
    }
    return knownDigest(latest.get(), piece);
  }

  private static String knownDigest(TaskMetadata m, int piece) {
    if (m == null || piece >= m.getPieceDigests().size()) {
      return null;
    }
    String d = m.getPieceDigests().get(piece);
    return d == null || d.isEmpty() ? null : d;
  }

  // ---- from the origin ------------------------------------------------------------------------

  private void fromOrigin() throws DownloadException, InterruptedException {
    progress.phase("downloading from origin");
    Optional<TaskMetadata> known = ctx.awaitMetadata(taskId, Duration.ZERO);
    PieceLayout layout;
    if (known.isPresent()) {
      layout = new PieceLayout(known.get().getContentLength(), known.get().getPieceLength());
    } else {
      try {
        long length = ctx.origin().probe(request.url()).contentLength();
        int pieceLength = ctx.config().pieceLength() > 0 ? ctx.config().pieceLength() : PieceLengths.forContent(length);
        layout = new PieceLayout(length, pieceLength);
      } catch (OriginException e) {
        throw new DownloadException(e.getMessage(), e);
      }
    }
    openFile(layout);
    List<Integer> missing = new ArrayList<>();
    BitSet have = file.verifiedPieces();
    for (int p = 0; p < layout.pieceCount(); p++) {
      if (!have.get(p)) {
        missing.add(p);
      }
    }
    boolean authority = known.isEmpty() || known.get().getPieceDigests().stream().anyMatch(String::isEmpty);
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(ctx.config().downloadConcurrency(), Math.max(1, missing.size())) + 1, r -> {
      Thread t = new Thread(r, "origin-" + peerId);
      t.setDaemon(true);
      return t;
    });
    try {
      if (authority) {
        // Children verify against these digests; publishing them as pieces arrive lets them start
        // fetching from this peer before it has the whole content.
        pool.submit(() -> {
          int published = -1;
          while (!Thread.currentThread().isInterrupted()) {
            int now = file.verifiedCount();
            if (now != published) {
              publishMetadata(layout);
              published = now;
            }
            try {
              Thread.sleep(ctx.config().metadataPublishInterval().toMillis());
            } catch (InterruptedException e) {
              return;
            }
          }
        });
      }
      List<Future<?>> futures = new ArrayList<>();
      for (int piece : missing) {
        futures.add(pool.submit(() -> {
          originPiece(piece, layout, known);
          return null;
        }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof DownloadException de) {
            throw de;
          }
          throw new DownloadException(c.getMessage() == null ? c.toString() : c.getMessage(), c);
        }
      }
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
    if (authority) {
      publishMetadata(layout);
    }
  }

  private void publishMetadata(PieceLayout layout) {
    ctx.publish(TaskMetadata.newBuilder()
        .setTaskId(taskId)
        .setUrl(request.url())
        .setDigest(request.digest().orElse(null))
        .setTag(request.tag())
        .setContentLength(layout.contentLength())
        .setPieceLength(layout.pieceLength())
        .setPieceCount(layout.pieceCount())
        .setPieceDigests(file.digestsHex())
        .setSourceHostId(ctx.config().hostId())
        .setCreatedAt(Instant.now())
        .build());
  }

  private void originPiece(int piece, PieceLayout layout, Optional<TaskMetadata> known) throws Exception {
    OriginException last = null;
    for (int attempt = 0; attempt < ORIGIN_RETRIES; attempt++) {
      long start = System.nanoTime();
      try {
        byte[] bytes = ctx.origin().fetchRange(request.url(), layout.offset(piece), layout.length(piece));
        String digest = knownDigest(known.orElse(null), piece);
        if (digest != null) {
          file.writeVerified(piece, bytes, digest);
        } else {
          digest = file.writeFromOrigin(piece, bytes);
        }
        progress.addOrigin(bytes.length);
        pieceEvent(piece, PieceOutcome.FINISHED, PieceSource.ORIGIN, null, bytes.length,
            (System.nanoTime() - start) / 1_000_000, digest, null);
        return;
      } catch (OriginException e) {
        last = e;
        pieceEvent(piece, PieceOutcome.FAILED, PieceSource.ORIGIN, null, 0, (System.nanoTime() - start) / 1_000_000, null, e.getMessage());
        if (e.status() >= 400 && e.status() < 500) {
          break; // a 4xx will not get better by asking again
        }
      } catch (PieceVerificationException e) {
        throw new DownloadException("the origin's content no longer matches the task metadata: " + e.getMessage(), e);
      }
    }
    throw new DownloadException(last.getMessage(), last);
  }

  // ---- finishing ------------------------------------------------------------------------------

  private void openFile(PieceLayout layout) throws DownloadException {
    if (file != null) {
      if (file.layout().equals(layout)) {
        return;
      }
      throw new DownloadException("task " + taskId + " changed layout from " + file.layout() + " to " + layout);
    }
    try {
      file = PieceFile.open(request.output(), layout);
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      if (why.contains("No space left")) {
        throw new DownloadException("no space left on the device for " + request.output(), e);
      }
      throw new DownloadException("cannot open " + request.output() + ": " + why, e);
    }
    long resumed = 0;
    BitSet have = file.verifiedPieces();
    for (int p = have.nextSetBit(0); p >= 0; p = have.nextSetBit(p + 1)) {
      resumed += layout.length(p);
    }
    progress.total(layout.contentLength());
    progress.addResumed(resumed);
    ctx.hold(taskId, peerId, file, request.cacheOwned());
  }

  private DownloadResult finish() throws DownloadException {
    progress.phase("verifying");
    try {
      file.sync();
      String digest = file.contentDigest();
      if (request.digest().isPresent()) {
        String expected = Digests.SHA256_PREFIX + Digests.parseSha256(request.digest().get());
        if (!expected.equals(digest)) {
          throw new DownloadException("digest mismatch: expected " + expected + ", got " + digest);
        }
      }
      progress.phase("done");
      return new DownloadResult(taskId, peerId, request.output(), file.layout().contentLength(), digest,
          progress.peerBytes(), progress.originBytes(), progress.resumedBytes(), reschedules, progress.elapsedSeconds());
    } catch (IOException e) {
      throw new DownloadException("cannot read back " + request.output() + ": " + e.getMessage(), e);
    }
  }

  private void closeFile() {
    if (file != null) {
      try {
        file.close();
      } catch (IOException e) {
        log.warn("closing {} failed", request.output(), e);
      }
    }
  }

  private void peerEvent(PeerEventType type, String reason) {
    ctx.publish(PeerEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setTaskId(taskId)
        .setPeerId(peerId)
        .setHostId(ctx.config().hostId())
        .setType(type)
        .setPiecesFinished(file == null ? 0 : file.verifiedCount())
        .setPieceCount(file == null ? 0 : file.layout().pieceCount())
        .setContentLength(file == null ? -1 : file.layout().contentLength())
        .setReason(reason)
        .setTimestamp(Instant.now())
        .build());
  }

  private void pieceEvent(int piece, PieceOutcome outcome, PieceSource source, Parent parent, long bytes,
                          long costMillis, String digest, String failure) {
    ctx.publish(PieceEvent.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setTaskId(taskId)
        .setPeerId(peerId)
        .setHostId(ctx.config().hostId())
        .setPieceNumber(piece)
        .setOutcome(outcome)
        .setSource(source)
        .setParentPeerId(parent == null ? null : parent.peerId)
        .setParentHostId(parent == null ? null : parent.hostId)
        .setBytes(bytes)
        .setCostMillis(costMillis)
        .setDigest(digest)
        .setFailureReason(failure)
        .setTimestamp(Instant.now())
        .build());
  }
}
