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
    ParentPool pool =
        new ParentPool(
            null, "task", "child", "", planner, null, () -> {}, () -> {}, new RemoteLinks(8));
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
    ParentPool pool =
        new ParentPool(
            null, "task", "child", ownIdc, planner, null, () -> {}, () -> {}, new RemoteLinks(8));
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
    ParentPool pool =
        new ParentPool(
            null, "task", "child", "dc-a", planner, null, () -> {}, () -> {}, new RemoteLinks(8));
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
}
