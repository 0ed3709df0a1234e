package io.swarmsched.scheduling.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.Fixture;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.scoring.LoadQuality;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  private static final double EPS = 1e-12;
  private Fixture f;

  @BeforeEach
  void setUp() {
    f = new Fixture();
    f.host("h-req", HostType.NORMAL, "hz", "cn|zj|hz|a");
    f.peer("req", "h-req", PeerState.RUNNING);
  }

  @Test
  void totalScoreIsTheWeightedSumOfItsPartsByHand() {
    f.host("h-c", HostType.NORMAL, "HZ", "cn|zj|sh");
    f.peer("c", "h-c", PeerState.SUCCEEDED);
    f.score("h-c", 0.8, 500);
    ScoreBreakdown b = new LoadAwareEvaluator().score(f.context("req", Set.of()), f.candidate("c"));
    assertThat(b.idcAffinity()).isEqualTo(1.0);
    assertThat(b.locationAffinity()).isEqualTo(0.4);
    assertThat(b.loadQuality()).isEqualTo(0.8);
    assertThat(b.hostTypeScore()).isEqualTo(0.5);
    // 0.2*1 + 0.1*0.4 + 0.6*0.8 + 0.1*0.5 = 0.77
    assertThat(b.totalScore()).isCloseTo(0.77, within(EPS));
    assertThat(b.peakBandwidthUsage()).isEqualTo(0.8);
  }

  @Test
  void downloadingSeedInAnotherIdcByHand() {
    f.host("h-s", HostType.SUPER_SEED, "sh", "us");
    f.peer("s", "h-s", PeerState.RUNNING);
    f.score("h-s", 0.5, 500);
    ScoreBreakdown b = new LoadAwareEvaluator().score(f.context("req", Set.of()), f.candidate("s"));
    // 0 + 0 + 0.6*0.5 + 0.1*1 = 0.4
    assertThat(b.totalScore()).isCloseTo(0.4, within(EPS));
  }

  @Test
  void customWeightsChangeTheScoreAndThePolicyId() {
    f.host("h-c", HostType.NORMAL, "hz", "cn|zj|hz|a");
    f.peer("c", "h-c", PeerState.SUCCEEDED);
    f.score("h-c", 0.0, 500);
    LoadAwareEvaluator e = new LoadAwareEvaluator(new EvaluatorWeights(0.5, 0.5, 0, 0));
    assertThat(e.score(f.context("req", Set.of()), f.candidate("c")).totalScore())
        .isCloseTo(1.0, within(EPS));
    assertThat(e.policyId()).isEqualTo("load-aware[idc=0.5,loc=0.5,lq=0.0,type=0.0]");
    assertThat(new LoadAwareEvaluator().policyId())
        .isEqualTo("load-aware[idc=0.2,loc=0.1,lq=0.6,type=0.1]");
  }

  @Test
  void hostWithoutAScoreIsScoredFromItsHeartbeat() {
    f.host("h-c", HostType.NORMAL, "", "");
    f.peer("c", "h-c", PeerState.SUCCEEDED);
    // idle heartbeat, 64 MiB/s capacity: LQ 1 -> total 0.6 + 0.05
    ScoreBreakdown b = new LoadAwareEvaluator().score(f.context("req", Set.of()), f.candidate("c"));
    assertThat(b.loadQuality()).isCloseTo(1.0, within(EPS));
    assertThat(b.totalScore()).isCloseTo(0.65, within(EPS));
  }

  @Test
  void tiesAreBrokenByPeerId() {
    for (String id : new String[] {"c3", "c1", "c2"}) {
      f.host("h-" + id, HostType.NORMAL, "x", "y");
      f.peer(id, "h-" + id, PeerState.SUCCEEDED);
      f.score("h-" + id, 0.5, 500);
    }
    SelectionContext ctx = f.context("req", Set.of());
    List<Candidate> cs = List.of(f.candidate("c3"), f.candidate("c1"), f.candidate("c2"));
    assertThat(new LoadAwareEvaluator().rank(ctx, cs, 2))
        .extracting(ScoredCandidate::peerId)
        .containsExactly("c1", "c2");
  }

  @Test
  void randomEvaluatorIsSeededByTheRequestAndIgnoresCandidateOrder() {
    for (int i = 0; i < 20; i++) {
      f.host("h" + i);
      f.peer("p" + i, "h" + i, PeerState.SUCCEEDED);
    }
    SelectionContext ctx = f.context("req", Set.of());
    List<Candidate> cs = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      cs.add(f.candidate("p" + i));
    }
    RandomEvaluator r = new RandomEvaluator();
    List<String> first = r.rank(ctx, cs, 20).stream().map(ScoredCandidate::peerId).toList();
    java.util.Collections.reverse(cs);
    List<String> again =
        r.rank(f.context("req", Set.of()), cs, 20).stream().map(ScoredCandidate::peerId).toList();
    assertThat(again).isEqualTo(first);
    assertThat(first).isNotEqualTo(cs.stream().map(Candidate::peerId).sorted().toList());
    assertThat(r.policyId()).isEqualTo("random");
  }

  @Test
  void policiesAreChosenByName() {
    assertThat(Evaluators.byName("load-aware", EvaluatorWeights.DEFAULT))
        .isInstanceOf(LoadAwareEvaluator.class);
    assertThat(Evaluators.byName(" Random ", EvaluatorWeights.DEFAULT))
        .isInstanceOf(RandomEvaluator.class);
    assertThatThrownBy(() -> Evaluators.byName("best", EvaluatorWeights.DEFAULT))
        .hasMessageContaining("unknown evaluator policy 'best'");
    assertThatThrownBy(() -> new EvaluatorWeights(0.5, 0.5, 0.5, 0))
        .hasMessageContaining("must be 1");
    assertThatThrownBy(() -> new EvaluatorWeights(-0.1, 0.5, 0.5, 0.1)).hasMessageContaining("idc");
  }

  private void children(String parent, int n) {
    for (int i = 0; i < n; i++) {
      f.host("h-" + parent + "-k" + i);
      f.peer(parent + "-k" + i, "h-" + parent + "-k" + i, PeerState.RUNNING);
      f.edge(parent, parent + "-k" + i);
    }
  }

  @Test
  void loadQualityIsWeighedByTheRoomForOneMoreChildOnceChildrenOutnumberFullRateStreams() {
    // the fixture's hosts upload 64 MiB/s with 10 slots: 4 streams at the 16 MiB/s stream rate
    f.host("h-c", HostType.NORMAL, "hz", "cn|zj|hz|a");
    f.peer("c", "h-c", PeerState.SUCCEEDED);
    f.score("h-c", 0.8, 500);
    children("c", 3);
    SelectionContext ctx = f.context("req", Set.of());
    // three children and the requester: 4 streams for 4, no penalty
    assertThat(new LoadAwareEvaluator().score(ctx, f.candidate("c")).loadQuality()).isEqualTo(0.8);
    f.host("h-d", HostType.NORMAL, "hz", "cn|zj|hz|a");
    f.peer("d", "h-d", PeerState.SUCCEEDED);
    f.score("h-d", 0.8, 500);
    children("d", 7);
    ScoreBreakdown b = new LoadAwareEvaluator().score(ctx, f.candidate("d"));
    // Room = 4 / (7 + 1)
    assertThat(b.loadQuality()).isCloseTo(0.8 * 0.5, within(EPS));
    assertThat(b.totalScore()).isCloseTo(0.2 + 0.1 + 0.6 * 0.4 + 0.1 * 0.5, within(EPS));
    // DESIGN's formula as written ignores the children
    Evaluator design = Evaluators.byName("design-formula", EvaluatorWeights.DEFAULT);
    assertThat(design.score(ctx, f.candidate("d")).loadQuality()).isEqualTo(0.8);
    assertThat(design.policyId()).startsWith("design-formula[");
    assertThat(new LoadAwareEvaluator().policyId()).startsWith("load-aware[");
  }

  @Test
  void aFastHostsRoomIsBoundedByItsUploadSlots() {
    // 640 MiB/s carries 40 full-rate streams, but only 8 slots serve at once
    f.put(
        HostView.online(
            "h-f",
            HostType.NORMAL,
            "hz",
            "cn|zj|hz|a",
            HostCapacity.uploads(640 * Fixture.MIB, 8),
            HostLoad.IDLE));
    f.peer("fast", "h-f", PeerState.SUCCEEDED);
    f.scores.put(
        "h-f",
        new ScoreView("h-f", new LoadQuality(1.0, 1.0, 1.0, 1.0, 0, 0), 640 * Fixture.MIB, 0, 500));
    children("fast", 15);
    ScoreBreakdown b =
        new LoadAwareEvaluator().score(f.context("req", Set.of()), f.candidate("fast"));
    assertThat(b.loadQuality()).isCloseTo(8.0 / 16.0, within(EPS));
  }

  @Test
  void aSlowHostsRoomIsBoundedByItsBandwidthAndNeverBelowOneStream() {
    // 8 MiB/s is half a stream: counted as one, so its first child costs it nothing
    f.put(
        HostView.online(
            "h-s",
            HostType.NORMAL,
            "hz",
            "cn|zj|hz|a",
            HostCapacity.uploads(8 * Fixture.MIB, 8),
            HostLoad.IDLE));
    f.peer("slow", "h-s", PeerState.SUCCEEDED);
    f.scores.put(
        "h-s",
        new ScoreView("h-s", new LoadQuality(1.0, 1.0, 1.0, 1.0, 0, 0), 8 * Fixture.MIB, 0, 500));
    SelectionContext ctx = f.context("req", Set.of());
    assertThat(new LoadAwareEvaluator().score(ctx, f.candidate("slow")).loadQuality())
        .isEqualTo(1.0);
    children("slow", 3);
    assertThat(
            new LoadAwareEvaluator()
                .score(f.context("req", Set.of()), f.candidate("slow"))
                .loadQuality())
        .isCloseTo(0.25, within(EPS));
  }
}
