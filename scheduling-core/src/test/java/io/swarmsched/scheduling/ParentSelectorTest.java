package io.swarmsched.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.scheduling.evaluator.RandomEvaluator;
import io.swarmsched.scheduling.filter.CandidateFilters;
import io.swarmsched.scheduling.filter.Drop;
import io.swarmsched.scheduling.filter.DropReason;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.PeerState;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParentSelectorTest {

  private final ParentSelector selector = ParentSelector.defaults();

  @Test
  void ranksSurvivorsBestFirstAndExplainsEveryDrop() {
    Fixture f = new Fixture();
    f.host("h-req");
    f.peer("req", "h-req", PeerState.RUNNING);
    for (String id : new String[] {"a", "b", "c", "d", "e"}) {
      f.host("h-" + id);
      f.peer(id, "h-" + id, PeerState.SUCCEEDED);
    }
    f.score("h-a", 0.9, 0);
    f.score("h-b", 0.1, 0);
    f.score("h-c", 0.5, 0);
    f.score("h-d", 0.7, 0);
    f.score("h-e", 0.3, 0);
    f.put(f.hosts.get("h-e").withLiveness(Liveness.OFFLINE));
    f.peer("x", "h-req", PeerState.SUCCEEDED);

    Selection s = selector.select(f.request("r1", "req", Set.of("d"), 1_000));
    assertThat(s.parentPeerIds()).containsExactly("a", "c", "b");
    assertThat(s.drops())
        .extracting(Drop::peerId, Drop::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("d", DropReason.BLOCKLISTED),
            org.assertj.core.groups.Tuple.tuple("e", DropReason.HOST_NOT_ONLINE),
            org.assertj.core.groups.Tuple.tuple("x", DropReason.SAME_HOST));
    assertThat(s.candidates()).isEqualTo(6);
    assertThat(s.policyId()).isEqualTo("load-aware[idc=0.2,loc=0.1,lq=0.6,type=0.1]/top4");
    assertThat(s.parents().get(0).pieceServerAddress()).isEqualTo("h-a:65000");
    assertThat(s.summary())
        .isEqualTo(
            "3 of 6 candidates chosen; dropped: SAME_HOST=1, BLOCKLISTED=1, HOST_NOT_ONLINE=1");
  }

  @Test
  void theCycleFilterCheckedLastAsksOnlyUntilTopNPassAndChoosesTheSameParents() {
    Fixture f = new Fixture();
    f.host("h-req");
    f.peer("req", "h-req", PeerState.RUNNING);
    double[] scores = {0.9, 0.5, 0.1, 0.7};
    String[] ids = {"a", "b", "c", "d"};
    for (int i = 0; i < ids.length; i++) {
      f.host("h-" + ids[i]);
      f.score("h-" + ids[i], scores[i], 0);
    }
    // a and c download from the requester (and hold no more pieces than it)
    f.peer("a", "h-a", PeerState.RUNNING);
    f.peer("c", "h-c", PeerState.RUNNING);
    f.peer("b", "h-b", PeerState.SUCCEEDED);
    f.peer("d", "h-d", PeerState.SUCCEEDED);
    f.edge("req", "a");
    f.edge("req", "c");
    ParentSelector eager = new ParentSelector(CandidateFilters.standard(), selector.evaluator(), 2);
    ParentSelector lazy = eager.checkingLast(io.swarmsched.scheduling.filter.CycleFilter.class);

    Selection all = eager.select(f.request("r1", "req", Set.of(), 1_000));
    Selection last = lazy.select(f.request("r1", "req", Set.of(), 1_000));

    assertThat(all.parentPeerIds()).containsExactly("d", "b");
    assertThat(last.parents()).isEqualTo(all.parents());
    assertThat(all.drops())
        .extracting(Drop::peerId, Drop::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", DropReason.WOULD_CYCLE),
            org.assertj.core.groups.Tuple.tuple("c", DropReason.WOULD_CYCLE));
    // a (ranked first) was asked and dropped; c, ranked below the two chosen, was never asked
    assertThat(last.drops())
        .extracting(Drop::peerId, Drop::reason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a", DropReason.WOULD_CYCLE));
    assertThat(last.candidates()).isEqualTo(4);
    assertThatThrownBy(
            () ->
                new ParentSelector(
                        java.util.List.of(new io.swarmsched.scheduling.filter.RequesterFilter()),
                        selector.evaluator(),
                        2)
                    .checkingLast(io.swarmsched.scheduling.filter.CycleFilter.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 filters of CycleFilter");
  }

  @Test
  void keepsAtMostTopN() {
    Fixture f = new Fixture();
    f.host("h-req");
    f.peer("req", "h-req", PeerState.RUNNING);
    for (int i = 0; i < 10; i++) {
      f.host("h" + i);
      f.peer("p" + i, "h" + i, PeerState.SUCCEEDED);
      f.score("h" + i, i / 10.0, 0);
    }
    assertThat(selector.select(f.request("req")).parentPeerIds())
        .containsExactly("p9", "p8", "p7", "p6");
  }

  @Test
  void committingReplacesParentsAndSpreadsABurstOverParents() {
    Fixture f = new Fixture();
    f.host("h-a");
    f.host("h-b");
    f.peer("a", "h-a", PeerState.SUCCEEDED);
    f.peer("b", "h-b", PeerState.SUCCEEDED);
    f.score("h-a", 0.9, 0);
    f.score("h-b", 0.9, 0);
    ParentSelector one = new ParentSelector(CandidateFilters.standard(), selector.evaluator(), 1);
    for (int i = 0; i < 4; i++) {
      f.host("h-r" + i);
      f.peer("r" + i, "h-r" + i, PeerState.RUNNING);
      f.score(
          "h-r" + i, 0.0, 0); // busy requesters: once they have a parent they are candidates too
    }
    // Equal scores: the first request gets "a" (tie by id); its edge makes "a" look busier, so the
    // next gets "b".
    Selection s0 = one.select(f.request("req-0", "r0", Set.of(), 100));
    ParentSelector.commit(f.task, s0, f.ledger, 100);
    Selection s1 = one.select(f.request("req-1", "r1", Set.of(), 101));
    ParentSelector.commit(f.task, s1, f.ledger, 101);
    assertThat(s0.parentPeerIds()).containsExactly("a");
    assertThat(s1.parentPeerIds()).containsExactly("b");
    assertThat(f.task.dag().parents("r0")).containsExactly("a");

    // A reschedule replaces the old parent.
    Selection again = one.select(f.request("req-2", "r0", Set.of("a"), 102));
    assertThat(ParentSelector.commit(f.task, again, f.ledger, 102)).containsExactly("a");
    assertThat(f.task.dag().parents("r0")).containsExactly("b");
  }

  @Test
  void emptySelectionWhenNobodyCanServe() {
    Fixture f = new Fixture();
    f.host("h-req");
    f.host("h-s", HostType.SUPER_SEED, "", "");
    f.peer("req", "h-req", PeerState.RUNNING);
    f.peer("pending", "h-s", PeerState.PENDING);
    Selection s = selector.select(f.request("req"));
    assertThat(s.isEmpty()).isTrue();
    assertThat(s.dropCounts()).containsEntry(DropReason.STATE_CANNOT_SERVE, 1L);
  }

  @Test
  void unknownRequesterIsAClearError() {
    Fixture f = new Fixture();
    assertThatThrownBy(() -> selector.select(f.request("ghost")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ghost");
  }

  @Test
  void randomPolicyIsNamedAndReproducible() {
    Fixture f = new Fixture();
    f.host("h-req");
    f.peer("req", "h-req", PeerState.RUNNING);
    for (int i = 0; i < 8; i++) {
      f.host("h" + i);
      f.peer("p" + i, "h" + i, PeerState.SUCCEEDED);
    }
    ParentSelector random =
        new ParentSelector(CandidateFilters.standard(), new RandomEvaluator(), 4);
    Selection a = random.select(f.request("r-1", "req", Set.of(), 5));
    Selection b = random.select(f.request("r-1", "req", Set.of(), 5));
    assertThat(a).isEqualTo(b);
    assertThat(a.policyId()).isEqualTo("random/top4");
  }
}
