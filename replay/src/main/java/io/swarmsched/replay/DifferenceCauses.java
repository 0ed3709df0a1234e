package io.swarmsched.replay;

import io.swarmsched.schemas.DecisionProvenance;
import io.swarmsched.schemas.ParentInput;
import io.swarmsched.schemas.ScheduleDecision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cause of a difference between a recorded and a replayed decision, from the decisions'
 * provenance and the recording:
 *
 * <ul>
 *   <li>a host or score record the live run had not yet applied at decision time (its global tables
 *       are filled asynchronously) or had applied early, named by host and timestamp;
 *   <li>an earlier difference in the same task (the DAG differs from then on);
 *   <li>another scheduling round (retries on a quiet partition run on the live wall clock);
 *   <li>an earlier difference on the same partition (the optimistic ledger is per partition);
 *   <li>a request the replay never decided (still waiting at its end, or from before the range).
 * </ul>
 *
 * A difference with none of these is "unexplained".
 */
final class DifferenceCauses {
  private DifferenceCauses() {}

  /** How near the decision a task's event must be to have raced with its request. */
  static final long INPUT_ORDER_WINDOW_MS = 1000;

  static String explain(
      RecordedHistory r,
      String policyId,
      ScheduleDecision live,
      ScheduleDecision rep,
      Map<String, String> taskDiffered,
      Map<Integer, String> partitionDiffered) {
    if (rep == null) {
      if (live.getRequestId().startsWith("parent-lost/")) {
        return "a request the live dispatcher made itself when a child lost its parent, which the"
            + " replay did not make at that point: "
            + (taskDiffered.containsKey(live.getTaskId())
                ? "task "
                    + live.getTaskId()
                    + " differs from request "
                    + taskDiffered.get(live.getTaskId())
                    + " on"
                : "the loss is seen from piece events and the patrol, which run on the live"
                    + " dispatcher's clock");
      }
      return "the replay made no terminal decision for this request: it was still waiting when"
          + " the replay ended ("
          + live.getOutcome()
          + " in the live run at "
          + live.getDecidedAt()
          + ")";
    }
    if (!policyId.equals(live.getPolicyId())) {
      // what-if: the policy is the cause; the live run's timing is the same for both
      return "another policy: " + live.getPolicyId() + " in the live run, " + policyId;
    }
    List<String> causes = new ArrayList<>();
    DecisionProvenance lp = live.getProvenance();
    DecisionProvenance rp = rep.getProvenance();
    if (lp != null && rp != null) {
      long liveAt = live.getDecidedAt().toEpochMilli();
      long repAt = rep.getDecidedAt().toEpochMilli();
      Set<String> liveHosts = new HashSet<>();
      for (ParentInput pi : lp.getParentInputs()) {
        liveHosts.add(pi.getHostId());
        long replayScore = versionIn(rp, pi.getHostId(), true);
        if (replayScore == Long.MIN_VALUE)
          replayScore = at(r.scoreHistory.get(pi.getHostId()), repAt);
        version(causes, "score", pi.getHostId(), pi.getScoreVersion(), replayScore, liveAt);
        long replayHost = versionIn(rp, pi.getHostId(), false);
        if (replayHost == Long.MIN_VALUE)
          replayHost = atSet(r.hostHistory.get(pi.getHostId()), repAt);
        version(causes, "host record", pi.getHostId(), pi.getHostVersion(), replayHost, liveAt);
      }
      for (ParentInput pi : rp.getParentInputs()) {
        if (liveHosts.contains(pi.getHostId())) continue;
        if (pi.getScoreVersion() > lp.getScoresAsOf()) {
          causes.add(
              "score for host "
                  + pi.getHostId()
                  + " of "
                  + instant(pi.getScoreVersion())
                  + " had not arrived at decision time in the live run (its score table was as of "
                  + instant(lp.getScoresAsOf())
                  + ")");
        }
        if (pi.getHostVersion() > lp.getHostsAsOf()) {
          causes.add(
              "host record of "
                  + pi.getHostId()
                  + " of "
                  + instant(pi.getHostVersion())
                  + " had not arrived at decision time in the live run (its host table was as of "
                  + instant(lp.getHostsAsOf())
                  + ")");
        }
      }
      if (causes.isEmpty()) {
        tableWindow(causes, "score", lp.getScoresAsOf(), rp.getScoresAsOf(), r.scoreHistory);
        tableWindow(causes, "host record", lp.getHostsAsOf(), rp.getHostsAsOf(), hostsAsMap(r));
      }
    } else if (lp == null) {
      causes.add(
          "the recorded decision carries no provenance (made by a dispatcher from before it did)");
    }
    if (causes.isEmpty() && taskDiffered.containsKey(live.getTaskId())) {
      causes.add(
          "follows from an earlier difference in task "
              + live.getTaskId()
              + " (request "
              + taskDiffered.get(live.getTaskId())
              + "): its DAG differs from then on");
    }
    if (causes.isEmpty()
        && (live.getAttempt() != rep.getAttempt()
            || !live.getDecidedAt().equals(rep.getDecidedAt()))) {
      causes.add(
          "decided in another scheduling round: round "
              + live.getAttempt()
              + " at "
              + live.getDecidedAt()
              + " in the live run, round "
              + rep.getAttempt()
              + " at "
              + rep.getDecidedAt()
              + " in the replay (on a quiet partition the live dispatcher runs retries on its"
              + " wall clock)");
    }
    if (causes.isEmpty()) {
      // Streams orders records of different topics by what has arrived: an event of the task
      // dated just before the request may have been processed after it live, or the reverse
      long at = live.getDecidedAt().toEpochMilli();
      TreeSet<Long> events = r.taskEventTimes.get(live.getTaskId());
      NavigableSet<Long> near =
          events == null
              ? new TreeSet<>()
              : events.subSet(at - INPUT_ORDER_WINDOW_MS, true, at + INPUT_ORDER_WINDOW_MS, true);
      if (!near.isEmpty()) {
        causes.add(
            near.size()
                + " peer or piece event(s) of task "
                + live.getTaskId()
                + " dated within "
                + INPUT_ORDER_WINDOW_MS
                + " ms of the decision ("
                + instant(near.first())
                + (near.size() > 1 ? " … " + instant(near.last()) : "")
                + "): the live dispatcher takes each topic's records as they arrive, so it may"
                + " have decided before or after them in another order than their timestamps");
      }
    }
    Integer partition = r.partitionOfTask.get(live.getTaskId());
    if (causes.isEmpty() && partition != null && partitionDiffered.containsKey(partition)) {
      causes.add(
          "follows from an earlier difference on partition "
              + partition
              + " (request "
              + partitionDiffered.get(partition)
              + "): the optimistic ledger of parents' uploads is kept per partition");
    }
    return causes.isEmpty()
        ? "unexplained: same inputs as far as the provenance shows"
        : String.join("; ", causes);
  }

  private static Map<String, TreeMap<Long, Double>> hostsAsMap(RecordedHistory r) {
    Map<String, TreeMap<Long, Double>> m = new HashMap<>();
    r.hostHistory.forEach(
        (h, ts) -> {
          TreeMap<Long, Double> t = new TreeMap<>();
          for (long x : ts) t.put(x, 0.0);
          m.put(h, t);
        });
    return m;
  }

  /** Records of the table dated between the live run's and the replay's "as of". */
  private static void tableWindow(
      List<String> causes,
      String what,
      long liveAsOf,
      long replayAsOf,
      Map<String, TreeMap<Long, Double>> history) {
    if (liveAsOf == replayAsOf) return;
    long lo = Math.min(liveAsOf, replayAsOf);
    long hi = Math.max(liveAsOf, replayAsOf);
    Set<String> hosts = new TreeSet<>();
    history.forEach(
        (host, t) -> {
          if (!t.subMap(lo, false, hi, true).isEmpty()) hosts.add(host);
        });
    if (hosts.isEmpty()) return;
    if (liveAsOf < replayAsOf) {
      causes.add(
          what
              + " updates of "
              + hosts
              + " dated after "
              + instant(liveAsOf)
              + " had not arrived at decision time in the live run (the replay had them, up to "
              + instant(replayAsOf)
              + ")");
    } else {
      causes.add(
          what
              + " updates of "
              + hosts
              + " dated up to "
              + instant(liveAsOf)
              + " had arrived at decision time in the live run, before records dated earlier"
              + " (the replay, in timestamp order, was at "
              + instant(replayAsOf)
              + ")");
    }
  }

  private static void version(
      List<String> causes, String what, String host, long liveV, long replayV, long liveAt) {
    if (liveV == replayV) return;
    if (replayV > liveV) {
      causes.add(
          what
              + " for host "
              + host
              + ": the live run used the one of "
              + instant(liveV)
              + ", the replay the one of "
              + instant(replayV)
              + (replayV <= liveAt
                  ? ", which had not arrived at decision time in the live run"
                  : ", dated after the live decision (" + instant(liveAt) + ")"));
    } else {
      causes.add(
          what
              + " for host "
              + host
              + ": the live run used the one of "
              + instant(liveV)
              + ", which the replay had not applied yet (it used the one of "
              + instant(replayV)
              + ")");
    }
  }

  /** The version of {@code host} among a provenance's parents, or MIN_VALUE. */
  private static long versionIn(DecisionProvenance p, String host, boolean score) {
    for (ParentInput pi : p.getParentInputs()) {
      if (pi.getHostId().equals(host)) return score ? pi.getScoreVersion() : pi.getHostVersion();
    }
    return Long.MIN_VALUE;
  }

  private static long at(TreeMap<Long, Double> history, long t) {
    if (history == null) return -1;
    Long k = history.floorKey(t);
    return k == null ? -1 : k;
  }

  private static long atSet(TreeSet<Long> history, long t) {
    if (history == null) return -1;
    Long k = history.floor(t);
    return k == null ? -1 : k;
  }

  static String instant(long ms) {
    return ms < 0 ? "none" : Instant.ofEpochMilli(ms).toString();
  }
}
