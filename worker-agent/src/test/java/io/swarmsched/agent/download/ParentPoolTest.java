package io.swarmsched.agent.download;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.agent.server.ParentClient.ParentStatus;
import io.swarmsched.agent.stage2.ParentLoad;
import io.swarmsched.scheduling.piece.PieceFetch;
import io.swarmsched.scheduling.piece.PieceParams;
import io.swarmsched.scheduling.piece.PiecePlanner;
import io.swarmsched.schemas.ParentCandidate;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class ParentPoolTest {

  private static ParentCandidate candidate(String peerId) {
    return ParentCandidate.newBuilder()
        .setPeerId(peerId)
        .setHostId("host-" + peerId)
        .setPieceServerAddress("127.0.0.1:1")
        .setTotalScore(0)
        .setIdcAffinity(0)
        .setLocationAffinity(0)
        .setLoadQuality(0)
        .setHostTypeScore(0)
        .setPeakBandwidthUsage(0)
        .setBandwidthDurationRatio(0)
        .setConcurrentEfficiency(0)
        .build();
  }

  /** A pool for the child "child" of task "task", with no dispatcher, parents or digests. */
  private static ParentPool pool(String ownIdc, PiecePlanner planner, LongSupplier clock) {
    return new ParentPool(
        null,
        "task",
        "child",
        ownIdc,
        planner,
        null,
        () -> {},
        () -> {},
        new RemoteLinks(8),
        clock);
  }

  private static BitSet bits(int... pieces) {
    BitSet b = new BitSet();
    for (int p : pieces) {
      b.set(p);
    }
    return b;
  }

  @Test
  void aRequestForMoreParentsNamesParentsThatHoldNothingTheChildLacks() {
    BitSet have = bits(0, 1);
    // a parent that fails two pieces is dropped here
    PiecePlanner planner = new PiecePlanner(4, have, 1, new PieceParams(2, 2, true, true, true));
    ParentPool pool = pool("", planner, System::nanoTime);
    pool.add(List.of(candidate("behind"), candidate("ahead"), candidate("failing")));
    planner.updateParent("behind", bits(0, 1), 1 << 20, 0, false); // holds only what the child has
    planner.updateParent("failing", bits(2, 3), 1 << 20, 0, false);
    planner.failed(planner.next().orElseThrow());
    planner.failed(planner.next().orElseThrow());
    assertThat(planner.droppedParents()).containsExactly("failing");
    planner.updateParent("ahead", bits(0, 1, 2, 3), 1 << 20, 0, false);
    assertThat(pool.keepOut()).containsExactlyInAnyOrder("behind", "failing");
  }

  private static final long MiB = 1 << 20;

  private static BitSet all(int n) {
    BitSet b = new BitSet();
    b.set(0, n);
    return b;
  }

  private static ParentStatus status(String parentId, long maxTx, String idc) {
    return new ParentStatus(new BitSet(), 4, new ParentLoad(parentId, maxTx, 0), false, idc);
  }

  private static PiecePlanner planner() {
    return new PiecePlanner(4, new BitSet(), 1, PieceParams.defaults().withPerParentInFlight(4));
  }

  /**
   * Starts fetches until the planner has none to start (endgame copies included): piece -> the
   * parents asked for it.
   */
  private static Map<Integer, Set<String>> startEverything(PiecePlanner planner) {
    Map<Integer, Set<String>> from = new HashMap<>();
    for (Optional<PieceFetch> f = planner.next(); f.isPresent(); f = planner.next()) {
      from.computeIfAbsent(f.get().piece(), k -> new TreeSet<>()).add(f.get().parentId());
    }
    return from;
  }

  private static final Map<Integer, Set<String>> FAR_ONLY_FOR_PIECE_3 =
      Map.of(0, Set.of("near"), 1, Set.of("near"), 2, Set.of("near"), 3, Set.of("far"));

  /** Feeds a fast parent holding everything and a slow one holding pieces 0-2 through the pool. */
  private static Map<Integer, Set<String>> plan(String ownIdc, String farIdc, String nearIdc) {
    PiecePlanner planner = planner();
    ParentPool pool = pool(ownIdc, planner, System::nanoTime);
    pool.add(List.of(candidate("far"), candidate("near")));
    pool.update("far", all(4), status("far", 100 * MiB, farIdc));
    pool.update("near", bits(0, 1, 2), status("near", MiB, nearIdc));
    return startEverything(planner);
  }

  @Test
  void aParentInAnotherIdcIsAskedOnlyForPiecesNoParentInThisIdcHolds() {
    // "far" is idle, fast and holds everything, but only piece 3 is not held in the child's IDC
    assertThat(plan("dc-a", "dc-b", "dc-a")).isEqualTo(FAR_ONLY_FOR_PIECE_3);
    // IDC names compare as the scheduler's IDC affinity compares them: case does not matter
    assertThat(plan("DC-A", "dc-b", "dc-a")).isEqualTo(FAR_ONLY_FOR_PIECE_3);
  }

  @Test
  void anUnknownIdcOnEitherSideCountsAsLocalAsBefore() {
    PiecePlanner before = planner();
    before.updateParent("far", all(4), 100 * MiB, 0, false);
    before.updateParent("near", bits(0, 1, 2), MiB, 0, false);
    Map<Integer, Set<String>> asBefore = startEverything(before);
    // the fast parent takes pieces the slow local one also holds: neither counts as remote
    assertThat(asBefore).isNotEqualTo(FAR_ONLY_FOR_PIECE_3);
    assertThat(asBefore.get(0)).contains("far");

    assertThat(plan("", "dc-b", "dc-a")).as("own IDC unknown").isEqualTo(asBefore);
    assertThat(plan("dc-a", "", "dc-a")).as("the parent's IDC unknown").isEqualTo(asBefore);
    assertThat(plan("dc-a", "dc-a", "")).as("same IDC").isEqualTo(asBefore);
  }

  @Test
  void remoteOnlyWhenBothIdcsAreKnownAndDiffer() {
    assertThat(ParentPool.remote("dc-a", "dc-b")).isTrue();
    assertThat(ParentPool.remote("dc-a", "DC-A")).isFalse();
    assertThat(ParentPool.remote("", "dc-b")).isFalse();
    assertThat(ParentPool.remote("dc-a", "")).isFalse();
    assertThat(ParentPool.remote(null, "dc-b")).isFalse();
  }

  @Test
  void aParentInAnotherIdcIsPlannedAsLocalOnceItsFetchesKeepUp() {
    PiecePlanner planner = planner();
    ParentPool pool = pool("dc-a", planner, System::nanoTime);
    pool.add(List.of(candidate("far"), candidate("near")));
    pool.update("far", all(4), status("far", 100 * MiB, "dc-b"));
    pool.update("near", bits(0, 1, 2), status("near", MiB, "dc-a"));
    // three pieces from "far" at half its limit: the link between the IDCs is not what limits
    for (int i = 0; i < 3; i++) {
      pool.fetched("far", MiB, 20_000_000L);
    }
    pool.update("far", all(4), status("far", 100 * MiB, "dc-b"));
    Map<Integer, Set<String>> from = startEverything(planner);
    assertThat(from).isNotEqualTo(FAR_ONLY_FOR_PIECE_3);
    assertThat(from.get(0)).as("the fast parent takes local pieces too").contains("far");
  }

  @Test
  void aStarvedChildAsksForMoreParentsSooner() {
    assertThat(ParentPool.askDelayMillis(1, 2000)).isEqualTo(ParentPool.STARVED_ASK_MILLIS);
    assertThat(ParentPool.askDelayMillis(0, 2000)).isEqualTo(ParentPool.STARVED_ASK_MILLIS);
    assertThat(ParentPool.askDelayMillis(2, 2000)).isEqualTo(2000);
    assertThat(ParentPool.askDelayMillis(1, 100)).as("never later than asked").isEqualTo(100);
  }

  @Test
  void aSourceHasRoomForTheOriginsPiecesUnlessItSendsNearItsLimit() {
    assertThat(ParentPool.hasRoom(0, 50 * MiB)).as("no limit").isTrue();
    assertThat(ParentPool.hasRoom(4 * MiB, 0)).as("idle").isTrue();
    assertThat(ParentPool.hasRoom(4 * MiB, 2 * MiB)).as("at half its limit").isTrue();
    assertThat(ParentPool.hasRoom(4 * MiB, 3 * MiB)).as("at three quarters").isFalse();
    assertThat(ParentPool.hasRoom(4 * MiB, 4 * MiB)).as("at its limit").isFalse();
  }

  // ---- replacing an idle parent (swarm.agent.replace.idle.parents) ----------------------------

  private static final long WINDOW = 2_000_000_000L;

  private static ParentStatus status(String parentId, BitSet holds, boolean source) {
    return new ParentStatus(holds, 4, new ParentLoad(parentId, MiB, 0), source, "");
  }

  /**
   * A child holding pieces 0 and 1 of 4 with four parents added at t = 0: "seed" (a source) and
   * "slow", "other" and "busy", each holding pieces it lacks; "behind" holds nothing it lacks.
   */
  private static ParentPool idleSwarm(PiecePlanner planner, AtomicLong clock) {
    ParentPool pool = pool("", planner, clock::get);
    pool.add(
        List.of(
            candidate("seed"),
            candidate("slow"),
            candidate("other"),
            candidate("busy"),
            candidate("behind")));
    pool.update("seed", all(4), status("seed", all(4), true));
    pool.update("slow", bits(2, 3), status("slow", bits(2, 3), false));
    pool.update("other", bits(2), status("other", bits(2), false));
    pool.update("busy", bits(3), status("busy", bits(3), false));
    pool.update("behind", bits(0), status("behind", bits(0), false));
    return pool;
  }

  private static PiecePlanner halfDone() {
    return new PiecePlanner(4, bits(0, 1), 1, PieceParams.defaults());
  }

  @Test
  void theParentIdleLongestThatHoldsAPieceTheChildLacksIsTheOneToReplace() {
    AtomicLong clock = new AtomicLong();
    ParentPool pool = idleSwarm(halfDone(), clock);
    clock.set(WINDOW / 2);
    pool.fetchEnded(fetching(pool, "other"), true); // sent a piece at t = 1 s
    clock.set(WINDOW + WINDOW / 4);
    // "slow" and "busy" sent nothing since they joined at t = 0; the tie goes by id
    assertThat(pool.idleParent(WINDOW)).isEqualTo("busy");
    pool.fetchEnded(fetching(pool, "busy"), false); // answered busy: still sent nothing
    assertThat(pool.idleParent(WINDOW)).isEqualTo("busy");
    pool.fetchEnded(fetching(pool, "busy"), true);
    assertThat(pool.idleParent(WINDOW)).isEqualTo("slow");
    clock.set(3 * WINDOW);
    pool.fetchEnded(fetching(pool, "slow"), true);
    // at t = 6 s: "other" sent nothing since t = 1 s, "busy" since t = 2.5 s
    assertThat(pool.idleParent(WINDOW)).isEqualTo("other");
  }

  /** Starts a fetch from the parent, as a piece worker does, and returns the parent. */
  private static ParentPool.Parent fetching(ParentPool pool, String parentId) {
    ParentPool.Parent p = pool.get(parentId);
    pool.fetchStarted(p);
    return p;
  }

  @Test
  void neitherASourceNorAParentWithAFetchUnderWayNorOneWithNothingTheChildLacksIsReplaced() {
    AtomicLong clock = new AtomicLong();
    ParentPool pool = idleSwarm(halfDone(), clock);
    assertThat(pool.idleParent(WINDOW)).as("every parent had less than the window").isNull();
    clock.set(10 * WINDOW);
    fetching(pool, "slow");
    fetching(pool, "other");
    fetching(pool, "busy");
    // left: the seed (a source) and "behind" (holds only what the child has): neither is replaced
    assertThat(pool.idleParent(WINDOW)).isNull();
    pool.fetchEnded(pool.get("slow"), false); // its fetch failed: nothing under way, nothing sent
    assertThat(pool.idleParent(WINDOW)).isEqualTo("slow");
  }

  @Test
  void aChildWithAllTheParentsItWantsAsksForOneInsteadOfAnIdleParentAndNamesIt() throws Exception {
    AtomicLong clock = new AtomicLong();
    PiecePlanner planner = halfDone();
    ParentPool pool = idleSwarm(planner, clock);
    clock.set(WINDOW);
    fetching(pool, "other");
    fetching(pool, "busy");
    assertThat(pool.givingParents()).isEqualTo(4); // seed, slow, other, busy

    assertThat(pool.nextAsk(4, false, WINDOW)).as("rule off: all it wants, no request").isNull();

    ParentPool.Ask ask = pool.nextAsk(4, true, WINDOW);
    assertThat(ask.replaced()).isEqualTo("slow");
    assertThat(ask.keepOut()).containsExactlyInAnyOrder("slow", "behind");
    // it stays until the answer's parents are known, so a source is not asked for its pieces
    assertThat(planner.parentIds()).contains("slow");
    pool.replace(ask.replaced());
    assertThat(pool.ids()).doesNotContain("slow");
    assertThat(planner.parentIds()).doesNotContain("slow");
    // a status read that was under way when it was replaced does not hand it back to the planner
    pool.update("slow", bits(2, 3), status("slow", bits(2, 3), false));
    assertThat(planner.parentIds()).doesNotContain("slow");

    // now it has fewer than it wants: an ordinary request, which may bring "slow" back later
    ParentPool.Ask more = pool.nextAsk(4, true, WINDOW);
    assertThat(more.replaced()).isNull();
    assertThat(more.keepOut()).containsExactly("behind");
    assertThat(pool.add(List.of(candidate("slow")))).isEqualTo(1);
    assertThat(pool.idleParent(WINDOW)).as("back with a fresh window").isNull();
  }
}
