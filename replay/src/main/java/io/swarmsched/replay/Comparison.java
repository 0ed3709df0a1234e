package io.swarmsched.replay;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.DecisionProvenance;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.ParentInput;
import io.swarmsched.schemas.ScheduleDecision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Recorded decisions against replayed ones, request by request: how many are identical (same
 * outcome, reason, target, worker and parents in the same order), and for each difference the
 * cause, from the decisions' provenance and the recording:
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
 * A difference with none of these is reported as unexplained.
 */
public final class Comparison {
  private Comparison() {}

  /** How near the decision a task's event must be to have raced with its request. */
  static final long INPUT_ORDER_WINDOW_MS = 1000;

  /** One compared request. */
  public record Pair(String requestId, ScheduleDecision recorded, ScheduleDecision replayed) {}

  /** A difference and its cause. */
  public record Difference(
      String requestId,
      String taskId,
      ScheduleDecision recorded,
      ScheduleDecision replayed,
      String cause,
      boolean explained) {}

  /** The result. */
  public record Result(
      int compared,
      int identical,
      List<Difference> differences,
      int recordedOnly,
      int replayedOnly,
      long recordedSeedTriggers,
      long replayedSeedTriggers) {
    public long unexplained() {
      return differences.stream().filter(d -> !d.explained()).count();
    }

    public double identicalShare() {
      return compared == 0 ? 1 : (double) identical / compared;
    }
  }

  /** A terminal decision (every request gets exactly one; SEED_TRIGGER is not terminal). */
  static boolean terminal(ScheduleDecision d) {
    return d.getOutcome() != DecisionOutcome.SEED_TRIGGER;
  }

  /**
   * The request a decision answers. The dispatcher's own requests for a lost parent carry the
   * stream time in their id ({@code parent-lost/task/peer/parent/now}), which a replay need not
   * reproduce to the millisecond: they are matched without it, in order.
   */
  static Map<String, ScheduleDecision> byRequest(List<ScheduleDecision> decisions) {
    Map<String, ScheduleDecision> out = new LinkedHashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    Set<String> ids = new HashSet<>();
    for (ScheduleDecision d : decisions) {
      if (!terminal(d) || d.getRequestId().isEmpty()) continue;
      if (!ids.add(d.getRequestId())) continue; // the same decision sent again (idempotency)
      String id = d.getRequestId();
      if (id.startsWith("parent-lost/")) {
        String base = id.substring(0, id.lastIndexOf('/'));
        int n = seen.merge(base, 1, Integer::sum);
        id = base + "#" + n;
      }
      out.put(id, d);
    }
    return out;
  }

  /** The choice a decision made, as compared. */
  static String choice(ScheduleDecision d) {
    StringBuilder b =
        new StringBuilder(d.getOutcome().name())
            .append(' ')
            .append(Objects.toString(d.getReason(), "-"))
            .append(" → ")
            .append(d.getTargetHostId());
    if (d.getWorkerHostId() != null) b.append(" worker ").append(d.getWorkerHostId());
    if (!d.getParents().isEmpty()) {
      b.append(" [");
      for (int i = 0; i < d.getParents().size(); i++) {
        ParentCandidate p = d.getParents().get(i);
        if (i > 0) b.append(", ");
        b.append(p.getPeerId()).append('@').append(p.getHostId());
      }
      b.append(']');
    }
    return b.toString();
  }

  public static Result compare(Replayer.Result r) {
    Map<String, ScheduleDecision> recorded = byRequest(r.recordedDecisions());
    Map<String, ScheduleDecision> replayed = byRequest(r.decisions());
    List<Pair> pairs = new ArrayList<>();
    int recordedOnly = 0;
    for (Map.Entry<String, ScheduleDecision> e : recorded.entrySet()) {
      String id = e.getKey();
      boolean inRecording =
          r.requestsById().containsKey(e.getValue().getRequestId())
              || id.startsWith("parent-lost/");
      if (!inRecording) {
        recordedOnly++; // its request was made before the recorded range
        continue;
      }
      pairs.add(new Pair(id, e.getValue(), replayed.get(id)));
    }
    int replayedOnly = 0;
    for (String id : replayed.keySet()) {
      if (!recorded.containsKey(id)) replayedOnly++;
    }
    pairs.sort(Comparator.comparing(p -> p.recorded().getDecidedAt()));
    int identical = 0;
    List<Difference> diffs = new ArrayList<>();
    Map<String, String> taskDiffered = new HashMap<>();
    Map<Integer, String> partitionDiffered = new HashMap<>();
    for (Pair p : pairs) {
      ScheduleDecision live = p.recorded();
      ScheduleDecision rep = p.replayed();
      if (rep != null && choice(live).equals(choice(rep))) {
        identical++;
        continue;
      }
      String cause = explain(r, live, rep, taskDiffered, partitionDiffered);
      diffs.add(
          new Difference(
              p.requestId(), live.getTaskId(), live, rep, cause, !cause.startsWith("unexplained")));
      taskDiffered.putIfAbsent(live.getTaskId(), p.requestId());
      Integer partition = r.partitionOfTask().get(live.getTaskId());
      if (partition != null) partitionDiffered.putIfAbsent(partition, p.requestId());
    }
    long liveSeeds =
        r.recordedDecisions().stream()
            .filter(d -> d.getOutcome() == DecisionOutcome.SEED_TRIGGER)
            .map(ScheduleDecision::getDecisionId)
            .distinct()
            .count();
    long replaySeeds =
        r.decisions().stream().filter(d -> d.getOutcome() == DecisionOutcome.SEED_TRIGGER).count();
    return new Result(
        pairs.size(), identical, diffs, recordedOnly, replayedOnly, liveSeeds, replaySeeds);
  }

  static String explain(
      Replayer.Result r,
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
    if (!r.policyId().equals(live.getPolicyId())) {
      // what-if: the policy is the cause; the live run's timing is the same for both
      return "another policy: " + live.getPolicyId() + " in the live run, " + r.policyId();
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
          replayScore = at(r.scoreHistory().get(pi.getHostId()), repAt);
        version(causes, "score", pi.getHostId(), pi.getScoreVersion(), replayScore, liveAt);
        long replayHost = versionIn(rp, pi.getHostId(), false);
        if (replayHost == Long.MIN_VALUE)
          replayHost = atSet(r.hostHistory().get(pi.getHostId()), repAt);
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
        tableWindow(causes, "score", lp.getScoresAsOf(), rp.getScoresAsOf(), r.scoreHistory());
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
      TreeSet<Long> events = r.taskEventTimes().get(live.getTaskId());
      java.util.NavigableSet<Long> near =
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
    Integer partition = r.partitionOfTask().get(live.getTaskId());
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

  private static Map<String, TreeMap<Long, Double>> hostsAsMap(Replayer.Result r) {
    Map<String, TreeMap<Long, Double>> m = new HashMap<>();
    r.hostHistory()
        .forEach(
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
