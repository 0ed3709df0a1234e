package io.swarmsched.scheduling.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.swarmsched.scheduling.Candidate;
import io.swarmsched.scheduling.Fixture;
import io.swarmsched.scheduling.SelectionContext;
import io.swarmsched.scheduling.resource.PeerState;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EvaluatorsTest {

  @Test
  void builtInPoliciesAreRegisteredByName() {
    assertThat(Evaluators.NAMES)
        .containsExactly(
            "load-aware", "random", "give-aware", "dragonfly", "seed-last", "design-formula");
    assertThat(Evaluators.names()).containsAll(Evaluators.NAMES);
    assertThat(Evaluators.NAMES).contains(Evaluators.DEFAULT);
    assertThat(Evaluators.byName(" Load-Aware ", EvaluatorWeights.DEFAULT))
        .isInstanceOf(LoadAwareEvaluator.class);
    assertThat(Evaluators.byName("random", EvaluatorWeights.DEFAULT))
        .isInstanceOf(RandomEvaluator.class);
    assertThat(Evaluators.byName("give-aware", EvaluatorWeights.DEFAULT))
        .isInstanceOf(GiveAwareEvaluator.class);
    assertThat(Evaluators.byName("dragonfly", EvaluatorWeights.DEFAULT))
        .isInstanceOf(DragonflyEvaluator.class);
  }

  @Test
  void aNewPolicyIsOneRegistrationAndThenAcceptedByName() {
    Evaluators.register(
        "test-constant",
        w ->
            new Evaluator() {
              @Override
              public String policyId() {
                return "test-constant";
              }

              @Override
              public ScoreBreakdown score(SelectionContext ctx, Candidate c) {
                return new ScoreBreakdown(0.5, 0, 0, 0, 0, 0, 0, 0);
              }
            });
    assertThat(Evaluators.isRegistered("TEST-constant")).isTrue();
    assertThat(Evaluators.names()).contains("test-constant");
    assertThat(Evaluators.byName("test-constant", EvaluatorWeights.DEFAULT).policyId())
        .isEqualTo("test-constant");
    assertThatThrownBy(() -> Evaluators.register("test-constant", w -> new RandomEvaluator()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("registered already");
    assertThatThrownBy(() -> Evaluators.register("Upper", w -> new RandomEvaluator()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lower-case");
  }

  @Test
  void anUnknownNameListsWhatIsAccepted() {
    assertThatThrownBy(() -> Evaluators.byName("nope", EvaluatorWeights.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown evaluator policy 'nope'")
        .hasMessageContaining("load-aware, random");
  }

  @Test
  void giveAwareWeighsWhatTheCandidateHoldsAgainstItsUploadsByHand() {
    Fixture f = new Fixture();
    f.task.setMetadata(100 * Fixture.MIB, Fixture.MIB, 100);
    f.host("h-req");
    f.peer("req", "h-req", PeerState.RUNNING).reportProgress(20, 1);
    f.host("h-c");
    f.peer("c", "h-c", PeerState.RUNNING).reportProgress(60, 1);
    SelectionContext ctx = f.context("req", Set.of());
    ScoreBreakdown b = new GiveAwareEvaluator().score(ctx, f.candidate("c"));
    // give = 0.6·(1 − 0.2) = 0.48; share = min(1, (64 MiB/s / 16 MiB/s) / (0 + 1)) = 1;
    // 0.2·1 (same idc) + 0.1·1 (same location) + 0.6·0.48 + 0.1·0.5
    assertThat(b.totalScore()).isCloseTo(0.2 + 0.1 + 0.6 * 0.48 + 0.05, within(1e-12));
    assertThat(
            GiveAwareEvaluator.give(
                0, f.task.peer("req").orElseThrow(), f.task.peer("c").orElseThrow()))
        .isEqualTo(GiveAwareEvaluator.UNKNOWN_PROGRESS_GIVE);
  }

  @Test
  void dragonflyScoresProgressFreeSlotsAndPlacementByHand() {
    Fixture f = new Fixture();
    f.task.setMetadata(100 * Fixture.MIB, Fixture.MIB, 100);
    f.host("h-req");
    f.peer("req", "h-req", PeerState.RUNNING);
    f.host("h-c");
    f.peer("c", "h-c", PeerState.RUNNING).reportProgress(50, 1);
    ScoreBreakdown b = new DragonflyEvaluator().score(f.context("req", Set.of()), f.candidate("c"));
    // 0.2·0.5 + 0.2·1 + 0.15·(10 free of 10 slots) + 0.15·0.5 + 0.15·1 + 0.15·1
    assertThat(b.totalScore()).isCloseTo(0.1 + 0.2 + 0.15 + 0.075 + 0.15 + 0.15, within(1e-12));
  }

  @Test
  void seedLastScoresASeedLikeAFinishedSeedWhileItDownloads() {
    Fixture f = new Fixture();
    f.host("h-req");
    f.peer("req", "h-req", PeerState.RUNNING);
    f.host("h-s", io.swarmsched.scheduling.resource.HostType.SUPER_SEED, "idc-a", "cn|zj|hz");
    f.peer("s", "h-s", PeerState.BACK_TO_SOURCE);
    f.score("h-s", 0.5, 0);
    SelectionContext ctx = f.context("req", Set.of());
    assertThat(
            new SeedLastEvaluator(EvaluatorWeights.DEFAULT)
                .score(ctx, f.candidate("s"))
                .hostTypeScore())
        .isZero();
    assertThat(new LoadAwareEvaluator().score(ctx, f.candidate("s")).hostTypeScore())
        .isEqualTo(1.0);
    // 0.2 + 0.1 + 0.6·0.5 + 0.1·0
    assertThat(
            new SeedLastEvaluator(EvaluatorWeights.DEFAULT)
                .score(ctx, f.candidate("s"))
                .totalScore())
        .isCloseTo(0.6, within(1e-12));
  }
}
