package io.swarmsched.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.scheduling.evaluator.EvaluatorWeights;
import io.swarmsched.scheduling.evaluator.Evaluators;
import io.swarmsched.scheduling.filter.CandidateFilters;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/**
 * Stage 1 examines at most candidate.limit peers: the same decisions within the limit, a fixed cost
 * beyond it.
 */
class CandidateSamplingTest {

  private static ParentSelector selector(String policy, int limit) {
    return new ParentSelector(
        CandidateFilters.standard(),
        Evaluators.byName(policy, EvaluatorWeights.DEFAULT),
        ParentSelector.DEFAULT_TOP_N,
        limit);
  }

  @Property(tries = 150)
  void withinTheLimitTheSampledSelectorDecidesExactlyAsAFullScan(
      @ForAll @LongRange(min = 0, max = 1_000_000) long seed,
      @ForAll @IntRange(min = 0, max = 40) int peers) {
    Fixture f = SelectionPropertiesTest.randomCluster(seed, peers);
    for (String policy : Evaluators.NAMES) {
      Selection sampled =
          selector(policy, ParentSelector.DEFAULT_CANDIDATE_LIMIT).select(f.request("req"));
      Selection full = selector(policy, 0).select(f.request("req"));
      assertThat(sampled.parents()).isEqualTo(full.parents());
      assertThat(sampled.drops()).isEqualTo(full.drops());
      assertThat(sampled.candidates()).isEqualTo(full.candidates());
    }
  }

  @Test
  void theDefaultLimitKeepsThePolicyIdAndAFullScanNamesItself() {
    assertThat(selector("load-aware", 40).policyId())
        .isEqualTo("load-aware[idc=0.2,loc=0.1,lq=0.6,type=0.1]/top4");
    assertThat(ParentSelector.defaults().candidateLimit()).isEqualTo(40);
    assertThat(selector("random", 0).policyId()).isEqualTo("random/top4/all");
    assertThat(selector("random", Integer.MAX_VALUE).candidateLimit()).isEqualTo(Integer.MAX_VALUE);
    assertThat(selector("random", 10).policyId()).isEqualTo("random/top4/sample10");
  }

  /** A task of {@code n} finished peers on their own hosts, added in a shuffled order. */
  private static Fixture bigTask(int n, long shuffleSeed) {
    Fixture f = new Fixture();
    f.host("h-req");
    f.peer("req", "h-req", PeerState.RUNNING);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(shuffleSeed));
    for (int i : order) {
      String id = String.format("p%05d", i);
      f.host("h-" + id);
      f.peer(id, "h-" + id, PeerState.SUCCEEDED);
      f.score("h-" + id, (i * 7919 % 1000) / 1000.0, 0);
    }
    return f;
  }

  @Test
  void aLargeTaskExaminesAtMostTheLimitTheSameSampleForTheSameRequestWhateverTheArrivalOrder() {
    Fixture a = bigTask(2_000, 1);
    Fixture b = bigTask(2_000, 2);
    ParentSelector s = selector("load-aware", 40);
    Selection sa = s.select(a.request("r-1", "req", Set.of(), 1_000));
    Selection sb = s.select(b.request("r-1", "req", Set.of(), 1_000));
    assertThat(sa.candidates()).isEqualTo(40);
    assertThat(sa.parentPeerIds()).hasSize(4).isEqualTo(sb.parentPeerIds());
    Selection other = s.select(a.request("r-2", "req", Set.of(), 1_000));
    assertThat(other.candidates()).isEqualTo(40);
    assertThat(other.parentPeerIds())
        .isNotEqualTo(sa.parentPeerIds()); // another request, another sample
  }

  @Test
  void theSampleFindsTheOnlyPeerWithSomethingToGiveInALargeTask() {
    Fixture f = new Fixture();
    f.host("h-req");
    f.peer("req", "h-req", PeerState.RUNNING);
    for (int i = 0; i < 3_000; i++) {
      String id = String.format("p%05d", i);
      f.host("h-" + id);
      f.peer(id, "h-" + id, PeerState.PENDING); // joined, nothing yet
    }
    f.host("h-seed", HostType.SUPER_SEED, "idc-a", "cn");
    f.peer("seed", "h-seed", PeerState.BACK_TO_SOURCE);
    for (int r = 0; r < 20; r++) {
      Selection s = selector("load-aware", 40).select(f.request("r" + r, "req", Set.of(), 1_000));
      assertThat(s.parentPeerIds()).containsExactly("seed");
      assertThat(s.drops()).isEmpty(); // peers with nothing to give are skipped, not listed
    }
  }

  @Test
  void aSampledDecisionDropsNoMoreThanItExaminesAndListsThemById() {
    Fixture f = bigTask(500, 3);
    for (Peer p : f.task.peerList()) {
      if (p.peerId().compareTo("p00250") < 0) {
        f.put(f.hosts.get(p.hostId()).withQuarantined(true));
      }
    }
    Selection s = selector("random", 40).select(f.request("r-q", "req", Set.of(), 1_000));
    assertThat(s.candidates()).isEqualTo(40);
    assertThat(s.drops().size() + Math.min(4, 40 - s.drops().size())).isLessThanOrEqualTo(40);
    assertThat(s.drops()).isSortedAccordingTo((x, y) -> x.peerId().compareTo(y.peerId()));
  }

  @Test
  void peerListStaysSortedByIdThroughAddsAndRemoves() {
    Fixture f = bigTask(300, 4);
    f.task.removePeer("p00007");
    f.task.removePeer("p00150");
    List<String> ids = f.task.peerList().stream().map(Peer::peerId).toList();
    assertThat(ids).isSorted().hasSize(299).doesNotContain("p00007", "p00150");
    assertThat(ids).isEqualTo(f.task.peers().stream().map(Peer::peerId).toList());
  }
}
