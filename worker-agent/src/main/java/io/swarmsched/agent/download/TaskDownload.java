package io.swarmsched.agent.download;

import io.swarmsched.agent.AgentConfig;
import io.swarmsched.agent.origin.OriginClient;
import io.swarmsched.agent.storage.Digests;
import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.agent.storage.PieceLayout;
import io.swarmsched.scheduling.piece.PieceParams;
import io.swarmsched.scheduling.piece.PiecePlanner;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.TaskMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One download of one task by this agent, from scheduling to a verified file:
 *
 * <ol>
 *   <li>asks the dispatcher for parents (a schedule request) and waits for the decision;
 *   <li>on PARENTS, fetches pieces concurrently ({@link PieceWorkers}), each piece and parent
 *       chosen by stage 2 ({@link io.swarmsched.scheduling.piece.PiecePlanner}) from what the
 *       parents hold and their live load ({@link ParentPool}), verifying each against the task
 *       metadata before writing it; when the parents stall or all fail, it asks to be rescheduled
 *       with them on its blocklist;
 *   <li>on BACK_TO_SOURCE, fetches from the origin ({@link OriginFetch}), computes the piece
 *       digests and publishes the task metadata so others can verify what it serves; also when a
 *       request for more parents is answered BACK_TO_SOURCE (the dispatcher's copy-lost rule: the
 *       seed left before anyone finished), keeping the pieces it holds;
 *   <li>checks the whole digest when one was given, and reports every piece and lifecycle step.
 * </ol>
 *
 * Pieces already verified on disk (a restarted agent) are never fetched again.
 */
public final class TaskDownload {
  private static final Logger log = LoggerFactory.getLogger(TaskDownload.class);

  private final DownloadContext ctx;
  private final DownloadRequest request;
  private final String taskId;
  private final String peerId;
  private final DownloadProgress progress;
  private final DownloadEvents events;
  private PieceFile file;
  private boolean running;
  private int reschedules;
  private final AtomicInteger attempts = new AtomicInteger();

  /**
   * The reason of a BACK_TO_SOURCE answer to a request for more parents, or null: the round ends
   * and the rest comes from the origin.
   */
  private volatile String toSource;

  /** The current round's workers, told to stop when a request for more parents sends it away. */
  private volatile PieceWorkers roundWorkers;

  public TaskDownload(
      DownloadContext ctx, DownloadRequest request, String peerId, DownloadProgress progress) {
    this.ctx = ctx;
    this.request = request;
    this.taskId = request.taskId();
    this.peerId = peerId;
    this.progress = progress;
    this.events = new DownloadEvents(ctx, taskId, peerId, () -> file);
  }

  public static String newPeerId(String hostId, String taskId) {
    return hostId
        + "-"
        + taskId.substring(0, 8)
        + "-"
        + UUID.randomUUID().toString().substring(0, 8);
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
    events.peer(PeerEventType.REGISTERED, null);
    try {
      DownloadResult result = schedule();
      events.peer(PeerEventType.SUCCEEDED, null);
      ctx.completed(taskId);
      return result;
    } catch (DownloadException | RuntimeException e) {
      events.peer(PeerEventType.FAILED, e.getMessage());
      ctx.drop(taskId);
      closeFile();
      throw e;
    } catch (InterruptedException e) {
      events.peer(PeerEventType.LEFT, "interrupted");
      ctx.drop(taskId);
      closeFile();
      throw e;
    }
  }

  private DownloadResult schedule() throws DownloadException, InterruptedException {
    if (request.sourceGranted()) {
      return fromGrantedSource();
    }
    Set<String> blocklist = new LinkedHashSet<>();
    int maxReschedules = ctx.config().maxReschedules();
    for (int round = 0; ; round++) {
      boolean forceSource = request.needBackToSource() || round > maxReschedules;
      progress.phase("scheduling");
      ScheduleDecision decision = decide(blocklist, forceSource, round > 0);
      log.info(
          "{}: {} after {} ms ({} parents{})",
          peerId,
          decision.getOutcome(),
          (long) (progress.elapsedSeconds() * 1000),
          decision.getParents().size(),
          decision.getReason() == null ? "" : ", " + decision.getReason());
      switch (decision.getOutcome()) {
        case PARENTS -> {
          if (!running) {
            running = true;
            events.peer(PeerEventType.RUNNING, null);
          }
          Set<String> failed = fromParents(decision.getParents());
          if (failed == null) {
            return finish();
          }
          if (toSource != null) {
            log.info(
                "{}: sent back to source ({}) with {} of {} pieces; the rest from the origin",
                peerId,
                toSource,
                file.verifiedCount(),
                file.layout().pieceCount());
            events.peer(PeerEventType.BACK_TO_SOURCE, toSource);
            fetchFromOrigin();
            return finish();
          }
          blocklist.addAll(failed);
          reschedules++;
        }
        case BACK_TO_SOURCE -> {
          events.peer(PeerEventType.BACK_TO_SOURCE, decision.getReason());
          fetchFromOrigin();
          return finish();
        }
        case FAILED, REJECTED ->
            throw new DownloadException(
                "scheduling "
                    + decision.getOutcome()
                    + (decision.getReason() == null ? "" : ": " + decision.getReason()));
        default ->
            throw new DownloadException(
                "unexpected decision "
                    + decision.getOutcome()
                    + " for request "
                    + decision.getRequestId());
      }
    }
  }

  /**
   * A seed trigger: the dispatcher has already chosen this agent to fetch the task from the origin,
   * so the fetch starts now instead of after another decision. Under load a decision took 1-5 s to
   * reach the agent (docs/benchmarks.md, "Distribution on a real swarm"), and until the seed holds
   * pieces no child can start. The request still goes out: the dispatcher enrols the peer with it
   * and counts it among the task's back-to-source peers; the BACK_TO_SOURCE peer event after it
   * makes the peer a holder children can be given at once. The decision is only looked at
   * afterwards, to log one that disagrees.
   */
  private DownloadResult fromGrantedSource() throws DownloadException, InterruptedException {
    progress.phase("scheduling");
    CompletableFuture<ScheduleDecision> decision =
        ctx.schedule(scheduleRequest(Set.of(), true, false));
    events.peer(PeerEventType.BACK_TO_SOURCE, "SEED_TRIGGER");
    fetchFromOrigin();
    ScheduleDecision d = decision.getNow(null);
    if (d != null && d.getOutcome() != DecisionOutcome.BACK_TO_SOURCE) {
      log.warn(
          "{}: fetched from the origin on a seed trigger; the dispatcher answered its request {}{}",
          peerId,
          d.getOutcome(),
          d.getReason() == null ? "" : " (" + d.getReason() + ")");
    }
    return finish();
  }

  private void fetchFromOrigin() throws DownloadException, InterruptedException {
    new OriginFetch(
            ctx,
            request,
            peerId,
            progress,
            events,
            layout -> {
              openFile(layout);
              return file;
            })
        .run();
  }

  private ScheduleDecision decide(
      Set<String> blocklist, boolean needBackToSource, boolean reschedule)
      throws DownloadException, InterruptedException {
    ScheduleRequest req = scheduleRequest(blocklist, needBackToSource, reschedule);
    try {
      return ctx.schedule(req)
          .get(ctx.config().decisionTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new DownloadException(
          "no scheduling decision within "
              + ctx.config().decisionTimeout().toSeconds()
              + " s (is the dispatcher running?)");
    } catch (ExecutionException e) {
      throw new DownloadException("scheduling failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  private ScheduleRequest scheduleRequest(
      Set<String> blocklist, boolean needBackToSource, boolean reschedule) {
    return ScheduleRequest.newBuilder()
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
  }

  // ---- from parents ---------------------------------------------------------------------------

  /**
   * @return null when every piece is verified, else the parents to blocklist in the next request
   */
  private Set<String> fromParents(List<ParentCandidate> candidates)
      throws DownloadException, InterruptedException {
    progress.phase("waiting for task metadata");
    Optional<TaskMetadata> meta = ctx.awaitMetadata(taskId, ctx.config().metadataTimeout());
    if (meta.isEmpty()) {
      log.info(
          "{}: no metadata for task {} within {}; asking again",
          peerId,
          taskId,
          ctx.config().metadataTimeout());
      return new HashSet<>();
    }
    TaskMetadata m = meta.get();
    log.info("{}: task metadata after {} ms", peerId, (long) (progress.elapsedSeconds() * 1000));
    openFile(new PieceLayout(m.getContentLength(), m.getPieceLength()));
    if (file.complete()) {
      return null;
    }
    progress.phase("downloading from peers");
    AgentConfig config = ctx.config();
    PieceParams params =
        PieceParams.defaults()
            .withPerParentInFlight(config.parentConcurrency())
            .withSourceRoom(config.sourceRoomPercent() / 100.0);
    // Stage-2 choices are reproducible for a given peer.
    long seed =
        UUID.nameUUIDFromBytes(peerId.getBytes(StandardCharsets.UTF_8)).getMostSignificantBits();
    PiecePlanner planner =
        new PiecePlanner(file.layout().pieceCount(), file.verifiedPieces(), seed, params);
    PieceDigests digests = new PieceDigests(m, () -> ctx.metadata(taskId));
    AtomicReference<PieceWorkers> workers = new AtomicReference<>();
    ParentPool pool =
        new ParentPool(
            ctx,
            taskId,
            peerId,
            // without local-first, every parent counts as local (ParentPool: unknown IDC = local)
            ctx.config().idcLocalFirst() ? ctx.config().idc() : "",
            planner,
            digests,
            () -> workers.get().wake(),
            () -> workers.get().progressed(),
            new RemoteLinks(config.uploadSlots()),
            System::nanoTime);
    workers.set(
        new PieceWorkers(ctx, taskId, peerId, file, planner, pool, digests, events, progress));
    roundWorkers = workers.get();
    if (config.originAssist() > 0) {
      pool.allowOrigin(request.url()); // taken only when a source grants it (ParentPool)
    }
    pool.add(candidates);
    ExecutorService threads =
        Executors.newFixedThreadPool(
            config.downloadConcurrency() + 2,
            r -> {
              Thread t = new Thread(r, "download-" + peerId);
              t.setDaemon(true);
              return t;
            });
    PieceWorkers.End end;
    try {
      pool.refresh(); // know what the parents hold before the first choice
      pool.start(
          threads,
          config.parentRefreshInterval().toMillis(),
          config.desiredParents(),
          config.replaceIdleParents(),
          this::moreParents);
      end = workers.get().run(threads, config.downloadConcurrency());
    } finally {
      threads.shutdownNow();
      threads.awaitTermination(10, TimeUnit.SECONDS);
    }
    if (end == PieceWorkers.End.COMPLETE) {
      return null;
    }
    if (end == PieceWorkers.End.TO_SOURCE) {
      return Set.of();
    }
    Set<String> failed = pool.failed();
    if (failed.isEmpty()) {
      failed.addAll(pool.ids()); // they stalled: none had what is missing; ask for others
    }
    log.info(
        "{}: {} of {} pieces when the parents {}; rescheduling without {}",
        peerId,
        file.verifiedCount(),
        file.layout().pieceCount(),
        end == PieceWorkers.End.STALLED ? "stalled" : "all failed",
        failed);
    return failed;
  }

  /**
   * While a round has fewer usable parents than it wants: peers that started later may have pieces
   * by now.
   */
  private List<ParentCandidate> moreParents(Set<String> blocklist)
      throws DownloadException, InterruptedException {
    ScheduleDecision more = decide(blocklist, false, false);
    if (more.getOutcome() == DecisionOutcome.BACK_TO_SOURCE) {
      // the dispatcher has made this peer BACK_TO_SOURCE and taken its in-edges: its copy-lost rule
      // (nobody holds or reads the whole task any more) chose it to bring the rest from the origin
      toSource = more.getReason() == null ? "BACK_TO_SOURCE" : more.getReason();
      PieceWorkers w = roundWorkers;
      if (w != null) {
        w.toSource();
      }
      return List.of();
    }
    return more.getOutcome() == DecisionOutcome.PARENTS ? more.getParents() : List.of();
  }

  // ---- finishing ------------------------------------------------------------------------------

  private void openFile(PieceLayout layout) throws DownloadException {
    if (file != null) {
      if (file.layout().equals(layout)) {
        return;
      }
      throw new DownloadException(
          "task " + taskId + " changed layout from " + file.layout() + " to " + layout);
    }
    try {
      file = PieceFile.open(request.output(), layout, ctx.config().directIo());
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
      long t0 = System.nanoTime();
      file.sync();
      long t1 = System.nanoTime();
      String digest = file.contentDigest();
      log.info(
          "{}: held in full after {} ms; sync {} ms, whole-content digest {} ms",
          peerId,
          (long) (progress.elapsedSeconds() * 1000),
          (t1 - t0) / 1_000_000,
          (System.nanoTime() - t1) / 1_000_000);
      if (request.digest().isPresent()) {
        String expected = Digests.SHA256_PREFIX + Digests.parseSha256(request.digest().get());
        if (!expected.equals(digest)) {
          throw new DownloadException("digest mismatch: expected " + expected + ", got " + digest);
        }
      }
      progress.phase("done");
      return new DownloadResult(
          taskId,
          peerId,
          request.output(),
          file.layout().contentLength(),
          digest,
          progress.peerBytes(),
          progress.originBytes(),
          progress.resumedBytes(),
          reschedules,
          progress.elapsedSeconds());
    } catch (IOException e) {
      throw new DownloadException(
          "cannot read back " + request.output() + ": " + e.getMessage(), e);
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
}
