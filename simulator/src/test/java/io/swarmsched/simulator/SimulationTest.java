package io.swarmsched.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.scheduling.evaluator.Evaluators;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every policy runs every kind of scenario at a small size, and the report judges what it should.
 */
class SimulationTest {

  static final long MIB = 1024L * 1024;

  @Test
  void everyPolicyFinishesASmallUniformSwarmWithTheOriginReadOnce() {
    Scenario sc = Scenarios.byName("uniform").withHosts(40).withSize(32 * MIB);
    Simulation.Results res =
        Simulation.run(
            List.of(sc), Evaluators.NAMES, SimOptions.of("load-aware").withOriginAssist(0), null);
    assertThat(res.rows()).hasSize(Evaluators.NAMES.size());
    for (Simulation.Row row : res.rows()) {
      SimResult r = row.result();
      assertThat(r.unfinished()).as(r.policy()).isZero();
      assertThat(r.completions()).as(r.policy()).hasSize(40);
      assertThat(r.originBytes())
          .as(r.policy())
          .isEqualTo(sc.fileBytes()); // only the seed goes to the origin
      assertThat(r.backToSource()).as(r.policy()).isZero();
      assertThat(r.p50()).isLessThanOrEqualTo(r.p99());
      assertThat(r.p99()).isLessThanOrEqualTo(r.max());
    }
  }

  @Test
  void aChildGrantedTheOriginReadsEachPieceOfItsSliceAtMostOnce() {
    Scenario sc = Scenarios.byName("uniform").withHosts(40).withSize(32 * MIB);
    for (int assist : List.of(1, 2)) {
      SimResult r =
          new Swarm(sc, SimOptions.of("load-aware").withOriginAssist(assist).withChecks(true), null)
              .run();
      assertThat(r.unfinished()).as("assist %d", assist).isZero();
      assertThat(r.backToSource()).isZero();
      // the seed's read, and the granted children's disjoint slices: at most one more copy
      assertThat(r.originBytes())
          .isGreaterThan(sc.fileBytes())
          .isLessThanOrEqualTo(2 * sc.fileBytes());
      assertThat(r.bytesSent()).isEqualTo(r.bytesReceived());
      assertThat(r.limitViolations()).isZero();
    }
  }

  @Test
  void seedLossChurnAndCrossIdcSwarmsStillFinish() {
    for (String name : List.of("seed-loss", "churn", "cross-idc", "flash-crowd")) {
      Scenario sc = Scenarios.byName(name).withHosts(30).withSize(16 * MIB);
      SimResult r = new Swarm(sc, SimOptions.of("load-aware").withChecks(true), null).run();
      assertThat(r.unfinished()).as(name).isZero();
      assertThat(r.limitViolations()).as(name).isZero();
      assertThat(r.bytesSent()).as(name).isEqualTo(r.bytesReceived());
    }
  }

  /**
   * The seed leaves at half the bound having sent about half the pieces: with the dispatcher's
   * copy-lost rule one peer goes back to source as soon as a starved child asks for more, and the
   * swarm is within the scenario's thresholds; without it (the dispatcher before) every child waits
   * out the 15 s stall timeout first.
   */
  @Test
  void whenTheSeedLeavesEarlyTheCopyLostRuleSendsOnePeerBackToSourceAtOnce() {
    Scenario sc =
        Scenarios.byName("seed-loss").withHosts(60); // 1 GiB: the agent's timers are not scaled
    SimResult with = new Swarm(sc, SimOptions.of("load-aware").withChecks(true), null).run();
    SimResult without =
        new Swarm(sc, SimOptions.of("load-aware").withChecks(true).withCopyLostRule(false), null)
            .run();
    for (SimResult r : List.of(with, without)) {
      assertThat(r.unfinished()).isZero();
      assertThat(r.limitViolations()).isZero();
      assertThat(r.bytesSent()).isEqualTo(r.bytesReceived());
    }
    assertThat(with.backToSource()).isEqualTo(1);
    assertThat(with.p50() / with.bound()).isLessThanOrEqualTo(sc.p50Max());
    assertThat(with.p99() / with.bound()).isLessThanOrEqualTo(sc.p99Max());
    assertThat(without.p50() - with.p50())
        .as("the stall timeout the rule saves, less what it costs")
        .isGreaterThan(Swarm.STALL_SECONDS / 2);
  }

  @Test
  void keepingIdleParentsAsTheAgentDidBeforeKeepsTheConservationLawsAndEveryoneFinishes() {
    // replacing them is the default (the agent's swarm.agent.replace.idle.parents), which the
    // tests above run; this is the model of the agent before it (Main's keep-idle-parents)
    assertThat(SimOptions.of("load-aware").replaceIdleParents()).isTrue();
    Scenario sc = Scenarios.byName("skewed").withHosts(60).withSize(32 * MIB);
    SimResult r =
        new Swarm(
                sc,
                SimOptions.of("load-aware").withChecks(true).withReplaceIdleParents(false),
                null)
            .run();
    assertThat(r.unfinished()).isZero();
    assertThat(r.limitViolations()).isZero();
    assertThat(r.incompleteFinished()).isZero();
    assertThat(r.bytesSent()).isEqualTo(r.bytesReceived());
  }

  @Test
  void comparisonsAreMadeForSkewedSamplingAndTheFirstChild() {
    List<Scenario> scs =
        List.of(
            Scenarios.byName("skewed").withHosts(20).withSize(8 * MIB),
            Scenarios.byName(Scenarios.SAMPLING).withHosts(60).withSize(8 * MIB),
            Scenarios.byName(Scenarios.FIRST_CHILD).withSize(16 * MIB));
    Simulation.Results res =
        Simulation.run(scs, List.of("load-aware", "random"), SimOptions.of("load-aware"), null);
    assertThat(res.comparisons())
        .extracting(Simulation.Comparison::scenario)
        .contains("skewed/20", Scenarios.SAMPLING, Scenarios.FIRST_CHILD);
    assertThat(res.rows())
        .extracting(Simulation.Row::variant)
        .contains("sampled", "full scan", "dag rule", "history dag");
    String table = Report.table(res);
    assertThat(table).contains("load-aware vs random at p99").contains("sampled p99");
    assertThat(Report.json(res)).contains("\"scenario\": \"skewed\"").contains("\"comparisons\"");
  }

  @Test
  void theFluidBoundIsTheLargestOfItsThreeTerms() {
    Scenario sc =
        new Scenario(
            "b",
            "",
            10,
            1000 * MIB,
            0,
            10 * MIB,
            0,
            1,
            100 * MIB,
            1,
            0,
            50 * MIB,
            20 * MIB,
            0,
            -1,
            0,
            0,
            1,
            1,
            -1);
    // F/u_s = 1000/20 = 50; F/d = 10; N·F/(u_s + Σu) = 10·1000/(20 + 100) = 83.3
    assertThat(sc.fluidBound()).isEqualTo(10 * 1000.0 / 120.0);
    assertThat(sc.pieceCount()).isEqualTo(500); // 2 MiB pieces
  }

  @Test
  void unknownNamesAreClearErrors() {
    assertThatThrownBy(() -> Scenarios.byName("nope"))
        .hasMessageContaining("unknown scenario 'nope'")
        .hasMessageContaining("uniform");
    assertThatThrownBy(() -> new Swarm(Scenarios.byName("uniform"), SimOptions.of("nope"), null))
        .hasMessageContaining("unknown evaluator policy");
  }
}
