package io.swarmsched.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.runtime.streams.ZombieTransactions.Txn;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

/** The rule that tells a killed previous owner's open transaction from anyone else's. */
class ZombieTransactionsTest {
  static final String APP = "swarm-dispatcher";
  static final String TASKS = APP + "-tasks-changelog";
  static final String LEDGER = APP + "-ledger-changelog";

  final AtomicLong now = new AtomicLong(100_000);
  final ZombieTransactions zombies =
      new ZombieTransactions(APP, Map.of(0, Set.of(TASKS), 1, Set.of(LEDGER)), now::get);

  static Txn txn(String id, long startMs, TopicPartition... partitions) {
    return new Txn(id, startMs, Set.of(partitions));
  }

  @Test
  void anOpenTransactionOnATakenOverTasksChangelogFromBeforeItArrivedIsAZombie() {
    zombies.observe(Set.of(new TaskId(0, 1)));
    assertThat(zombies.watching()).isTrue();
    assertThat(
            zombies.zombies(
                List.of(
                    txn(APP + "-killed-1", 95_000, new TopicPartition(TASKS, 1)),
                    // started after the task arrived (less than the margin before): this
                    // instance's own
                    txn(APP + "-self-1", 99_500, new TopicPartition(TASKS, 1)))))
        .containsExactly(APP + "-killed-1");
  }

  @Test
  void transactionsOnOtherTasksOtherStoresOrOtherApplicationsAreLeftAlone() {
    zombies.observe(Set.of(new TaskId(0, 1)));
    assertThat(
            zombies.zombies(
                List.of(
                    // a living instance's long transaction on its own task (a broker failover)
                    txn(APP + "-living-1", 50_000, new TopicPartition(TASKS, 2)),
                    // partition 1 of a store of another subtopology (task 1_1, not run here)
                    txn(APP + "-living-2", 50_000, new TopicPartition(LEDGER, 1)),
                    // another application's transaction on a topic of the same name
                    txn("other-app-1", 50_000, new TopicPartition(TASKS, 1)),
                    // an output topic, not a changelog
                    txn(APP + "-living-3", 50_000, new TopicPartition("decisions", 1)))))
        .isEmpty();
  }

  @Test
  void aChangelogPartitionWhoseRestoreBeganIsWatchedBeforeItsTaskRuns() {
    // a taken-over task waits in restoration while the killed owner's transaction is open
    zombies.onRestoreStart(new TopicPartition(TASKS, 3), "tasks", 0, 10);
    assertThat(zombies.watching()).isTrue();
    assertThat(
            zombies.zombies(
                List.of(
                    txn(APP + "-killed-1", 95_000, new TopicPartition(TASKS, 3)),
                    txn(APP + "-self-1", 99_500, new TopicPartition(TASKS, 3)),
                    txn(APP + "-living-1", 50_000, new TopicPartition(TASKS, 4)))))
        .containsExactly(APP + "-killed-1");
    now.addAndGet(ZombieTransactions.WATCH_MS + 1);
    zombies.observe(Set.of());
    assertThat(zombies.watching()).isFalse();
  }

  @Test
  void onlyTasksThatArriveAreWatchedAndForOnlyAMinute() {
    zombies.observe(Set.of(new TaskId(0, 1)));
    now.addAndGet(ZombieTransactions.WATCH_MS + 1);
    zombies.observe(Set.of(new TaskId(0, 1), new TaskId(1, 1)));
    // 0_1 has been here for over a minute: no longer watched; 1_1 just arrived
    List<Txn> open =
        List.of(
            txn(APP + "-a-1", 1_000, new TopicPartition(TASKS, 1)),
            txn(APP + "-b-1", 1_000, new TopicPartition(LEDGER, 1)));
    assertThat(zombies.zombies(open)).containsExactly(APP + "-b-1");

    // a task that leaves is forgotten, and watched afresh when it comes back
    zombies.observe(Set.of());
    assertThat(zombies.watching()).isFalse();
    assertThat(zombies.zombies(open)).isEmpty();
    now.addAndGet(5_000);
    zombies.observe(Set.of(new TaskId(0, 1)));
    assertThat(zombies.zombies(open)).containsExactly(APP + "-a-1");
  }

  @Test
  void theChangelogsOfEachSubtopologyComeFromTheTopology() {
    StreamsBuilder builder = new StreamsBuilder();
    builder.table("in", Consumed.with(Serdes.String(), Serdes.String()), Materialized.as("latest"));
    builder.stream("other", Consumed.with(Serdes.String(), Serdes.String()))
        .groupByKey()
        .count(Materialized.as("counts"));
    assertThat(ZombieTransactions.changelogsBySubtopology("app", builder.build().describe()))
        .isEqualTo(Map.of(0, Set.of("app-latest-changelog"), 1, Set.of("app-counts-changelog")));
  }

  @Test
  void aTransactionOfAProcessTheAssignmentLeftOutIsAZombieWhateverItWroteTo() {
    UUID living = UUID.fromString("0f572673-af91-4848-9118-18f5a21bfea2");
    UUID killed = UUID.fromString("bda0181b-b13e-4912-9bf8-9ebeca0ad1dd");
    UUID joining = UUID.fromString("2b9e361e-d6be-412b-baf2-a88013c1d2e4");
    assertThat(zombies.watching()).isFalse();
    zombies.assigned(Set.of(living));
    assertThat(zombies.watching()).isTrue();
    assertThat(
            zombies.zombies(
                List.of(
                    // the killed instance's transaction had only reached an output topic
                    txn(APP + "-" + killed + "-1", 95_000, new TopicPartition("decisions", 1)),
                    // a living member's, long as it may be (a broker failover)
                    txn(APP + "-" + living + "-1", 50_000, new TopicPartition("decisions", 2)),
                    // an instance that joined after the assignment began it later
                    txn(APP + "-" + joining + "-1", 99_500, new TopicPartition("decisions", 3)),
                    // not exactly-once v2's naming, or another application's
                    txn(APP + "-x-" + killed + "-1", 95_000, new TopicPartition("decisions", 1)),
                    txn("other-" + killed + "-1", 95_000, new TopicPartition("decisions", 1)))))
        .containsExactly(APP + "-" + killed + "-1");
    assertThat(zombies.processOf(APP + "-" + killed + "-12")).contains(killed);
    assertThat(zombies.processOf(APP + "-" + killed + "-1x")).isEmpty();
    assertThat(zombies.processOf(APP + "-" + killed)).isEmpty();
    // an assignment is looked at for a while, then forgotten
    now.addAndGet(ZombieTransactions.WATCH_MS + 1);
    assertThat(zombies.watching()).isFalse();
  }
}
