package io.swarmsched.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The counting behind the verdict, without Kafka: what counts as delivered twice, decided twice,
 * and recovered.
 */
class AuditCountsTest {

  private static DecisionAudit.Delivery delivery(
      String decisionId, String outcome, List<String> parents, long offset) {
    return new DecisionAudit.Delivery(decisionId, outcome, null, parents, 1, 1_000L, 0, offset);
  }

  @Test
  void theSameDecisionReadTwiceIsDeliveredTwiceButNotDecidedTwice() {
    DecisionAudit audit = new DecisionAudit();
    audit.byRequest.put(
        "r1", new ArrayList<>(List.of(delivery("d1", "PARENTS", List.of("h1"), 10))));
    audit.byRequest.put(
        "r2",
        new ArrayList<>(
            List.of(
                delivery("d2", "PARENTS", List.of("h2"), 11),
                // a replay after a crash: same decision, another round and stream time
                new DecisionAudit.Delivery(
                    "d2", "PARENTS", null, List.of("h2"), 3, 9_000L, 1, 40))));

    assertThat(audit.deliveredTwice()).containsExactly("r2");
    assertThat(audit.decidedTwiceDifferently()).isEmpty();
  }

  @Test
  void anotherDecisionIdOutcomeOrParentSetIsDecidedTwiceDifferently() {
    DecisionAudit audit = new DecisionAudit();
    audit.byRequest.put(
        "id",
        new ArrayList<>(
            List.of(
                delivery("d1", "PARENTS", List.of("h1"), 1),
                delivery("d9", "PARENTS", List.of("h1"), 2))));
    audit.byRequest.put(
        "outcome",
        new ArrayList<>(
            List.of(
                delivery("d3", "PARENTS", List.of("h1"), 3),
                delivery("d3", "BACK_TO_SOURCE", List.of(), 4))));
    audit.byRequest.put(
        "parents",
        new ArrayList<>(
            List.of(
                delivery("d4", "PARENTS", List.of("h1"), 5),
                delivery("d4", "PARENTS", List.of("h2"), 6))));
    audit.byRequest.put(
        "once", new ArrayList<>(List.of(delivery("d5", "PARENTS", List.of("h1"), 7))));

    assertThat(audit.decidedTwiceDifferently()).containsExactly("id", "outcome", "parents");
    assertThat(audit.deliveredTwice()).containsExactly("id", "outcome", "parents");
  }

  @Test
  void recoveryIsTheTimeToTheFirstDecisionAfterTheFaultPerPartition() {
    ChaosHarness.FaultRecord kill =
        new ChaosHarness.FaultRecord("kill dispatcher", "d-2", 10_000, 300, Set.of(1, 2), "");
    List<DecisionTap.Seen> seen =
        List.of(
            new DecisionTap.Seen(9_000, 1, 0, 0), // before the fault: ignored
            new DecisionTap.Seen(10_500, 0, 0, 0), // a survivor's partition goes on at once
            new DecisionTap.Seen(14_000, 1, 0, 0),
            new DecisionTap.Seen(
                25_000, 2, 0, 0), // the last killed partition answers 15 s after the kill
            new DecisionTap.Seen(26_000, 2, 0, 0));

    ChaosReport.Fault f = kill.measure(seen, 3, 0);

    assertThat(f.firstDecisionMs()).isEqualTo(500);
    assertThat(f.killedPartitionsMs()).isEqualTo(15_000);
    assertThat(f.allPartitionsMs()).isEqualTo(15_000);
    assertThat(f.killedPartitions()).containsExactly(1, 2);
    assertThat(f.partitionsMs()).containsExactly(500L, 4_000L, 15_000L);
    assertThat(f.atSecond()).isEqualTo(10.0);
  }

  @Test
  void aPartitionThatNeverAnswersAgainIsReportedAsNone() {
    ChaosHarness.FaultRecord kill =
        new ChaosHarness.FaultRecord("kill broker", "b-1", 1_000, 10, Set.of(), "");
    ChaosReport.Fault f = kill.measure(List.of(new DecisionTap.Seen(2_000, 0, 0, 0)), 2, 0);

    assertThat(f.firstDecisionMs()).isEqualTo(1_000);
    assertThat(f.allPartitionsMs()).isEqualTo(-1);
    assertThat(f.killedPartitionsMs()).isEqualTo(-1);
    assertThat(f.partitionsMs()).containsExactly(1_000L, -1L);
  }

  @Test
  void aFaultCountsOnlyDecisionsWrittenAfterItWhenTheTopicsEndsAreKnown() {
    long kill = 10_000;
    // request partition 0: a decision written before the kill (offset 4 of decision partition 1,
    // whose end was 5 at the kill) but read 50 ms after it, then one written after it, read 7 s on
    List<DecisionTap.Seen> seen =
        List.of(
            new DecisionTap.Seen(kill - 100, 0, 1, 3),
            new DecisionTap.Seen(kill + 50, 0, 1, 4),
            new DecisionTap.Seen(kill + 7_000, 0, 1, 5),
            new DecisionTap.Seen(kill + 300, 1, 0, 9));
    ChaosHarness.FaultRecord known =
        new ChaosHarness.FaultRecord(
            "kill dispatcher", "d-1", kill, 100, Set.of(0), "", java.util.Map.of(0, 9L, 1, 5L));
    ChaosReport.Fault f = known.measure(seen, 2, 0);
    assertThat(f.killedPartitionsMs()).isEqualTo(7_000);
    assertThat(f.partitionsMs()).containsExactly(7_000L, 300L);
    assertThat(f.firstDecisionMs()).isEqualTo(300);

    // without the ends, the late read of the earlier decision counts (the measure before)
    ChaosHarness.FaultRecord unknown =
        new ChaosHarness.FaultRecord("kill dispatcher", "d-1", kill, 100, Set.of(0), "");
    assertThat(unknown.measure(seen, 2, 0).killedPartitionsMs()).isEqualTo(50);
  }
}
