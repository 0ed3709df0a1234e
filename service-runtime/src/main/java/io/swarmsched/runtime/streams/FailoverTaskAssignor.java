package io.swarmsched.runtime.streams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
import org.apache.kafka.streams.processor.assignment.TaskAssignor;
import org.apache.kafka.streams.processor.assignment.TaskInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Streams task assignor (KIP-924) for fast failover: a task stays where it runs; a task
 * whose instance is gone goes, in the same rebalance, to the survivor whose state for it is the
 * most caught up (its standby) among those below their share and caught up on it, else to the most
 * caught up of all; and tasks move to balance the load only towards an instance that is already
 * caught up on them, else that instance first gets a warm-up replica and the move waits for a later
 * (probing) rebalance, as Streams' default assignor does.
 *
 * <p>Why not Streams' default ({@code HighAvailabilityTaskAssignor}): it deals the stateful tasks
 * round robin over the instances and then moves back only those whose new owner is not caught up
 * (lag above {@code acceptable.recovery.lag}, 10,000 records). The dispatcher's changelogs are
 * smaller, so every instance counts as caught up on every task and the round robin stands: after a
 * kill, one fewer instance shifts it, survivors' own tasks move between survivors (revoked in one
 * rebalance, assigned in a follow-up one) and a dead instance's task can land on a survivor without
 * its standby and restore from the changelog, sometimes to be moved again once a warm-up catches up
 * (docs/reliability.md, "Chaos run"). Streams' {@code StickyTaskAssignor} keeps tasks in place but
 * has no warm-ups, so a joining instance takes tasks it has not restored.
 *
 * <p>Balance: each instance's share of the active tasks is proportional to its stream threads; an
 * instance above its share (rounded up) gives tasks to one below its share (rounded down),
 * stateless ones and those the receiver is caught up on first, never a task that was handed over in
 * this same rebalance because its instance is gone. Standby replicas ({@code num.standby.replicas})
 * go to the instances that already hold the task's state, most caught up first, then to the least
 * loaded.
 */
public final class FailoverTaskAssignor implements TaskAssignor {
  private static final Logger log = LoggerFactory.getLogger(FailoverTaskAssignor.class);

  /** Streams' offset-sum sentinel for a task that was running active on the instance. */
  private static final long LATEST_OFFSET = -2L;

  /**
   * A configuration key whose value (an {@link AssignmentListener} object, not a string) is told
   * the Streams clients of every assignment made here. Streams configures the assignor from its
   * main consumer's configuration, so it is set as {@code main.consumer.} + this key.
   */
  public static final String LISTENER_CONFIG = "swarmsched.assignment.listener";

  /** Told the process ids of the Streams clients of each assignment this instance makes. */
  public interface AssignmentListener {
    void assigned(Set<UUID> processes);
  }

  private AssignmentListener listener;

  @Override
  public void configure(Map<String, ?> configs) {
    if (configs.get(LISTENER_CONFIG) instanceof AssignmentListener l) {
      listener = l;
    }
  }

  @Override
  public TaskAssignment assign(ApplicationState application) {
    Plan plan = new Plan(application);
    plan.keepRunningTasks();
    plan.handOverOrphans();
    plan.balance();
    plan.assignStandbys();
    plan.log();
    if (listener != null) {
      listener.assigned(plan.processes());
    }
    return new TaskAssignment(plan.result());
  }

  /** One rebalance's working state. */
  private static final class Plan {
    private final AssignmentConfigs configs;
    private final Map<TaskId, TaskInfo> tasks;
    private final TreeMap<ProcessId, KafkaStreamsState> clients;
    private final Map<ProcessId, Set<TaskId>> active = new HashMap<>();
    private final Map<ProcessId, Set<TaskId>> standby = new HashMap<>();
    private final Map<TaskId, ProcessId> owner = new HashMap<>();

    /** Tasks handed over from an instance that is gone: not moved again in this rebalance. */
    private final Set<TaskId> handedOver = new HashSet<>();

    /** Tasks given a warm-up replica in this rebalance (a move that waits for it). */
    private final Set<TaskId> warmingUp = new HashSet<>();

    private final int totalThreads;
    private boolean probe;
    private int kept;
    private int toStandbys;
    private int moved;
    private int shortOfStandbys;

    Plan(ApplicationState application) {
      this.configs = application.assignmentConfigs();
      this.tasks = application.allTasks();
      this.clients = new TreeMap<>(application.kafkaStreamsStates(true));
      int threads = 0;
      for (KafkaStreamsState c : clients.values()) {
        active.put(c.processId(), new TreeSet<>());
        standby.put(c.processId(), new TreeSet<>());
        threads += Math.max(1, c.numProcessingThreads());
      }
      this.totalThreads = threads;
    }

    void keepRunningTasks() {
      for (KafkaStreamsState c : clients.values()) {
        for (TaskId task : c.previousActiveTasks()) {
          if (tasks.containsKey(task) && !owner.containsKey(task)) {
            assignActive(task, c.processId());
            kept++;
          }
        }
      }
    }

    /**
     * A task nobody runs goes to the most caught-up instance among those below their share that are
     * caught up on it (within {@code acceptable.recovery.lag}, the same test a move to balance
     * passes), else to the most caught-up one. The first is what ends a move: under cooperative
     * rebalancing a task moved to balance is revoked from its owner in one rebalance and has no
     * owner in the next, when its previous owner is still the most caught up; given back to it, it
     * was moved again, every rebalance (FailoverTaskAssignorStreamsTest: "4 kept, 1 taken over, 1
     * moved to balance" every 1.5 s for 90 s). A dead instance's task goes to its standby while the
     * standby's holder is below its new share, then to a caught-up survivor below its share, rather
     * than to the holder with a survivor's own task moved away to make room.
     */
    void handOverOrphans() {
      for (TaskId task : new TreeSet<>(tasks.keySet())) {
        if (owner.containsKey(task)) continue;
        Comparator<ProcessId> order = orphanOrder(task);
        boolean stateful = tasks.get(task).isStateful();
        ProcessId best =
            clients.keySet().stream()
                .filter(c -> active.get(c).size() < floorShare(c))
                .filter(c -> !stateful || caughtUp(c, task))
                .min(order)
                .orElseGet(() -> Collections.min(clients.keySet(), order));
        assignActive(task, best);
        handedOver.add(task);
        if (hadState(best, task)) toStandbys++;
      }
    }

    /** Most caught up first, then fewest active tasks per thread, then process id. */
    private Comparator<ProcessId> orphanOrder(TaskId task) {
      boolean stateful = tasks.get(task).isStateful();
      return Comparator.<ProcessId>comparingLong(c -> stateful ? lag(c, task) : 0L)
          .thenComparingDouble(c -> load(active.get(c).size(), c))
          .thenComparing(Comparator.naturalOrder());
    }

    void balance() {
      // a warm-up counts as the move it prepares, so that balancing goes on with the next pair
      Map<ProcessId, Integer> planned = new HashMap<>();
      clients.keySet().forEach(c -> planned.put(c, active.get(c).size()));
      int guard = tasks.size() * Math.max(1, clients.size());
      while (guard-- > 0) {
        ProcessId from = null;
        ProcessId to = null;
        // an instance below its share (rounded down) takes from the most loaded one that stays
        // at or above its own
        for (ProcessId c : clients.keySet()) {
          double load = load(planned.get(c), c);
          if (planned.get(c) > floorShare(c)
              && (from == null || load > load(planned.get(from), from))) {
            from = c;
          }
          if (planned.get(c) < floorShare(c) && (to == null || load < load(planned.get(to), to))) {
            to = c;
          }
        }
        if (from == null || to == null) return;
        TaskId move = pickMove(from, to);
        if (move == null) return;
        if (!tasks.get(move).isStateful() || caughtUp(to, move)) {
          active.get(from).remove(move);
          assignActive(move, to);
          moved++;
        } else {
          // not caught up: warm it up; Streams moves it in a later (probing) rebalance
          standby.get(to).add(move);
          warmingUp.add(move);
          probe = true;
        }
        planned.merge(from, -1, Integer::sum);
        planned.merge(to, 1, Integer::sum);
      }
    }

    /**
     * A task of {@code from} to give {@code to}: stateless, or the one {@code to} lags least on;
     * one that {@code to} is not caught up on only while warm-ups may still be added.
     */
    private TaskId pickMove(ProcessId from, ProcessId to) {
      TaskId best = null;
      long bestLag = Long.MAX_VALUE;
      for (TaskId task : active.get(from)) {
        if (handedOver.contains(task) || warmingUp.contains(task)) continue;
        long lag = tasks.get(task).isStateful() ? lag(to, task) : -1L;
        if (best == null || lag < bestLag) {
          best = task;
          bestLag = lag;
        }
      }
      if (best == null) return null;
      boolean immediate = !tasks.get(best).isStateful() || caughtUp(to, best);
      return immediate || warmingUp.size() < configs.maxWarmupReplicas() ? best : null;
    }

    void assignStandbys() {
      int replicas = configs.numStandbyReplicas();
      for (TaskId task : new TreeSet<>(tasks.keySet())) {
        if (!tasks.get(task).isStateful()) continue;
        int have = 0;
        for (ProcessId c : clients.keySet()) {
          if (standby.get(c).contains(task)) have++;
        }
        Comparator<ProcessId> order = standbyOrder(task);
        while (have < replicas) {
          Optional<ProcessId> best =
              clients.keySet().stream()
                  .filter(c -> !owner.get(task).equals(c) && !standby.get(c).contains(task))
                  .min(order);
          if (best.isEmpty()) {
            shortOfStandbys++;
            break;
          }
          standby.get(best.get()).add(task);
          have++;
        }
      }
    }

    /** Holds the task's state (least lag first), then fewest standbys, then process id. */
    private Comparator<ProcessId> standbyOrder(TaskId task) {
      return Comparator.<ProcessId>comparingLong(c -> hadState(c, task) ? lag(c, task) : MAX_LAG)
          .thenComparingInt(c -> standby.get(c).size())
          .thenComparing(Comparator.naturalOrder());
    }

    void log() {
      log.info(
          "{} tasks on {} instances: {} kept, {} taken over ({} by an instance that held their"
              + " state), {} moved to balance, {} warm-ups{}",
          tasks.size(),
          clients.size(),
          kept - moved,
          handedOver.size(),
          toStandbys,
          moved,
          warmingUp.size(),
          shortOfStandbys == 0
              ? ""
              : String.format(
                  "; %d tasks short of their %d standby replicas (too few instances)",
                  shortOfStandbys, configs.numStandbyReplicas()));
    }

    List<KafkaStreamsAssignment> result() {
      List<KafkaStreamsAssignment> out = new ArrayList<>();
      Instant followup =
          probe ? Instant.now().plusMillis(configs.probingRebalanceIntervalMs()) : null;
      for (ProcessId c : clients.keySet()) {
        Set<AssignedTask> assigned = new HashSet<>();
        active.get(c).forEach(t -> assigned.add(new AssignedTask(t, AssignedTask.Type.ACTIVE)));
        standby.get(c).forEach(t -> assigned.add(new AssignedTask(t, AssignedTask.Type.STANDBY)));
        KafkaStreamsAssignment a = KafkaStreamsAssignment.of(c, assigned);
        out.add(followup == null ? a : a.withFollowupRebalance(followup));
      }
      return out;
    }

    private void assignActive(TaskId task, ProcessId client) {
      active.get(client).add(task);
      standby.get(client).remove(task);
      owner.put(task, client);
    }

    /** {@code count} active tasks on {@code c}, per stream thread. */
    private double load(int count, ProcessId c) {
      return count / (double) threads(c);
    }

    /** The process ids of the Streams clients in this assignment. */
    Set<UUID> processes() {
      Set<UUID> ids = new HashSet<>();
      clients.keySet().forEach(p -> ids.add(p.id()));
      return ids;
    }

    private int threads(ProcessId c) {
      return Math.max(1, clients.get(c).numProcessingThreads());
    }

    private double share(ProcessId c) {
      return tasks.size() * (double) threads(c) / totalThreads;
    }

    private int floorShare(ProcessId c) {
      return (int) Math.floor(share(c) + 1e-9);
    }

    private boolean hadState(ProcessId c, TaskId task) {
      KafkaStreamsState s = clients.get(c);
      return s.previousActiveTasks().contains(task) || s.previousStandbyTasks().contains(task);
    }

    private boolean caughtUp(ProcessId c, TaskId task) {
      return lag(c, task) <= configs.acceptableRecoveryLag();
    }

    /** The instance's lag on the task in records; unknown counts as the largest. */
    private long lag(ProcessId c, TaskId task) {
      long lag;
      try {
        lag = clients.get(c).lagFor(task);
      } catch (RuntimeException e) {
        return MAX_LAG;
      }
      if (lag == LATEST_OFFSET) return 0L;
      return lag < 0 ? MAX_LAG : lag;
    }
  }

  private static final long MAX_LAG = Long.MAX_VALUE;
}
