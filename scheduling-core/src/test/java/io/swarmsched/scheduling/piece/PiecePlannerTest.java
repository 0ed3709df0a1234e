package io.swarmsched.scheduling.piece;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PiecePlannerTest {

  private static final long MiB = 1 << 20;

  private static BitSet bits(int... pieces) {
    BitSet b = new BitSet();
    for (int p : pieces) {
      b.set(p);
    }
    return b;
  }

  private static BitSet all(int n) {
    BitSet b = new BitSet();
    b.set(0, n);
    return b;
  }

  @Test
  void fetchesTheRarestPieceFirst() {
    PiecePlanner planner = new PiecePlanner(4, new BitSet(), 7, PieceParams.defaults());
    planner.updateParent("a", bits(0, 1, 2), 10 * MiB, 0, false);
    planner.updateParent("b", bits(0, 1, 3), 10 * MiB, 0, false);
    planner.updateParent("c", bits(0, 1), 10 * MiB, 0, false);
    // pieces 2 and 3 have one holder each, piece 0 and 1 three: the two rare ones go first
    PieceFetch first = planner.next().orElseThrow();
    PieceFetch second = planner.next().orElseThrow();
    assertThat(List.of(first.piece(), second.piece())).containsExactlyInAnyOrder(2, 3);
    assertThat(first.duplicate()).isFalse();
  }

  @Test
  void withoutRarestFirstTheChildsOwnOrderDecides() {
    PiecePlanner planner =
        new PiecePlanner(
            8,
            new BitSet(),
            7,
            PieceParams.defaults().withRarestFirst(false).withPerParentInFlight(8));
    planner.updateParent("a", all(8), 10 * MiB, 0, false);
    planner.updateParent("b", bits(5), 10 * MiB, 0, false);
    List<Integer> got = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      got.add(planner.next().orElseThrow().piece());
    }
    assertThat(got).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void asksASourceOnlyForPiecesNoOtherParentHolds() {
    PiecePlanner planner =
        new PiecePlanner(4, new BitSet(), 1, PieceParams.defaults().withPerParentInFlight(4));
    // a seed at its upload limit (one with room to spare is asked like a peer: below)
    planner.updateParent("seed", all(4), 100 * MiB, 100 * MiB, true);
    planner.updateParent("peer", bits(0, 1), 1 * MiB, 0, false);
    Map<Integer, String> from = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      PieceFetch f = planner.next().orElseThrow();
      from.put(f.piece(), f.parentId());
    }
    // the seed has the larger share to spare, but the peer holds 0 and 1, so the seed serves only
    // 2 and 3
    assertThat(from)
        .containsEntry(0, "peer")
        .containsEntry(1, "peer")
        .containsEntry(2, "seed")
        .containsEntry(3, "seed");
  }

  @Test
  void aBusyPlainHolderIsWaitedForRatherThanAskingTheSource() {
    PiecePlanner planner =
        new PiecePlanner(2, new BitSet(), 1, PieceParams.defaults().withPerParentInFlight(1));
    planner.updateParent("seed", all(2), 100 * MiB, 90 * MiB, true);
    planner.updateParent("peer", all(2), 1 * MiB, 0, false);
    PieceFetch first = planner.next().orElseThrow();
    assertThat(first.parentId()).isEqualTo("peer");
    assertThat(planner.next()).as("the peer's only slot is taken; the seed is not asked").isEmpty();
    planner.succeeded(first);
    assertThat(planner.next().orElseThrow().parentId()).isEqualTo("peer");
  }

  // ---- the origin as a parent of last resort (updateOrigin) ------------------------------------

  @Test
  void asksTheOriginOnlyForPiecesNoOtherUsableParentHolds() {
    PiecePlanner planner =
        new PiecePlanner(4, new BitSet(), 1, PieceParams.defaults().withPerParentInFlight(4));
    planner.updateOrigin("origin", all(4), 100 * MiB, 0);
    planner.updateParent("peer", bits(0, 1), 1 * MiB, 0, false);
    Map<Integer, String> from = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      PieceFetch f = planner.next().orElseThrow();
      from.put(f.piece(), f.parentId());
    }
    // the origin is far less loaded, but the peer holds 0 and 1, so the origin serves only 2 and 3
    assertThat(from)
        .containsEntry(0, "peer")
        .containsEntry(1, "peer")
        .containsEntry(2, "origin")
        .containsEntry(3, "origin");
  }

  @Test
  void aBusyPeerIsWaitedForRatherThanAskingTheOrigin() {
    PiecePlanner planner =
        new PiecePlanner(2, new BitSet(), 1, PieceParams.defaults().withPerParentInFlight(1));
    planner.updateOrigin("origin", all(2), 100 * MiB, 0);
    planner.updateParent("peer", all(2), 1 * MiB, 0, false);
    PieceFetch first = planner.next().orElseThrow();
    assertThat(first.parentId()).isEqualTo("peer");
    assertThat(planner.next())
        .as("the peer's only slot is taken; the origin is not asked")
        .isEmpty();
  }

  @Test
  void aPieceOnlyTheOriginHoldsComesAfterEveryPieceAnotherParentCanServe() {
    PiecePlanner planner =
        new PiecePlanner(4, new BitSet(), 1, PieceParams.defaults().withPerParentInFlight(4));
    planner.updateOrigin("origin", all(4), 100 * MiB, 0);
    planner.updateParent("a", bits(0), 1 * MiB, 0, false);
    planner.updateParent("b", bits(0, 1), 1 * MiB, 0, false);
    // rarity counts a and b only: 1 (one holder) before 0 (two), and 2, 3 (the origin's alone) last
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      order.add(planner.next().orElseThrow().piece());
    }
    assertThat(order.subList(0, 2)).containsExactly(1, 0);
    assertThat(order.subList(2, 4)).containsExactlyInAnyOrder(2, 3);
  }

  @Test
  void betweenASeedAndTheOriginBothAreSourcesChosenBySpareCapacity() {
    Map<String, Integer> counts = new HashMap<>();
    for (int seed = 0; seed < 200; seed++) {
      PiecePlanner planner = new PiecePlanner(1, new BitSet(), seed, PieceParams.defaults());
      planner.updateParent("seed", all(1), 10 * MiB, 10 * MiB, true); // busy: weight 1 MiB
      planner.updateOrigin("origin", all(1), 10 * MiB, 0); // idle: weight 10 MiB
      planner.updateParent("peer", new BitSet(), 10 * MiB, 0, false);
      counts.merge(planner.next().orElseThrow().parentId(), 1, Integer::sum);
    }
    assertThat(counts.getOrDefault("origin", 0)).isGreaterThan(counts.getOrDefault("seed", 0) * 4);
    assertThat(counts.getOrDefault("seed", 0)).isPositive();
  }

  @Test
  void theOriginTakesOverWhatALeavingSeedNeverSent() {
    PiecePlanner planner =
        new PiecePlanner(4, bits(0, 1), 1, PieceParams.defaults().withPerParentInFlight(4));
    planner.updateParent("seed", bits(2, 3), 10 * MiB, 0, true);
    planner.updateOrigin("origin", bits(2, 3), 0, 0);
    planner.updateParent("peer", bits(0, 1), 10 * MiB, 0, false);
    planner.removeParent("seed"); // it left: only the origin holds 2 and 3
    List<String> from = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      from.add(planner.next().orElseThrow().parentId());
    }
    assertThat(from).containsOnly("origin");
  }

  @Test
  void theOriginDoesNotCountTowardsRarity() {
    PiecePlanner planner =
        new PiecePlanner(2, new BitSet(), 1, PieceParams.defaults().withPerParentInFlight(1));
    planner.updateParent("a", bits(0, 1), 1 * MiB, 0, false);
    planner.updateParent("b", bits(1), 1 * MiB, 0, false);
    planner.updateOrigin("origin", bits(0), 1 * MiB, 0);
    // with the origin counted, both pieces would have two holders; without, piece 0 is the rarer
    assertThat(planner.next().orElseThrow().piece()).isEqualTo(0);
    assertThat(planner.wants("origin")).isTrue();
  }

  @Test
  void asksAParentInAnotherIdcOnlyForPiecesNoLocalParentHolds() {
    PiecePlanner planner =
        new PiecePlanner(4, new BitSet(), 1, PieceParams.defaults().withPerParentInFlight(4));
    planner.updateParent("far", all(4), 100 * MiB, 0, false, true);
    planner.updateParent("near", bits(0, 1, 2), 1 * MiB, 0, false, false);
    // the remote parent is idle and holds everything, but only piece 3 is not held nearby
    assertThat(startEverything(planner))
        .isEqualTo(Map.of(0, "near", 1, "near", 2, "near", 3, "far"));
  }

  /** Starts fetches until the planner has none to start: piece -> parent. */
  private static Map<Integer, String> startEverything(PiecePlanner planner) {
    Map<Integer, String> from = new HashMap<>();
    for (Optional<PieceFetch> f = planner.next(); f.isPresent(); f = planner.next()) {
      from.put(f.get().piece(), f.get().parentId());
    }
    return from;
  }

  @Test
  void boundsFetchesInFlightFromOtherIdcsAllTogether() {
    PiecePlanner planner =
        new PiecePlanner(
            6,
            new BitSet(),
            3,
            PieceParams.defaults().withPerParentInFlight(4).withRemoteInFlight(2));
    planner.updateParent("far-a", all(6), 100 * MiB, 0, false, true);
    planner.updateParent("far-b", all(6), 100 * MiB, 0, false, true);
    planner.updateParent("seed", all(6), 100 * MiB, 0, true, true);
    PieceFetch one = planner.next().orElseThrow();
    planner.next().orElseThrow();
    // two remote fetches in flight: nothing more starts, though every parent has free slots
    assertThat(planner.next()).isEmpty();
    planner.succeeded(one);
    assertThat(planner.next()).isPresent();
    assertThat(planner.next()).isEmpty();
  }

  @Test
  void aRemotePeerIsAskedBeforeALocalSource() {
    PiecePlanner planner = new PiecePlanner(1, new BitSet(), 5, PieceParams.defaults());
    planner.updateParent("seed", all(1), 100 * MiB, 100 * MiB, true, false);
    planner.updateParent("far", all(1), 1 * MiB, 0, false, true);
    assertThat(planner.next().orElseThrow().parentId()).isEqualTo("far");
  }

  @Test
  void aSourceWithUploadToSpareIsAskedLikeAPeer() {
    // Every piece has left the seed (its offer is its second round) and the peers holding them are
    // busy: a seed sending under 3/4 of its limit is weighed with the peers, not kept for last.
    PieceParams room = PieceParams.defaults().withPerParentInFlight(1);
    PiecePlanner planner = new PiecePlanner(2, new BitSet(), 1, room);
    planner.updateParent("seed", all(2), 4 * MiB, 1 * MiB, true);
    planner.updateParent("peer", all(2), 4 * MiB, 4 * MiB, false);
    List<String> from = new ArrayList<>();
    from.add(planner.next().orElseThrow().parentId());
    from.add(planner.next().orElseThrow().parentId());
    assertThat(from).containsExactlyInAnyOrder("seed", "peer");
    // at 3/4 of its limit it is a source again: asked only for what no other parent holds
    PiecePlanner busy = new PiecePlanner(2, new BitSet(), 1, room);
    busy.updateParent("seed", all(2), 4 * MiB, 3 * MiB, true);
    busy.updateParent("peer", all(2), 4 * MiB, 4 * MiB, false);
    assertThat(busy.next().orElseThrow().parentId()).isEqualTo("peer");
    assertThat(busy.next()).isEmpty();
    // 0.75 is the default; 0 keeps sources last whatever their load
    assertThat(PieceParams.defaults().sourceRoom()).isEqualTo(0.75);
    PiecePlanner off =
        new PiecePlanner(
            2, new BitSet(), 1, PieceParams.defaults().withPerParentInFlight(1).withSourceRoom(0));
    off.updateParent("seed", all(2), 4 * MiB, 0, true);
    off.updateParent("peer", all(2), 4 * MiB, 4 * MiB, false);
    assertThat(off.next().orElseThrow().parentId()).isEqualTo("peer");
    assertThat(off.next()).isEmpty();
    assertThatThrownBy(() -> PieceParams.defaults().withSourceRoom(1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withoutSourceLastTheSeedIsAnyOtherParent() {
    PiecePlanner planner =
        new PiecePlanner(
            2,
            new BitSet(),
            1,
            PieceParams.defaults().withPerParentInFlight(1).withSourceLast(false));
    planner.updateParent("seed", all(2), 100 * MiB, 0, true);
    planner.updateParent("peer", all(2), 1 * MiB, 0, false);
    planner.next().orElseThrow();
    assertThat(planner.next()).isPresent();
  }

  @Test
  void boundsPiecesInFlightPerParent() {
    PiecePlanner planner = new PiecePlanner(10, new BitSet(), 3, PieceParams.defaults());
    planner.updateParent("a", all(10), 10 * MiB, 0, false);
    assertThat(planner.next()).isPresent();
    assertThat(planner.next()).isPresent();
    assertThat(planner.next()).isEmpty();
    assertThat(planner.inFlightCount()).isEqualTo(2);
  }

  @Test
  void endgameDuplicatesTheLastPiecesAndCancelsTheSlower() {
    PiecePlanner planner = new PiecePlanner(2, bits(0), 5, PieceParams.defaults());
    planner.updateParent("a", all(2), 10 * MiB, 0, false);
    planner.updateParent("b", all(2), 10 * MiB, 0, false);
    PieceFetch first = planner.next().orElseThrow();
    PieceFetch dup = planner.next().orElseThrow();
    assertThat(dup.piece()).isEqualTo(1);
    assertThat(dup.duplicate()).isTrue();
    assertThat(dup.parentId()).isNotEqualTo(first.parentId());
    assertThat(planner.next()).as("at most two fetches per piece").isEmpty();
    assertThat(planner.succeeded(dup)).containsExactly(first);
    assertThat(planner.complete()).isTrue();
    assertThat(planner.inFlightCount()).isZero();
    planner.failed(first); // the cancelled fetch reporting late changes nothing
    assertThat(planner.droppedParents()).isEmpty();
  }

  @Test
  void eachFinishedFetchFreesTheSlotOfTheParentItCameFrom() {
    // one fetch per parent, so a slot freed from the wrong parent shows as a fetch that cannot
    // start
    PiecePlanner planner =
        new PiecePlanner(2, bits(0), 5, PieceParams.defaults().withPerParentInFlight(1));
    planner.updateParent("a", all(2), 10 * MiB, 0, false);
    planner.updateParent("b", all(2), 10 * MiB, 0, false);
    PieceFetch first = planner.next().orElseThrow();
    PieceFetch dup = planner.next().orElseThrow();
    assertThat(dup.duplicate()).isTrue();
    assertThat(planner.next()).as("both parents busy").isEmpty();
    // the first goes (busy): the duplicate is now the one in flight, and the first's parent is free
    planner.released(first);
    PieceFetch again = planner.next().orElseThrow();
    assertThat(again.parentId()).isEqualTo(first.parentId());
    assertThat(again.duplicate()).isTrue();
    // both go: both parents are free again, so a first fetch and its duplicate can both start
    planner.released(dup);
    planner.released(again);
    assertThat(planner.inFlightCount()).isZero();
    PieceFetch one = planner.next().orElseThrow();
    PieceFetch two = planner.next().orElseThrow();
    assertThat(one.duplicate()).isFalse();
    assertThat(two.duplicate()).isTrue();
    assertThat(List.of(one.parentId(), two.parentId())).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void aFetchFromAParentThatLeftAndCameBackDoesNotFreeASlotOfTheReturnedParent() {
    PiecePlanner planner =
        new PiecePlanner(4, new BitSet(), 5, PieceParams.defaults().withPerParentInFlight(1));
    planner.updateParent("a", all(4), 10 * MiB, 0, false);
    PieceFetch old = planner.next().orElseThrow();
    // "a" leaves with its fetch still reported, and comes back: a new parent with a free slot
    planner.removeParent("a");
    planner.updateParent("a", all(4), 10 * MiB, 0, false);
    PieceFetch fresh = planner.next().orElseThrow();
    assertThat(fresh.piece()).isNotEqualTo(old.piece());
    assertThat(planner.next()).as("the returned parent's one slot is taken").isEmpty();
    // the old fetch ends: its slot was the old record's, so the returned parent stays full
    planner.released(old);
    assertThat(planner.inFlightCount()).isEqualTo(1);
    assertThat(planner.next()).as("still one fetch from a, its limit").isEmpty();
    planner.succeeded(fresh);
    assertThat(planner.next()).isPresent();
    assertThat(planner.next()).as("one slot, never two").isEmpty();
  }

  @Test
  void aRemoteFetchFromAParentThatLeftIsNotCountedTwice() {
    PiecePlanner planner =
        new PiecePlanner(
            6,
            new BitSet(),
            3,
            PieceParams.defaults().withPerParentInFlight(4).withRemoteInFlight(2));
    planner.updateParent("far", all(6), 100 * MiB, 0, false, true);
    PieceFetch old = planner.next().orElseThrow();
    planner.removeParent("far"); // its fetch leaves the remote count with it
    planner.updateParent("far", all(6), 100 * MiB, 0, false, true);
    PieceFetch one = planner.next().orElseThrow();
    planner.next().orElseThrow();
    assertThat(planner.next()).as("two remote fetches from the returned parent").isEmpty();
    // the old fetch ends: the returned parent's two still count, so nothing more starts
    planner.released(old);
    assertThat(planner.next()).isEmpty();
    planner.succeeded(one);
    assertThat(planner.next()).isPresent();
    assertThat(planner.next()).isEmpty();
  }

  @Test
  void noEndgameWhileSomeMissingPieceIsNotInFlight() {
    PiecePlanner planner =
        new PiecePlanner(3, new BitSet(), 5, PieceParams.defaults().withPerParentInFlight(1));
    planner.updateParent("a", bits(0, 1), 10 * MiB, 0, false);
    planner.updateParent("b", bits(0, 1), 10 * MiB, 0, false);
    planner.next().orElseThrow();
    planner.next().orElseThrow();
    // piece 2 is held by nobody: the two in flight are not the last, so no duplicates
    assertThat(planner.next()).isEmpty();
  }

  @Test
  void aParentThatFailsThreePiecesIsDropped() {
    PiecePlanner planner =
        new PiecePlanner(8, new BitSet(), 9, PieceParams.defaults().withPerParentInFlight(8));
    planner.updateParent("bad", all(8), 10 * MiB, 0, false);
    for (int i = 0; i < 3; i++) {
      planner.failed(planner.next().orElseThrow());
    }
    assertThat(planner.droppedParents()).containsExactly("bad");
    assertThat(planner.wants("bad")).isFalse();
    assertThat(planner.next()).isEmpty();
    assertThat(planner.usableParents()).isZero();
  }

  @Test
  void aFailedPieceIsNotAskedOfThatParentAgain() {
    PiecePlanner planner = new PiecePlanner(1, new BitSet(), 9, PieceParams.defaults());
    planner.updateParent("a", all(1), 10 * MiB, 0, false);
    planner.updateParent("b", all(1), 10 * MiB, 0, false);
    PieceFetch f = planner.next().orElseThrow();
    planner.failed(f);
    PieceFetch again = planner.next().orElseThrow();
    assertThat(again.parentId()).isNotEqualTo(f.parentId());
    planner.failed(again);
    assertThat(planner.next()).isEmpty();
  }

  @Test
  void notHeldClearsTheParentsBit() {
    PiecePlanner planner = new PiecePlanner(1, new BitSet(), 9, PieceParams.defaults());
    planner.updateParent("a", all(1), 10 * MiB, 0, false);
    planner.notHeld(planner.next().orElseThrow());
    assertThat(planner.next()).isEmpty();
    assertThat(planner.droppedParents()).isEmpty();
    planner.updateParent("a", all(1), 10 * MiB, 0, false);
    assertThat(planner.next()).isPresent();
  }

  @Test
  void prefersParentsWithSpareCapacity() {
    int toIdle = 0;
    for (int seed = 0; seed < 200; seed++) {
      PiecePlanner planner = new PiecePlanner(1, new BitSet(), seed, PieceParams.defaults());
      planner.updateParent("busy", all(1), 10 * MiB, 10 * MiB, false); // weight 1 MiB
      planner.updateParent("idle", all(1), 10 * MiB, 0, false); // weight 10 MiB
      if (planner.next().orElseThrow().parentId().equals("idle")) {
        toIdle++;
      }
    }
    assertThat(toIdle).isBetween(160, 198);
  }

  @Test
  void wantsOnlyParentsHoldingSomethingMissing() {
    PiecePlanner planner = new PiecePlanner(3, bits(0), 1, PieceParams.defaults());
    planner.updateParent("old", bits(0), 10 * MiB, 0, false);
    planner.updateParent("new", bits(0, 2), 10 * MiB, 0, false);
    assertThat(planner.wants("old")).isFalse();
    assertThat(planner.wants("new")).isTrue();
    assertThat(planner.wants("unknown")).isFalse();
  }

  @Test
  void sameSeedSameChoices() {
    assertThat(run(42)).isEqualTo(run(42));
    assertThat(run(42)).isNotEqualTo(run(43));
  }

  private static List<PieceFetch> run(long seed) {
    PiecePlanner planner = new PiecePlanner(64, new BitSet(), seed, PieceParams.defaults());
    planner.updateParent("a", all(64), 10 * MiB, 0, false);
    planner.updateParent("b", all(64), 10 * MiB, 0, false);
    planner.updateParent("c", all(64), 10 * MiB, 0, false);
    List<PieceFetch> out = new ArrayList<>();
    Optional<PieceFetch> f;
    while ((f = planner.next()).isPresent()) {
      out.add(f.get());
    }
    return out;
  }

  @Test
  void rejectsHeldPiecesPastTheEnd() {
    assertThatThrownBy(() -> new PiecePlanner(2, bits(5), 1, PieceParams.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("past the last piece");
  }

  /**
   * Random outcomes against random holdings: the planner never exceeds a parent's in-flight bound,
   * never hands out a piece already held or a third fetch of one piece, and finishes whenever every
   * piece has a parent that works.
   */
  @Property(tries = 200)
  void alwaysFinishesAndKeepsItsBounds(
      @ForAll @IntRange(min = 1, max = 60) int pieces,
      @ForAll @IntRange(min = 1, max = 6) int parentCount,
      @ForAll long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    PieceParams params = PieceParams.defaults();
    PiecePlanner planner = new PiecePlanner(pieces, new BitSet(), seed, params);
    BitSet covered = new BitSet();
    for (int p = 0; p < parentCount; p++) {
      BitSet holds = new BitSet();
      for (int i = 0; i < pieces; i++) {
        if (rnd.nextInt(3) > 0) {
          holds.set(i);
        }
      }
      if (p == parentCount - 1) {
        holds.set(0, pieces); // one reliable parent holds everything
      }
      covered.or(holds);
      planner.updateParent(
          "p" + p, holds, (1 + rnd.nextInt(10)) * MiB, rnd.nextInt(5) * MiB, p == 0);
    }
    String reliable = "p" + (parentCount - 1);
    List<PieceFetch> open = new ArrayList<>();
    Map<String, Integer> perParent = new HashMap<>();
    for (int step = 0; step < 100_000 && !planner.complete(); step++) {
      Optional<PieceFetch> f = planner.next();
      if (f.isPresent()) {
        PieceFetch fetch = f.get();
        assertThat(planner.has(fetch.piece())).isFalse();
        assertThat(open.stream().filter(o -> o.piece() == fetch.piece()).count()).isLessThan(2);
        int n = perParent.merge(fetch.parentId(), 1, Integer::sum);
        assertThat(n).isLessThanOrEqualTo(params.perParentInFlight());
        open.add(fetch);
        continue;
      }
      assertThat(open)
          .as("nothing can start and nothing is in flight, yet a parent holds every piece")
          .isNotEmpty();
      PieceFetch done = open.remove(rnd.nextInt(open.size()));
      perParent.merge(done.parentId(), -1, Integer::sum);
      boolean fails = !done.parentId().equals(reliable) && rnd.nextInt(4) == 0;
      if (fails) {
        planner.failed(done);
      } else {
        for (PieceFetch cancelled : planner.succeeded(done)) {
          assertThat(open.remove(cancelled)).isTrue();
          perParent.merge(cancelled.parentId(), -1, Integer::sum);
        }
      }
      assertThat(planner.inFlightCount()).isEqualTo(open.size());
    }
    assertThat(planner.complete()).isTrue();
    assertThat(planner.droppedParents()).doesNotContain(reliable);
  }
}
