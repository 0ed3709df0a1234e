package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherFixture.T0;
import static io.swarmsched.dispatcher.topology.DispatcherFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.state.StoredDecision;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.Liveness;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * The decision store keeps each terminal decision, with its time, as one record: a repeated request
 * id within {@code decision.retention} gets the stored decision again, and the expiry sweep forgets
 * it between the retention and about 1.25 times it (plus one patrol), also when the store holds
 * more decisions than one patrol's sweep reads.
 */
class DecisionExpiryTest extends TopologyTestBase {
  private static final long RETENTION = 60_000;
  private static final long PATROL = 5_000;

  /** The latest a decision may still be held: retention, a quarter more, a patrol, a step. */
  private static final long FORGOTTEN_BY = RETENTION + RETENTION / 4 + PATROL + 200;

  private DispatcherFixture shortRetention() {
    return fixture(
        Map.of(
            DispatcherConfig.DECISION_RETENTION, RETENTION + "ms",
            DispatcherConfig.PATROL_INTERVAL, PATROL + "ms"));
  }

  private KeyValueStore<String, StoredDecision> decisionStore() {
    return f.driver.getKeyValueStore(DispatcherTopology.DECISIONS_STORE);
  }

  private long stored() {
    long n = 0;
    try (KeyValueIterator<String, StoredDecision> it = decisionStore().all()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  @Test
  void aDecisionIsOneRecordWithItsTimeKeptForTheRetentionThenForgotten() {
    var f = shortRetention();
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    f.send(request("r1", "t1", "p1", "h1", T0).build());
    List<ScheduleDecision> first = f.readDecisions();
    assertThat(first)
        .extracting(ScheduleDecision::getOutcome)
        .containsExactly(DecisionOutcome.BACK_TO_SOURCE);

    StoredDecision held = decisionStore().get("r1");
    assertThat(held.decidedAt()).isEqualTo(first.get(0).getDecidedAt().toEpochMilli());
    assertThat(held.decision()).isEqualTo(first.get(0));
    assertThat(stored()).isEqualTo(1);

    f.advanceTo(T0 + 100, T0 + RETENTION - 1_000);
    assertThat(decisionStore().get("r1")).as("still within the retention").isNotNull();
    f.send(request("r1", "t1", "p1", "h1", T0 + RETENTION - 900).build());
    assertThat(f.readDecisions()).as("the stored decision again").containsExactly(first.get(0));

    f.advanceTo(T0 + RETENTION - 800, T0 + FORGOTTEN_BY);
    assertThat(decisionStore().get("r1")).as("forgotten after the retention").isNull();
    assertThat(stored()).isZero();
  }

  @Test
  void theSweepGoesRoundAStoreLargerThanOnePatrolReads() {
    var f = shortRetention();
    f.host("h1", HostType.NORMAL, Liveness.ONLINE);
    // old decisions under keys that sort last, newer ones (more than one sweep reads) under keys
    // that sort first: a sweep that always began at the first key would never reach the old ones
    int old = DecisionLog.MIN_SWEEP;
    int newer = DecisionLog.MIN_SWEEP * 3 / 2;
    for (int i = 0; i < old; i++) {
      f.send(request("z-" + i, "tz" + i, "p", "h1", T0 + i / 10).build());
    }
    f.advanceTo(T0 + 200, T0 + 40_000);
    for (int i = 0; i < newer; i++) {
      f.send(request("a-" + i, "ta" + i, "p", "h1", T0 + 40_000 + i / 10).build());
    }
    assertThat(f.readDecisions()).hasSize(old + newer);
    assertThat(stored()).isEqualTo(old + newer);

    f.advanceTo(T0 + 40_200, T0 + RETENTION - 1_000);
    assertThat(stored()).as("none before its retention").isEqualTo(old + newer);
    f.advanceTo(T0 + RETENTION - 900, T0 + FORGOTTEN_BY);
    assertThat(decisionStore().get("z-0")).isNull();
    assertThat(stored()).as("the old ones forgotten, the newer kept").isEqualTo(newer);
    assertThat(decisionStore().get("a-0")).isNotNull();
  }
}
