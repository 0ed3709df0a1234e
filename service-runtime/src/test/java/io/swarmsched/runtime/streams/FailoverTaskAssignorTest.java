package io.swarmsched.runtime.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.assignment.ApplicationState;
import org.apache.kafka.streams.processor.assignment.AssignmentConfigs;
import org.apache.kafka.streams.processor.assignment.KafkaStreamsAssignment;
import org.apache.kafka.streams.processor.assignment.KafkaStreamsAssignment.AssignedTask;
import org.apache.kafka.streams.processor.assignment.KafkaStreamsState;
import org.apache.kafka.streams.processor.assignment.ProcessId;
import org.apache.kafka.streams.processor.assignment.TaskAssignmentUtils;
import org.apache.kafka.streams.processor.assignment.TaskAssignor;
import org.apache.kafka.streams.processor.assignment.TaskInfo;
import org.apache.kafka.streams.processor.assignment.TaskTopicPartition;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

/**
 * The assignor's rules on the situations of a failover and a join (pure logic: Streams' assignment
 * interfaces filled in by hand, as the partition assignor would fill them).
 */
class FailoverTaskAssignorTest {
  /** Four stateful sub-topologies on six partitions, as the dispatcher has (24 tasks). */
  private static final List<TaskId> TASKS = tasks(4, 6);

  private static final ProcessId A = new ProcessId(new UUID(0, 1));
  private static final ProcessId B = new ProcessId(new UUID(0, 2));
  private static final ProcessId C = new ProcessId(new UUID(0, 3));

  @Test
  void aKilledInstancesTasksGoToTheirStandbysUpToTheirShareAndNothingElseMoves() {
    // A, B, C each ran 8 tasks; each task's standby on the next instance (A's on B, B's on C, C's
    // on A), and C is gone
    Cluster before = roundRobin(List.of(A, B, C));
    Cluster after = before.without(C);

    Map<ProcessId, KafkaStreamsAssignment> result = assign(after, 1);

    // C's standbys were all on A: A takes them up to its share (12), B (caught up on them: 3,000
    // records behind, under acceptable.recovery.lag) the rest; neither survivor's own tasks move
    assertThat(active(result, A)).containsAll(before.active.get(A));
    assertThat(active(result, B)).containsAll(before.active.get(B));
    assertThat(active(result, A)).hasSize(12);
    assertThat(active(result, B)).hasSize(12);
    Set<TaskId> cOnA = new TreeSet<>(before.active.get(C));
    cOnA.retainAll(active(result, A));
    assertThat(cOnA).hasSize(4);
    assertThat(before.standby.get(A)).containsAll(cOnA);
    assertThat(followup(result)).isFalse();
    assertValid(after, result, 1);
  }

  @Test
  void whenTheKilledTasksStandbysAreSpreadNothingOfTheSurvivorsMoves() {
    Cluster before = roundRobin(List.of(A, B, C));
    // half of C's standbys on B instead of A
    List<TaskId> cTasks = new ArrayList<>(before.active.get(C));
    for (TaskId t : cTasks.subList(0, 4)) {
      before.standby.get(A).remove(t);
      before.standby.get(B).add(t);
      before.lags.get(A).put(t, 3_000L);
      before.lags.get(B).put(t, 20L);
    }
    Cluster after = before.without(C);

    Map<ProcessId, KafkaStreamsAssignment> result = assign(after, 1);

    assertThat(active(result, A)).containsAll(before.active.get(A));
    assertThat(active(result, B)).containsAll(before.active.get(B));
    assertThat(active(result, A)).containsAll(cTasks.subList(4, 8));
    assertThat(active(result, B)).containsAll(cTasks.subList(0, 4));
    assertThat(followup(result)).isFalse();
    assertValid(after, result, 1);
  }

  @Test
  void theMostCaughtUpSurvivorTakesAKilledTask() {
    // no standbys; C gone; B lags less than A on one of C's tasks (say, an old copy on disk)
    Cluster before = roundRobin(List.of(A, B, C));
    before.standby.values().forEach(Set::clear);
    Cluster after = before.without(C);
    TaskId t = before.active.get(C).first();
    after.lags.get(A).put(t, 5_000L);
    after.lags.get(B).put(t, 40L);

    Map<ProcessId, KafkaStreamsAssignment> result = assign(after, 0);

    assertThat(active(result, B)).contains(t);
    assertValid(after, result, 0);
  }

  @Test
  void aJoiningInstanceThatHasNotCaughtUpGetsWarmUpsNotTasks() {
    Cluster one = aloneThenJoined(50_000L);

    Map<ProcessId, KafkaStreamsAssignment> result = assign(one, 1);

    assertThat(active(result, A)).containsExactlyInAnyOrderElementsOf(TASKS);
    assertThat(active(result, B)).isEmpty();
    // every task's standby on B, two of them being the warm-ups of moves to come
    assertThat(standby(result, B)).containsExactlyInAnyOrderElementsOf(TASKS);
    assertThat(followup(result)).isTrue();
    assertValid(one, result, 1);
  }

  @Test
  void aJoiningInstanceThatIsCaughtUpTakesItsShareAtOnce() {
    Cluster one = aloneThenJoined(100L);

    Map<ProcessId, KafkaStreamsAssignment> result = assign(one, 1);

    assertThat(active(result, A)).hasSize(12);
    assertThat(active(result, B)).hasSize(12);
    assertThat(followup(result)).isFalse();
    assertValid(one, result, 1);
  }

  @Test
  void warmedUpTasksMoveInTheProbingRebalance() {
    Cluster one = aloneThenJoined(50_000L);
    TaskId warm = TASKS.get(5);
    one.standby.get(B).add(warm);
    one.lags.get(B).put(warm, 10L);

    Map<ProcessId, KafkaStreamsAssignment> result = assign(one, 0);

    assertThat(active(result, B)).containsExactly(warm);
    assertThat(standby(result, B)).hasSize(2); // the next two warm-ups
    assertThat(followup(result)).isTrue();
    assertValid(one, result, 0);
  }

  @Test
  void aFreshStartSpreadsTasksEvenlyByThreads() {
    Cluster fresh = new Cluster();
    fresh.add(A, 2);
    fresh.add(B, 1);
    for (ProcessId p : List.of(A, B)) for (TaskId t : TASKS) fresh.lags.get(p).put(t, 0L);

    Map<ProcessId, KafkaStreamsAssignment> result = assign(fresh, 1);

    assertThat(active(result, A)).hasSize(16);
    assertThat(active(result, B)).hasSize(8);
    assertValid(fresh, result, 1);
  }

  @Test
  void standbysStayWhereTheStateIsAndStatelessTasksGetNone() {
    Cluster before = roundRobin(List.of(A, B, C));
    TaskId stateless = new TaskId(9, 0);
    before.stateless.add(stateless);
    before.active.get(A).add(stateless);

    Map<ProcessId, KafkaStreamsAssignment> result = assign(before, 1);

    for (ProcessId p : List.of(A, B, C)) {
      assertThat(active(result, p)).isEqualTo(before.active.get(p));
      assertThat(standby(result, p)).isEqualTo(before.standby.get(p));
    }
    assertValid(before, result, 1);
  }

  @Test
  void aThirdInstanceJoiningTakesItsShareFromBoth() {
    // seven tasks (as the dispatcher has) on A (4) and B (3); C joins, caught up
    List<TaskId> seven = TASKS.subList(0, 7);
    Cluster two = new Cluster();
    two.add(A, 1);
    two.add(B, 1);
    two.add(C, 1);
    two.active.get(A).addAll(seven.subList(0, 4));
    two.active.get(B).addAll(seven.subList(4, 7));
    for (ProcessId p : List.of(A, B, C)) for (TaskId t : seven) two.lags.get(p).put(t, 0L);
    two.only.addAll(seven);

    Map<ProcessId, KafkaStreamsAssignment> result = assign(two, 1);

    // 3, 2, 2 in some order: C takes two, each from the instance that had the most then
    assertThat(active(result, C)).hasSize(2);
    assertThat(List.of(active(result, A).size(), active(result, B).size()))
        .containsExactlyInAnyOrder(3, 2);
    assertValid(two, result, 1);
  }

  @Test
  void aTaskRevokedForAMoveGoesToWhereItWasMovedNotBackToItsOwner() {
    // seven tasks; A ran 0-3 and gave task 3 up for C in the last rebalance (cooperative: revoked
    // first, assigned in the follow-up), so nobody runs it now; A is the most caught up on it
    List<TaskId> seven = TASKS.subList(0, 7);
    TaskId moved = seven.get(3);
    Cluster c = new Cluster();
    c.add(A, 1);
    c.add(B, 1);
    c.add(C, 1);
    c.active.get(A).addAll(seven.subList(0, 3));
    c.active.get(B).addAll(seven.subList(4, 6));
    c.active.get(C).add(seven.get(6));
    c.standby.get(C).add(moved);
    for (ProcessId p : List.of(A, B, C)) for (TaskId t : seven) c.lags.get(p).put(t, 50_000L);
    c.lags.get(A).put(moved, 0L);
    c.lags.get(C).put(moved, 30L);
    c.only.addAll(seven);

    Map<ProcessId, KafkaStreamsAssignment> result = assign(c, 0);

    // C (below its share of 2) takes it; A keeps its three, nothing moves
    assertThat(active(result, C)).containsExactlyInAnyOrder(moved, seven.get(6));
    assertThat(active(result, A)).containsExactlyInAnyOrderElementsOf(seven.subList(0, 3));
    assertThat(active(result, B)).containsExactlyInAnyOrderElementsOf(seven.subList(4, 6));
    assertThat(followup(result)).isFalse();
    assertValid(c, result, 0);
  }

  @Test
  void joinsSettleUnderCooperativeRebalancingInsteadOfMovingATaskEveryRebalance() {
    // seven tasks on A; B and C join, each caught up on all of them (standbys); every rebalance is
    // followed the way Streams' cooperative protocol does it: a task whose owner changes is only
    // revoked, and assigned in the next rebalance, when its old owner is the most caught up on it
    List<TaskId> seven = TASKS.subList(0, 7);
    Cluster c = new Cluster();
    for (ProcessId p : List.of(A, B, C)) c.add(p, 1);
    c.active.get(A).addAll(seven);
    c.standby.get(B).addAll(seven);
    c.standby.get(C).addAll(seven);
    for (ProcessId p : List.of(A, B, C)) for (TaskId t : seven) c.lags.get(p).put(t, 40L);
    for (TaskId t : seven) c.lags.get(A).put(t, -2L);
    c.only.addAll(seven);

    int rebalances = 0;
    boolean moving = true;
    while (moving && rebalances < 10) {
      Map<ProcessId, KafkaStreamsAssignment> result = assign(c, 1);
      assertValid(c, result, 1);
      rebalances++;
      moving = false;
      Cluster next = new Cluster();
      for (ProcessId p : List.of(A, B, C)) next.add(p, 1);
      next.only.addAll(seven);
      for (ProcessId p : List.of(A, B, C)) {
        for (TaskId t : seven) {
          boolean ranHere = c.active.get(p).contains(t);
          boolean givenHere = active(result, p).contains(t);
          boolean wasOwned = c.active.values().stream().anyMatch(s -> s.contains(t));
          if (givenHere && (ranHere || !wasOwned)) {
            next.active.get(p).add(t); // kept, or assigned after its revocation
          } else if (givenHere) {
            moving = true; // moved: revoked now, assigned in the next rebalance
          }
          // a task's state stays on disk where it ran or was a standby (Streams reports it)
          if (standby(result, p).contains(t) || ranHere || c.standby.get(p).contains(t)) {
            next.standby.get(p).add(t);
          }
          next.lags.get(p).put(t, ranHere ? 0L : 40L);
        }
        next.standby.get(p).removeAll(next.active.get(p));
        for (TaskId t : next.active.get(p)) next.lags.get(p).put(t, -2L);
      }
      c = next;
    }

    // a move, then the follow-up that assigns the revoked tasks, then nothing moves
    assertThat(rebalances).isLessThanOrEqualTo(3);
    assertThat(List.of(c.active.get(A).size(), c.active.get(B).size(), c.active.get(C).size()))
        .containsExactlyInAnyOrder(3, 2, 2);
  }

  @Test
  void theConfiguredListenerIsToldWhoIsInTheGroup() {
    Cluster before = roundRobin(List.of(A, B, C));
    List<Set<UUID>> told = new ArrayList<>();
    FailoverTaskAssignor assignor = new FailoverTaskAssignor();
    assignor.configure(
        Map.of(
            FailoverTaskAssignor.LISTENER_CONFIG,
            (FailoverTaskAssignor.AssignmentListener) told::add));
    assignor.assign(before.without(C).state(1));
    assertThat(told).containsExactly(Set.of(A.id(), B.id()));
  }

  // --- the cluster as the partition assignor describes it ---

  private static Map<ProcessId, KafkaStreamsAssignment> assign(Cluster cluster, int standbys) {
    TaskAssignor.TaskAssignment assignment =
        new FailoverTaskAssignor().assign(cluster.state(standbys));
    Map<ProcessId, KafkaStreamsAssignment> byProcess = new TreeMap<>();
    assignment.assignment().forEach(a -> byProcess.put(a.processId(), a));
    return byProcess;
  }

  private static void assertValid(
      Cluster cluster, Map<ProcessId, KafkaStreamsAssignment> result, int standbys) {
    ApplicationState state = cluster.state(standbys);
    assertThat(
            TaskAssignmentUtils.validateTaskAssignment(
                state, new TaskAssignor.TaskAssignment(result.values())))
        .isEqualTo(TaskAssignor.AssignmentError.NONE);
    Map<TaskId, Integer> actives = new HashMap<>();
    result
        .values()
        .forEach(
            a -> active(result, a.processId()).forEach(t -> actives.merge(t, 1, Integer::sum)));
    assertThat(actives.keySet()).isEqualTo(state.allTasks().keySet());
    assertThat(actives.values()).allMatch(n -> n == 1);
    for (TaskId t : state.allTasks().keySet()) {
      long copies =
          result.values().stream().filter(a -> standby(result, a.processId()).contains(t)).count();
      if (cluster.stateless.contains(t)) {
        assertThat(copies).as("standbys of stateless %s", t).isZero();
      } else {
        assertThat(copies)
            .as("standbys of %s", t)
            .isGreaterThanOrEqualTo(Math.min(standbys, cluster.threads.size() - 1));
      }
    }
  }

  private static boolean followup(Map<ProcessId, KafkaStreamsAssignment> result) {
    return result.values().stream().anyMatch(a -> a.followupRebalanceDeadline().isPresent());
  }

  private static Set<TaskId> active(Map<ProcessId, KafkaStreamsAssignment> r, ProcessId p) {
    return of(r.get(p), AssignedTask.Type.ACTIVE);
  }

  private static Set<TaskId> standby(Map<ProcessId, KafkaStreamsAssignment> r, ProcessId p) {
    return of(r.get(p), AssignedTask.Type.STANDBY);
  }

  private static Set<TaskId> of(KafkaStreamsAssignment a, AssignedTask.Type type) {
    Set<TaskId> ids = new TreeSet<>();
    a.tasks().values().stream().filter(t -> t.type() == type).forEach(t -> ids.add(t.id()));
    return ids;
  }

  private static List<TaskId> tasks(int subtopologies, int partitions) {
    List<TaskId> ids = new ArrayList<>();
    for (int s = 0; s < subtopologies; s++)
      for (int p = 0; p < partitions; p++) ids.add(new TaskId(s, p));
    return ids;
  }

  /** A runs every task; B joins, {@code lag} records behind on each. */
  private static Cluster aloneThenJoined(long lag) {
    Cluster c = new Cluster();
    c.add(A, 1);
    c.active.get(A).addAll(TASKS);
    c.add(B, 1);
    for (TaskId t : TASKS) c.lags.get(B).put(t, lag);
    return c;
  }

  /** Task i active on instance i mod n, its standby on the next instance. */
  private static Cluster roundRobin(List<ProcessId> processes) {
    Cluster c = new Cluster();
    processes.forEach(p -> c.add(p, 1));
    for (int i = 0; i < TASKS.size(); i++) {
      TaskId t = TASKS.get(i);
      c.active.get(processes.get(i % processes.size())).add(t);
      c.standby.get(processes.get((i + 1) % processes.size())).add(t);
    }
    for (ProcessId p : processes) {
      for (TaskId t : TASKS) {
        boolean has = c.active.get(p).contains(t) || c.standby.get(p).contains(t);
        c.lags.get(p).put(t, c.active.get(p).contains(t) ? -2L : has ? 20L : 3_000L);
      }
    }
    return c;
  }

  private static final class Cluster {
    final Map<ProcessId, Integer> threads = new TreeMap<>();
    final Map<ProcessId, SortedSet<TaskId>> active = new TreeMap<>();
    final Map<ProcessId, SortedSet<TaskId>> standby = new TreeMap<>();
    final Map<ProcessId, Map<TaskId, Long>> lags = new TreeMap<>();
    final Set<TaskId> stateless = new HashSet<>();

    /** The application's stateful tasks when not all of {@link #TASKS}. */
    final List<TaskId> only = new ArrayList<>();

    void add(ProcessId p, int threadCount) {
      threads.put(p, threadCount);
      active.put(p, new TreeSet<>());
      standby.put(p, new TreeSet<>());
      lags.put(p, new HashMap<>());
    }

    Cluster without(ProcessId gone) {
      Cluster c = new Cluster();
      for (ProcessId p : threads.keySet()) {
        if (p.equals(gone)) continue;
        c.add(p, threads.get(p));
        c.active.get(p).addAll(active.get(p));
        c.standby.get(p).addAll(standby.get(p));
        c.lags.get(p).putAll(lags.get(p));
      }
      c.stateless.addAll(stateless);
      return c;
    }

    ApplicationState state(int standbys) {
      Map<TaskId, TaskInfo> all = new TreeMap<>();
      for (TaskId t : only.isEmpty() ? TASKS : only) all.put(t, info(t, true));
      for (TaskId t : stateless) all.put(t, info(t, false));
      Map<ProcessId, KafkaStreamsState> states = new HashMap<>();
      for (ProcessId p : threads.keySet()) states.put(p, streamsState(p));
      AssignmentConfigs configs = new AssignmentConfigs(10_000L, 2, standbys, 600_000L, List.of());
      return new ApplicationState() {
        @Override
        public Map<ProcessId, KafkaStreamsState> kafkaStreamsStates(boolean computeTaskLags) {
          return states;
        }

        @Override
        public AssignmentConfigs assignmentConfigs() {
          return configs;
        }

        @Override
        public Map<TaskId, TaskInfo> allTasks() {
          return all;
        }
      };
    }

    private KafkaStreamsState streamsState(ProcessId p) {
      return new KafkaStreamsState() {
        @Override
        public ProcessId processId() {
          return p;
        }

        @Override
        public int numProcessingThreads() {
          return threads.get(p);
        }

        @Override
        public SortedSet<String> consumerClientIds() {
          return new TreeSet<>(Set.of(p + "-consumer"));
        }

        @Override
        public SortedSet<TaskId> previousActiveTasks() {
          return active.get(p);
        }

        @Override
        public SortedSet<TaskId> previousStandbyTasks() {
          return standby.get(p);
        }

        @Override
        public long lagFor(TaskId task) {
          Long lag = lags.get(p).get(task);
          if (lag == null) throw new IllegalStateException("no lag for " + task);
          return lag;
        }

        @Override
        public SortedSet<TaskId> prevTasksByLag(String consumerClientId) {
          return new TreeSet<>();
        }

        @Override
        public Map<TaskId, Long> statefulTasksToLagSums() {
          return lags.get(p);
        }

        @Override
        public Optional<HostInfo> hostInfo() {
          return Optional.empty();
        }

        @Override
        public Map<String, String> clientTags() {
          return Map.of();
        }

        @Override
        public Optional<String> rackId() {
          return Optional.empty();
        }
      };
    }

    private static TaskInfo info(TaskId id, boolean stateful) {
      return new TaskInfo() {
        @Override
        public TaskId id() {
          return id;
        }

        @Override
        public boolean isStateful() {
          return stateful;
        }

        @Override
        public Set<String> stateStoreNames() {
          return stateful ? Set.of("store-" + id.subtopology()) : Set.of();
        }

        @Override
        public Set<TaskTopicPartition> topicPartitions() {
          return Set.of();
        }
      };
    }
  }
}
