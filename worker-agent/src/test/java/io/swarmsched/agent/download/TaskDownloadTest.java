package io.swarmsched.agent.download;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.agent.AgentConfig;
import io.swarmsched.agent.origin.OriginServer;
import io.swarmsched.agent.storage.Digests;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.TaskMetadata;
import io.swarmsched.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One download against scripted parents and a real local origin, without a broker: stage 2's piece
 * order and seed protection as the agent applies them, a corrupt parent dropped, endgame
 * cancellation, and an origin without range support read once.
 */
class TaskDownloadTest {
  private static final int PIECE = 64 * 1024;
  private static final String URL = "http://origin.invalid/file.bin";

  @TempDir Path dir;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private static byte[][] pieces(int count, int seed) {
    byte[][] p = new byte[count][PIECE];
    Random r = new Random(seed);
    for (byte[] b : p) {
      r.nextBytes(b);
    }
    return p;
  }

  private static BitSet range(int from, int to) {
    BitSet b = new BitSet();
    b.set(from, to);
    return b;
  }

  private ScriptedParent parent(String id, byte[][] pieces, BitSet holds, boolean source)
      throws Exception {
    ScriptedParent p = new ScriptedParent(id, pieces, holds, source);
    toClose.add(p);
    return p;
  }

  private static TaskMetadata metadata(String taskId, byte[][] pieces) {
    List<String> digests = Arrays.stream(pieces).map(Digests::sha256Hex).toList();
    return TaskMetadata.newBuilder()
        .setTaskId(taskId)
        .setUrl(URL)
        .setDigest(null)
        .setTag("")
        .setContentLength((long) pieces.length * PIECE)
        .setPieceLength(PIECE)
        .setPieceCount(pieces.length)
        .setPieceDigests(digests)
        .setSourceHostId("seed-host")
        .setCreatedAt(Instant.now())
        .build();
  }

  private static ScheduleDecision decision(
      ScheduleRequest r, DecisionOutcome outcome, List<ParentCandidate> parents) {
    return ScheduleDecision.newBuilder()
        .setDecisionId(UUID.randomUUID().toString())
        .setRequestId(r.getRequestId())
        .setTaskId(r.getTaskId())
        .setPeerId(r.getPeerId())
        .setTargetHostId(r.getHostId())
        .setRequesterHostId(r.getHostId())
        .setOutcome(outcome)
        .setUrl(r.getUrl())
        .setPolicyId("scripted")
        .setParents(parents)
        .setDecidedAt(Instant.now())
        .build();
  }

  /** A dispatcher that offers these parents, less the request's blocklist. */
  private static Function<ScheduleRequest, ScheduleDecision> offering(ScriptedParent... parents) {
    return r ->
        decision(
            r,
            DecisionOutcome.PARENTS,
            Arrays.stream(parents)
                .filter(p -> !r.getBlocklist().contains(p.peerId))
                .map(
                    p ->
                        ParentCandidate.newBuilder()
                            .setPeerId(p.peerId)
                            .setHostId(p.peerId + "-host")
                            .setPieceServerAddress(p.address())
                            .setTotalScore(1)
                            .setIdcAffinity(0)
                            .setLocationAffinity(0)
                            .setLoadQuality(1)
                            .setHostTypeScore(0.5)
                            .setPeakBandwidthUsage(1)
                            .setBandwidthDurationRatio(1)
                            .setConcurrentEfficiency(1)
                            .build())
                .toList());
  }

  private DownloadResult download(FakeContext ctx, byte[][] pieces) throws Exception {
    String taskId = TaskIds.of(URL, null, "");
    ctx.metadata.set(metadata(taskId, pieces));
    TaskDownload d =
        new TaskDownload(
            ctx,
            DownloadRequest.of(URL, dir.resolve("out.bin")),
            "child-peer",
            new DownloadProgress());
    DownloadResult r = d.run();
    ByteBuffers.assertContent(dir.resolve("out.bin"), pieces);
    return r;
  }

  private static List<PieceEvent> finished(FakeContext ctx) {
    return ctx.pieceEvents.stream().filter(e -> e.getOutcome() == PieceOutcome.FINISHED).toList();
  }

  @Test
  void piecesComeRarestFirstAndTheSeedServesOnlyWhatNoOtherParentHolds() throws Exception {
    byte[][] pieces = pieces(16, 1);
    // a seed at its upload limit: one with upload to spare is asked like any peer (PieceParams
    // sourceRoom)
    ScriptedParent seed = parent("seed", pieces, range(0, 16), true).atLimit();
    ScriptedParent a = parent("a", pieces, range(0, 8), false);
    ScriptedParent b = parent("b", pieces, range(4, 12), false);
    // One worker: each choice is made with nothing else in flight, so the order is the planner's
    // alone.
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"),
            PIECE,
            Map.of(AgentConfig.DOWNLOAD_CONCURRENCY, "1"),
            offering(seed, a, b));

    download(ctx, pieces);

    // Held by the seed alone: 12-15; by one peer and the seed: 0-3, 8-11; by both peers and the
    // seed: 4-7.
    int[] holders = new int[16];
    for (int p = 0; p < 16; p++) {
      holders[p] = 1 + (p < 8 ? 1 : 0) + (p >= 4 && p < 12 ? 1 : 0);
    }
    List<Integer> order = finished(ctx).stream().map(PieceEvent::getPieceNumber).toList();
    assertThat(order).hasSize(16);
    for (int i = 1; i < order.size(); i++) {
      assertThat(holders[order.get(i)])
          .as("rarity of the piece fetched %d-th (order %s)", i, order)
          .isGreaterThanOrEqualTo(holders[order.get(i - 1)]);
    }
    assertThat(seed.served).containsExactlyInAnyOrder(12, 13, 14, 15);
    assertThat(a.served).allMatch(p -> p < 8);
    assertThat(b.served).allMatch(p -> p >= 4 && p < 12);
  }

  @Test
  void aParentInAnotherIdcServesOnlyWhatNoParentInTheChildsIdcHolds() throws Exception {
    byte[][] pieces = pieces(16, 7);
    // Were "far" local, its second upload slot would take pieces "near" also holds. It is slow
    // (about 1.3 s for its piece), so "near" has served its pieces before "far" is done: no endgame
    // copy is left for it either.
    ScriptedParent far = parent("far", pieces, range(0, 16), false).inIdc("dc-b").slow(20);
    ScriptedParent near = parent("near", pieces, range(0, 15), false).inIdc("DC-A");
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"), PIECE, Map.of(AgentConfig.IDC, "dc-a"), offering(far, near));

    download(ctx, pieces);

    assertThat(far.served).containsExactly(15);
    assertThat(near.served)
        .containsExactlyInAnyOrderElementsOf(range(0, 15).stream().boxed().toList());
  }

  @Test
  void withLocalFirstOffAParentInAnotherIdcIsAskedLikeALocalOne() throws Exception {
    byte[][] pieces = pieces(16, 7);
    ScriptedParent far = parent("far", pieces, range(0, 16), false).inIdc("dc-b").slow(20);
    ScriptedParent near = parent("near", pieces, range(0, 15), false).inIdc("DC-A");
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"),
            PIECE,
            Map.of(AgentConfig.IDC, "dc-a", AgentConfig.IDC_LOCAL_FIRST, "false"),
            offering(far, near));

    download(ctx, pieces);

    // From the first planning pass "far" gets its share of the pieces "near" holds too.
    assertThat(far.served).anyMatch(p -> p < 15);
  }

  @Test
  void piecesAreFetchedFromASourceWhileItIsStillFilling() throws Exception {
    byte[][] pieces = pieces(32, 6);
    ScriptedParent seed = parent("seed", pieces, new BitSet(), true);
    FakeContext ctx = new FakeContext(dir.resolve("agent"), PIECE, Map.of(), offering(seed));
    String taskId = TaskIds.of(URL, null, "");
    TaskMetadata full = metadata(taskId, pieces);
    List<String> published = new ArrayList<>(java.util.Collections.nCopies(32, ""));
    ctx.metadata.set(
        TaskMetadata.newBuilder(full).setPieceDigests(new ArrayList<>(published)).build());
    // The source gains its pieces one at a time and publishes each digest, as a back-to-source
    // peer does, but gains piece p only once the child has fetched piece p - 2: a child that waited
    // for the source to be complete would never let it fill, and the filler gives up (no wall-clock
    // threshold, so a loaded machine cannot fail the test by being slow).
    java.util.concurrent.atomic.AtomicInteger stalledAt =
        new java.util.concurrent.atomic.AtomicInteger(-1);
    Thread filler =
        new Thread(
            () -> {
              for (int p = 0; p < 32; p++) {
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (p >= 2 && !seed.served.contains(p - 2)) {
                  if (System.nanoTime() > deadline) {
                    stalledAt.set(p);
                    return;
                  }
                  try {
                    Thread.sleep(5);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
                seed.gain(p);
                published.set(p, full.getPieceDigests().get(p));
                ctx.metadata.set(
                    TaskMetadata.newBuilder(full)
                        .setPieceDigests(new ArrayList<>(published))
                        .build());
              }
            });
    filler.start();
    DownloadProgress progress = new DownloadProgress();
    var d =
        new TaskDownload(
            ctx, DownloadRequest.of(URL, dir.resolve("out.bin")), "child-peer", progress);
    d.run();
    filler.join();
    assertThat(stalledAt.get())
        .as("the piece the source could not gain because the child fetched nothing while it filled")
        .isEqualTo(-1);
    ByteBuffers.assertContent(dir.resolve("out.bin"), pieces);
  }

  @Test
  void aCorruptParentFailsAtMostThreePiecesAndIsDropped() throws Exception {
    byte[][] pieces = pieces(16, 2);
    ScriptedParent liar = parent("liar", pieces, range(0, 16), false).corrupt();
    // The good parent is a seed: the liar is preferred for every piece until it is dropped. The
    // seed is slow (5 ms per KiB, 320 ms a piece), so that the liar's answers are checked first: a
    // piece the seed delivered before the liar's copy arrived releases that copy unchecked, and on
    // a loaded machine the race gave the liar fewer than three failures.
    ScriptedParent seed = parent("seed", pieces, range(0, 16), true).slow(5);
    FakeContext ctx = new FakeContext(dir.resolve("agent"), PIECE, Map.of(), offering(liar, seed));

    DownloadResult r = download(ctx, pieces);

    List<PieceEvent> failures =
        ctx.pieceEvents.stream().filter(e -> e.getOutcome() == PieceOutcome.FAILED).toList();
    assertThat(failures)
        .hasSize(3)
        .allSatisfy(
            e -> {
              assertThat(e.getParentPeerId()).isEqualTo("liar");
              assertThat(e.getFailureReason()).contains("digest mismatch");
            });
    assertThat(finished(ctx))
        .hasSize(16)
        .allSatisfy(e -> assertThat(e.getParentPeerId()).isEqualTo("seed"));
    assertThat(r.reschedules()).isZero();
  }

  /**
   * A child that wants two parents gets the seed (at its upload limit) and "stuck" (which holds
   * every piece but answers every request busy), so it has all it wants and, since the seed is
   * asked only for what no other parent holds, nothing comes; every later decision offers whatever
   * the request does not blocklist, "spare" included. Returns the context, for its requests and
   * events.
   */
  private FakeContext downloadWithAStuckParent(Map<String, String> settings) throws Exception {
    byte[][] pieces = pieces(8, 5);
    ScriptedParent seed = parent("seed", pieces, range(0, 8), true).atLimit();
    ScriptedParent stuck = parent("stuck", pieces, range(0, 8), false).busy();
    spare = parent("spare", pieces, range(0, 8), false);
    Function<ScheduleRequest, ScheduleDecision> first = offering(seed, stuck);
    Function<ScheduleRequest, ScheduleDecision> later = offering(seed, stuck, spare);
    AtomicBoolean asked = new AtomicBoolean();
    Map<String, String> m = new HashMap<>(settings);
    m.put(AgentConfig.DESIRED_PARENTS, "2");
    m.put(AgentConfig.PARENT_REFRESH_INTERVAL, "1s");
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"),
            PIECE,
            m,
            r -> asked.getAndSet(true) ? later.apply(r) : first.apply(r));
    reschedules = download(ctx, pieces).reschedules();
    return ctx;
  }

  private ScriptedParent spare;
  private int reschedules;

  @Test
  void aParentThatHoldsWhatTheChildLacksButSendsNothingIsReplaced() throws Exception {
    FakeContext ctx = downloadWithAStuckParent(Map.of());

    assertThat(reschedules).as("replaced before the parents counted as stalled").isZero();
    ScheduleRequest replacing =
        ctx.requests.stream()
            .filter(q -> q.getBlocklist().contains("stuck"))
            .findFirst()
            .orElseThrow();
    assertThat(replacing.getReschedule()).isFalse();
    // "spare" carries the download (the seed may get endgame duplicates of the last pieces)
    assertThat(spare.served).isNotEmpty();
    assertThat(finished(ctx))
        .hasSize(8)
        .noneSatisfy(e -> assertThat(e.getParentPeerId()).isEqualTo("stuck"));
  }

  @Test
  void withReplacingOffAParentThatSendsNothingIsKeptUntilTheRoundStalls() throws Exception {
    FakeContext ctx = downloadWithAStuckParent(Map.of(AgentConfig.REPLACE_IDLE_PARENTS, "false"));

    // the round stalls (5 s here) and the reschedule blocklists both parents: "spare" serves then
    assertThat(reschedules).isEqualTo(1);
    assertThat(ctx.requests.get(1).getReschedule()).isTrue();
    assertThat(ctx.requests.get(1).getBlocklist()).containsExactlyInAnyOrder("seed", "stuck");
  }

  @Test
  void endgameFetchesTheLastPiecesTwiceAndCancelsTheSlowerTransfer() throws Exception {
    byte[][] pieces = pieces(4, 3);
    // 100 ms per KiB: a 64 KiB piece would take 6.4 s from it.
    ScriptedParent slow = parent("slow", pieces, range(0, 4), false).slow(100);
    // The fast parent sends nothing until the slow one has been asked for two pieces, so that the
    // first allocation does not depend on which parent's status or thread came first.
    ScriptedParent fast =
        parent("fast", pieces, range(0, 4), false).holdsBackUntil(() -> slow.served.size() >= 2);
    FakeContext ctx = new FakeContext(dir.resolve("agent"), PIECE, Map.of(), offering(fast, slow));

    download(ctx, pieces);

    // Two pieces per parent in flight: two went to the slow parent first, then to the fast one as
    // duplicates.
    // (A slot freed by a cancel may get the slow parent an endgame duplicate of the fast one's last
    // piece.)
    assertThat(slow.served).hasSizeBetween(2, 3);
    // No wall-clock limit: that no slow transfer completed (below) is what shows the download did
    // not wait the 6.4 s for one.
    assertThat(finished(ctx)).allSatisfy(e -> assertThat(e.getParentPeerId()).isEqualTo("fast"));
    Await.until(
        Duration.ofSeconds(5),
        "the slow parent to see every transfer cut",
        () -> slow.aborted.get() == slow.served.size());
    assertThat(slow.completed.get()).isZero();
  }

  // ---- the origin as a parent of last resort (swarm.agent.origin.assist) -----------------------

  /** An origin serving {@code pieces} as one file; {@code ranges}: whether it honours Range. */
  private OriginServer originOf(byte[][] pieces, boolean ranges) throws Exception {
    return originOf(pieces, ranges, 0);
  }

  /** As {@link #originOf(byte[][], boolean)}, sending at most {@code egress} bytes/s (0: any). */
  private OriginServer originOf(byte[][] pieces, boolean ranges, long egress) throws Exception {
    Path root = Files.createDirectories(dir.resolve("origin"));
    byte[] content = new byte[pieces.length * PIECE];
    for (int i = 0; i < pieces.length; i++) {
      System.arraycopy(pieces[i], 0, content, i * PIECE, PIECE);
    }
    Files.write(root.resolve("file.bin"), content);
    OriginServer origin = OriginServer.start(root, "127.0.0.1", 0, ranges, egress);
    toClose.add(origin);
    return origin;
  }

  /** Downloads {@code url} as a child of the context's parents; the metadata lists every digest. */
  private DownloadResult downloadFrom(FakeContext ctx, String url, byte[][] pieces)
      throws Exception {
    String taskId = TaskIds.of(url, null, "");
    ctx.metadata.set(TaskMetadata.newBuilder(metadata(taskId, pieces)).setUrl(url).build());
    DownloadResult r =
        new TaskDownload(
                ctx,
                DownloadRequest.of(url, dir.resolve("out.bin")),
                "child-peer",
                new DownloadProgress())
            .run();
    ByteBuffers.assertContent(dir.resolve("out.bin"), pieces);
    return r;
  }

  @Test
  void aChildGrantedTheOriginPullsFromItWhatTheSlowSeedHasNotSent() throws Exception {
    byte[][] pieces = pieces(16, 11);
    OriginServer origin = originOf(pieces, true);
    // 64 KiB at 10 ms a KiB: 0.64 s a piece from the seed, while the origin answers at once
    ScriptedParent seed =
        parent("seed", pieces, range(0, 16), true).slow(10).atLimit().grantsOrigin();
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"), PIECE, Map.of(AgentConfig.ORIGIN_ASSIST, "1"), offering(seed));

    DownloadResult r = downloadFrom(ctx, origin.url("file.bin"), pieces);

    assertThat(seed.statusChildren)
        .as("the child names itself to its source")
        .containsExactly("child-peer");
    List<PieceEvent> done = finished(ctx);
    long fromOrigin =
        done.stream()
            .filter(e -> e.getSource() == io.swarmsched.schemas.PieceSource.ORIGIN)
            .count();
    assertThat(done).hasSize(16);
    assertThat(fromOrigin).as("pieces the origin served").isPositive();
    assertThat(r.originBytes()).isEqualTo(fromOrigin * PIECE);
    assertThat(r.originBytes() + r.peerBytes()).isEqualTo(16L * PIECE);
    assertThat(origin.bytesServed())
        .as("the origin sent each of its pieces once (no whole-body reads)")
        .isEqualTo(r.originBytes());
    assertThat(seed.completed.get()).isLessThan(16);
  }

  @Test
  void aGrantedChildTellsItsSourceWhatItReadFromTheOrigin() throws Exception {
    byte[][] pieces = pieces(16, 19);
    // the origin sends 8 pieces a second, so the child reads its status several times meanwhile
    OriginServer origin = originOf(pieces, true, 8L * PIECE);
    ScriptedParent seed =
        parent("seed", pieces, range(0, 16), true).slow(10).atLimit().grantsOrigin();
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"),
            PIECE,
            Map.of(AgentConfig.ORIGIN_ASSIST, "1", AgentConfig.PARENT_REFRESH_INTERVAL, "100ms"),
            offering(seed));

    downloadFrom(ctx, origin.url("file.bin"), pieces);

    java.util.BitSet readFromOrigin = new java.util.BitSet();
    finished(ctx).stream()
        .filter(e -> e.getSource() == io.swarmsched.schemas.PieceSource.ORIGIN)
        .forEach(e -> readFromOrigin.set(e.getPieceNumber()));
    assertThat(readFromOrigin.isEmpty()).as("pieces read from the origin").isFalse();
    synchronized (seed.originReadReported) {
      // so the source counts them as sent and offers others (the last reads may end the download
      // before the next status read)
      assertThat(seed.originReadReported.isEmpty()).as("reported to the source").isFalse();
      java.util.BitSet extra = (java.util.BitSet) seed.originReadReported.clone();
      extra.andNot(readFromOrigin);
      assertThat(extra.isEmpty()).as("only pieces read from the origin: %s", extra).isTrue();
    }
  }

  @Test
  void aPeerHoldingThePieceIsAskedBeforeTheOrigin() throws Exception {
    byte[][] pieces = pieces(16, 12);
    OriginServer origin = originOf(pieces, true);
    ScriptedParent seed =
        parent("seed", pieces, range(0, 16), true).slow(10).atLimit().grantsOrigin();
    ScriptedParent peer = parent("peer", pieces, range(0, 12), false);
    // One worker: no endgame duplicate can start while a piece is in flight, so only the planner's
    // rule decides who serves what.
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"),
            PIECE,
            Map.of(AgentConfig.DOWNLOAD_CONCURRENCY, "1", AgentConfig.ORIGIN_ASSIST, "1"),
            offering(seed, peer));

    downloadFrom(ctx, origin.url("file.bin"), pieces);

    List<Integer> fromOrigin =
        finished(ctx).stream()
            .filter(e -> e.getSource() == io.swarmsched.schemas.PieceSource.ORIGIN)
            .map(PieceEvent::getPieceNumber)
            .toList();
    assertThat(fromOrigin).as("only pieces the peer lacks").allMatch(p -> p >= 12);
    assertThat(peer.served).hasSize(12);
  }

  @Test
  void aSourceWithUploadToSpareIsAskedInsteadOfTheOrigin() throws Exception {
    byte[][] pieces = pieces(16, 15);
    OriginServer origin = originOf(pieces, true);
    // slow, but its status says it sends nothing: it can take more, so the origin is not read
    ScriptedParent seed = parent("seed", pieces, range(0, 16), true).slow(1).grantsOrigin();
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"), PIECE, Map.of(AgentConfig.ORIGIN_ASSIST, "1"), offering(seed));

    DownloadResult r = downloadFrom(ctx, origin.url("file.bin"), pieces);

    assertThat(seed.statusChildren).contains("child-peer");
    assertThat(r.originBytes()).isZero();
    assertThat(r.peerBytes()).isEqualTo(16L * PIECE);
    assertThat(origin.requests()).as("the probe alone").isOne();
  }

  /**
   * The seed left before anyone finished: the child's one parent holds half the task and nobody
   * holds the rest. Its request for more parents is answered BACK_TO_SOURCE (the dispatcher's
   * copy-lost rule), and the child reads what it lacks from the origin at once, keeping what it
   * holds, instead of answering that decision with nothing and waiting out the stall timeout.
   */
  @Test
  void aRequestForMoreParentsAnsweredBackToSourceReadsTheRestFromTheOrigin() throws Exception {
    byte[][] pieces = pieces(16, 17);
    OriginServer origin = originOf(pieces, true);
    ScriptedParent half = parent("half", pieces, range(0, 8), false);
    Function<ScheduleRequest, ScheduleDecision> first = offering(half);
    AtomicBoolean asked = new AtomicBoolean();
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"),
            PIECE,
            Map.of(
                AgentConfig.DESIRED_PARENTS, "2",
                AgentConfig.PARENT_REFRESH_INTERVAL, "1s",
                AgentConfig.PARENT_STALL_TIMEOUT, "60s"),
            r ->
                asked.getAndSet(true)
                    ? ScheduleDecision.newBuilder(
                            decision(r, DecisionOutcome.BACK_TO_SOURCE, List.of()))
                        .setReason("COPY_LOST")
                        .build()
                    : first.apply(r));

    DownloadResult r = downloadFrom(ctx, origin.url("file.bin"), pieces);

    assertThat(ctx.requests).hasSize(2);
    assertThat(ctx.requests.get(1).getReschedule()).as("a request for more parents").isFalse();
    assertThat(ctx.requests.get(1).getNeedBackToSource()).isFalse();
    assertThat(r.reschedules()).as("no stall, no reschedule").isZero();
    assertThat(ctx.peerEvents.stream().map(PeerEvent::getType).toList())
        .containsExactly(
            PeerEventType.REGISTERED,
            PeerEventType.RUNNING,
            PeerEventType.BACK_TO_SOURCE,
            PeerEventType.SUCCEEDED);
    assertThat(ctx.peerEvents.get(2).getReason()).isEqualTo("COPY_LOST");
    assertThat(r.originBytes() + r.peerBytes()).isEqualTo(16L * PIECE);
    assertThat(r.originBytes())
        .as("at least what no parent held")
        .isGreaterThanOrEqualTo(8L * PIECE);
    assertThat(origin.bytesServed())
        .as("the origin sent only what the child lacked, once")
        .isEqualTo(r.originBytes());
    assertThat(half.served).as("what it held came from the parent").isNotEmpty();
    assertThat(ctx.sources).as("its copy is the swarm's source now").isNotEmpty();
  }

  @Test
  void withoutRangesOrWithoutAGrantTheOriginIsNotAParent() throws Exception {
    byte[][] pieces = pieces(8, 13);
    OriginServer origin = originOf(pieces, false);
    ScriptedParent seed = parent("seed", pieces, range(0, 8), true).grantsOrigin();
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"), PIECE, Map.of(AgentConfig.ORIGIN_ASSIST, "1"), offering(seed));

    downloadFrom(ctx, origin.url("file.bin"), pieces);

    assertThat(origin.requests())
        .as("the probe alone: the origin is read once, by the source")
        .isOne();
    assertThat(seed.served).hasSize(8);

    // and with the grant switched off on the child, the origin is not even probed
    byte[][] more = pieces(8, 14);
    ScriptedParent other = parent("other", more, range(0, 8), true).grantsOrigin();
    Path second = dir.resolve("second");
    FakeContext off =
        new FakeContext(
            second.resolve("agent"),
            PIECE,
            Map.of(AgentConfig.ORIGIN_ASSIST, "0"),
            offering(other));
    String url = "http://origin.invalid/other.bin";
    off.metadata.set(
        TaskMetadata.newBuilder(metadata(TaskIds.of(url, null, ""), more)).setUrl(url).build());
    new TaskDownload(
            off,
            DownloadRequest.of(url, second.resolve("out.bin")),
            "child-2",
            new DownloadProgress())
        .run();
    ByteBuffers.assertContent(second.resolve("out.bin"), more);
    assertThat(other.served).hasSize(8);
  }

  @Test
  void anOriginWithoutRangeSupportIsReadOnceAsOneStream() throws Exception {
    Path root = Files.createDirectories(dir.resolve("origin"));
    byte[] content = new byte[16 * PIECE + 1000];
    new Random(4).nextBytes(content);
    Files.write(root.resolve("norange.bin"), content);
    OriginServer origin = OriginServer.start(root, "127.0.0.1", 0, false);
    toClose.add(origin);
    String url = origin.url("norange.bin");
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"),
            PIECE,
            Map.of(),
            r -> decision(r, DecisionOutcome.BACK_TO_SOURCE, List.of()));

    DownloadResult r =
        new TaskDownload(
                ctx,
                DownloadRequest.of(url, dir.resolve("out.bin")),
                "source-peer",
                new DownloadProgress())
            .run();

    assertThat(Files.readAllBytes(dir.resolve("out.bin"))).isEqualTo(content);
    assertThat(r.originBytes()).isEqualTo(content.length);
    assertThat(origin.bytesServed()).as("bytes the origin sent").isEqualTo(content.length);
    assertThat(origin.requests()).as("a HEAD and one GET").isEqualTo(2);
    assertThat(ctx.sources)
        .as("its copy is a source for children")
        .containsExactly(TaskIds.of(url, null, ""));
    TaskMetadata m = ctx.metadata.get();
    assertThat(m.getPieceCount()).isEqualTo(17);
    assertThat(m.getPieceDigests()).noneMatch(String::isEmpty);
    assertThat(ctx.pieceEvents.stream().map(PieceEvent::getPieceNumber).collect(Collectors.toSet()))
        .hasSize(17);
  }

  @Test
  void anOriginWithRangesIsReadPieceByPieceAndStillOnce() throws Exception {
    Path root = Files.createDirectories(dir.resolve("origin"));
    byte[] content = new byte[8 * PIECE];
    new Random(5).nextBytes(content);
    Files.write(root.resolve("ranged.bin"), content);
    OriginServer origin = OriginServer.start(root, "127.0.0.1", 0, true);
    toClose.add(origin);
    String url = origin.url("ranged.bin");
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"),
            PIECE,
            Map.of(),
            r -> decision(r, DecisionOutcome.BACK_TO_SOURCE, List.of()));

    new TaskDownload(
            ctx,
            DownloadRequest.of(url, dir.resolve("out.bin")),
            "source-peer",
            new DownloadProgress())
        .run();

    assertThat(Files.readAllBytes(dir.resolve("out.bin"))).isEqualTo(content);
    assertThat(origin.bytesServed()).isEqualTo(content.length);
    assertThat(origin.requests()).as("a HEAD and one range per piece").isEqualTo(1 + 8);
  }

  @Test
  void aSeedTriggerFetchesFromTheOriginWithoutWaitingForItsOwnDecision() throws Exception {
    Path root = Files.createDirectories(dir.resolve("origin"));
    byte[] content = new byte[8 * PIECE];
    new Random(6).nextBytes(content);
    Files.write(root.resolve("seeded.bin"), content);
    OriginServer origin = OriginServer.start(root, "127.0.0.1", 0, true);
    toClose.add(origin);
    String url = origin.url("seeded.bin");
    String taskId = TaskIds.of(url, null, "");
    // a dispatcher whose answer never arrives: the trigger was the decision that counts
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"), PIECE, Map.of(AgentConfig.DECISION_TIMEOUT, "2s"), r -> null);

    DownloadResult r =
        new TaskDownload(
                ctx,
                DownloadRequest.seedTrigger(url, dir.resolve("seed.bin"), Optional.empty(), taskId),
                "seed-peer",
                new DownloadProgress())
            .run();

    assertThat(Files.readAllBytes(dir.resolve("seed.bin"))).isEqualTo(content);
    assertThat(r.originBytes()).isEqualTo(content.length);
    assertThat(ctx.requests)
        .as("the request that enrols the peer still goes out, asking for the origin")
        .singleElement()
        .satisfies(q -> assertThat(q.getNeedBackToSource()).isTrue());
    assertThat(ctx.peerEvents.stream().map(PeerEvent::getType).toList())
        .containsExactly(
            PeerEventType.REGISTERED, PeerEventType.BACK_TO_SOURCE, PeerEventType.SUCCEEDED);
    assertThat(ctx.peerEvents.get(1).getReason()).isEqualTo("SEED_TRIGGER");
    assertThat(ctx.sources).containsExactly(taskId);
  }

  @Test
  void theFirstOriginPiecesArePublishedAsSoonAsTheyAreHeld() throws Exception {
    Path root = Files.createDirectories(dir.resolve("origin"));
    byte[] content = new byte[16 * PIECE];
    new Random(7).nextBytes(content);
    Files.write(root.resolve("slow.bin"), content);
    // 4 pieces a second after the first second's burst: the fetch takes about 3 s
    OriginServer origin = OriginServer.start(root, "127.0.0.1", 0, true, 4L * PIECE);
    toClose.add(origin);
    String url = origin.url("slow.bin");
    // an interval longer than the whole fetch: only the first pieces' own publication can
    // show them before the end
    FakeContext ctx =
        new FakeContext(
            dir.resolve("agent"),
            PIECE,
            Map.of(AgentConfig.METADATA_PUBLISH_INTERVAL, "60s"),
            q -> decision(q, DecisionOutcome.BACK_TO_SOURCE, List.of()));

    new TaskDownload(
            ctx,
            DownloadRequest.of(url, dir.resolve("out.bin")),
            "source-peer",
            new DownloadProgress())
        .run();

    List<Long> digestsPublished =
        ctx.published.stream()
            .map(m -> m.getPieceDigests().stream().filter(d -> !d.isEmpty()).count())
            .toList();
    assertThat(digestsPublished.get(0)).as("the layout goes out first, before any piece").isZero();
    assertThat(digestsPublished)
        .as("a publication with the first pieces, long before the interval and the last piece")
        .anyMatch(n -> n > 0 && n < 16);
    assertThat(digestsPublished.get(digestsPublished.size() - 1)).isEqualTo(16);
  }
}
