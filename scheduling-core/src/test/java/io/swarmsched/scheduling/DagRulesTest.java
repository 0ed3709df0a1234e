package io.swarmsched.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.filter.DropReason;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.PeerState;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * docs/design.md, Stage 1: the DAG records who feeds whom now, so cycle prevention cannot starve
 * the seed's first child.
 */
class DagRulesTest {

  private final ParentSelector selector = ParentSelector.defaults();

  /** seed → a → {b, c}: the demo's agent-6 story in small. */
  private Fixture firstChildStory() {
    Fixture f = new Fixture();
    f.host("h-seed", HostType.SUPER_SEED, "idc-a", "cn|zj|hz");
    f.peer("seed", "h-seed", PeerState.BACK_TO_SOURCE);
    for (String id : new String[] {"a", "b", "c"}) {
      f.host("h-" + id);
      f.peer(id, "h-" + id, PeerState.RUNNING);
    }
    f.edge("seed", "a");
    f.edge("a", "b");
    f.edge("a", "c");
    return f;
  }

  @Test
  void withHistoryAsEdgesTheFirstChildCanOnlyHaveTheSeed() {
    Fixture f = firstChildStory();
    machineSucceeds(f, "b", false);
    Selection s = selector.select(f.request("more-a", "a", Set.of(), 1_000));
    assertThat(s.parentPeerIds()).containsExactly("seed");
    assertThat(s.dropCounts()).containsEntry(DropReason.WOULD_CYCLE, 2L);
  }

  @Test
  void aFinishedPeerLosesItsInEdgesAndAnyoneMayTakeItAsAParent() {
    Fixture f = firstChildStory();
    machineSucceeds(f, "b", true);
    assertThat(f.task.dag().parents("b")).isEmpty();
    assertThat(f.task.dag().children("a")).containsExactly("c");
    Selection s = selector.select(f.request("more-a", "a", Set.of(), 1_000));
    assertThat(s.parentPeerIds()).contains("seed", "b").doesNotContain("c");
    assertThat(s.dropCounts()).containsEntry(DropReason.WOULD_CYCLE, 1L);
  }

  @Test
  void onSucceededReturnsTheFormerParentsAndIsHarmlessForUnknownPeers() {
    Fixture f = firstChildStory();
    assertThat(f.task.onSucceeded("a")).containsExactly("seed");
    assertThat(f.task.onSucceeded("a")).isEmpty();
    assertThat(f.task.onSucceeded("nobody")).isEmpty();
  }

  @Test
  void committingAReschedulesSelectionReplacesThePeersInEdges() {
    Fixture f = firstChildStory();
    f.host("h-d");
    f.peer("d", "h-d", PeerState.SUCCEEDED);
    Selection s = selector.select(f.request("resched-c", "c", Set.of("a"), 1_000));
    assertThat(ParentSelector.commit(f.task, s, f.ledger, 1_000)).containsExactly("a");
    assertThat(f.task.dag().parents("c")).containsExactlyInAnyOrderElementsOf(s.parentPeerIds());
    assertThat(f.task.dag().parents("c")).doesNotContain("a");
  }

  /**
   * The seed's first child holds fewer pieces than a peer downstream of it (it fetched from the
   * seed alone while its siblings traded): that peer surely holds pieces it lacks, so the cycle
   * rule lets it through, and committing it cuts the path that would close the cycle.
   */
  @Test
  void theFirstChildTakesADescendantWithMorePiecesAndTheCommitCutsThePathToIt() {
    Fixture f = firstChildStory(); // seed → a → {b, c}
    f.host("h-d");
    f.peer("d", "h-d", PeerState.RUNNING);
    f.edge("b", "d");
    progress(f, "a", 2);
    progress(f, "b", 1);
    progress(f, "c", 2);
    progress(f, "d", 9);

    Selection s = selector.select(f.request("more-a", "a", Set.of(), 1_000));
    assertThat(s.parentPeerIds()).contains("seed", "d").doesNotContain("b", "c");
    assertThat(s.dropCounts()).containsEntry(DropReason.WOULD_CYCLE, 2L);

    ParentSelector.commit(f.task, s, f.ledger, 1_000);
    assertThat(f.task.dag().parents("a")).containsExactlyInAnyOrder("seed", "d");
    assertThat(f.task.dag().children("a"))
        .as("a → b led to d and is cut; a → c led nowhere near it and stays")
        .containsExactly("c");
    assertThat(f.task.dag().parents("d")).containsExactly("b");
    assertThat(f.task.dag().isAcyclic()).isTrue();
  }

  @Test
  void withTheStrictRuleTheFirstChildStillHasOnlyTheSeed() {
    Fixture f = firstChildStory();
    progress(f, "b", 9);
    progress(f, "c", 9);
    ParentSelector strict =
        new ParentSelector(
            io.swarmsched.scheduling.filter.CandidateFilters.standard(
                new io.swarmsched.scheduling.filter.FilterParams(
                    io.swarmsched.scheduling.filter.FilterParams.DEFAULT_UPLOAD_SLOT_LIMIT,
                    io.swarmsched.scheduling.stats.BadParentRule.DEFAULT,
                    io.swarmsched.scheduling.filter.CycleRule.STRICT)),
            new io.swarmsched.scheduling.evaluator.LoadAwareEvaluator(),
            ParentSelector.DEFAULT_TOP_N);
    assertThat(strict.select(f.request("more-a", "a", Set.of(), 1_000)).parentPeerIds())
        .containsExactly("seed");
    assertThat(selector.select(f.request("more-a", "a", Set.of(), 1_000)).parentPeerIds())
        .contains("seed", "b", "c");
  }

  private static void progress(Fixture f, String peerId, int pieces) {
    f.task.peer(peerId).orElseThrow().reportProgress(pieces, 1);
  }

  private static void machineSucceeds(Fixture f, String peerId, boolean applyRule) {
    f.machine.transition(f.task.peer(peerId).orElseThrow(), PeerState.SUCCEEDED, 500);
    if (applyRule) {
      f.task.onSucceeded(peerId);
    }
  }
}
