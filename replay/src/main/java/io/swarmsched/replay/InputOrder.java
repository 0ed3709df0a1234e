package io.swarmsched.replay;

import io.swarmsched.schemas.DecisionProvenance;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * The order the live dispatcher's stream tasks took their co-partitioned inputs (schedule requests,
 * peer events, piece events) in. A task takes each topic's records as they arrive, not in timestamp
 * order; decisions that record {@code provenance.input_positions} say, for the record they were
 * made on ({@code provenance.input}), where each other input partition of the task stood. So each
 * lane is fed, before each such record, exactly the event records below those positions (each
 * partition in offset order, its arrival order), and between two such records in timestamp order as
 * before. Decisions without the positions (older recordings) leave the timestamp order.
 */
final class InputOrder {
  /** A record a decision was made on, and the positions of the task's partitions then. */
  private record Checkpoint(String input, Map<String, Long> positions, long rank) {}

  /** Checkpoints given up on (inconsistent with the recording, e.g. across a task's restart). */
  long dropped;

  /** Checkpoints followed. */
  long followed;

  /**
   * The feeding order of {@code queues} (each one topic partition's events in offset order) after
   * {@code decisions}' recorded positions, each partition's lane merged by {@code heads} where they
   * leave the order open.
   */
  List<RecordedHistory.Input> order(
      Collection<List<RecordedHistory.Input>> queues,
      Iterable<ScheduleDecision> decisions,
      Comparator<RecordedHistory.Input> heads) {
    Map<String, RecordedHistory.Input> byCoordinates = new HashMap<>();
    Map<Integer, List<ArrayDeque<RecordedHistory.Input>>> lanes = new TreeMap<>();
    int size = 0;
    for (List<RecordedHistory.Input> q : queues) {
      if (q.isEmpty()) continue;
      for (RecordedHistory.Input in : q) byCoordinates.put(in.record().coordinates(), in);
      lanes
          .computeIfAbsent(q.get(0).record().partition(), k -> new ArrayList<>())
          .add(new ArrayDeque<>(q));
      size += q.size();
    }
    Map<Integer, Map<String, Checkpoint>> checkpoints = new HashMap<>();
    for (ScheduleDecision d : decisions) {
      DecisionProvenance p = d.getProvenance();
      if (p == null || p.getInput() == null || p.getInputPositions().isEmpty()) continue;
      RecordedHistory.Input in = byCoordinates.get(p.getInput());
      if (in == null) continue; // made on a record outside the recording, or on a table record
      Map<String, Long> positions = new HashMap<>();
      long rank = 0;
      for (Map.Entry<String, Long> e : p.getInputPositions().entrySet()) {
        positions.put(e.getKey(), e.getValue());
        rank += e.getValue();
      }
      checkpoints
          .computeIfAbsent(in.record().partition(), k -> new LinkedHashMap<>())
          .putIfAbsent(p.getInput(), new Checkpoint(p.getInput(), positions, rank));
    }
    List<ArrayDeque<RecordedHistory.Input>> ordered = new ArrayList<>();
    for (Map.Entry<Integer, List<ArrayDeque<RecordedHistory.Input>>> lane : lanes.entrySet()) {
      List<Checkpoint> mine =
          new ArrayList<>(checkpoints.getOrDefault(lane.getKey(), Map.of()).values());
      // within one run of a task its positions only grow, so their sum orders its checkpoints
      mine.sort(Comparator.comparingLong(Checkpoint::rank));
      ordered.add(laneOrder(lane.getValue(), mine, heads));
    }
    // the lanes are independent tasks: merged by their heads, as Streams' partitions are
    PriorityQueue<ArrayDeque<RecordedHistory.Input>> next =
        new PriorityQueue<>((a, b) -> heads.compare(a.peek(), b.peek()));
    for (ArrayDeque<RecordedHistory.Input> q : ordered) if (!q.isEmpty()) next.add(q);
    List<RecordedHistory.Input> out = new ArrayList<>(size);
    while (!next.isEmpty()) {
      ArrayDeque<RecordedHistory.Input> q = next.poll();
      out.add(q.poll());
      if (!q.isEmpty()) next.add(q);
    }
    return out;
  }

  /** One lane's events: its partitions' queues merged so that each checkpoint holds in turn. */
  private ArrayDeque<RecordedHistory.Input> laneOrder(
      List<ArrayDeque<RecordedHistory.Input>> queues,
      List<Checkpoint> checkpoints,
      Comparator<RecordedHistory.Input> heads) {
    ArrayDeque<RecordedHistory.Input> out = new ArrayDeque<>();
    Map<String, ArrayDeque<RecordedHistory.Input>> byPartition = new HashMap<>();
    for (ArrayDeque<RecordedHistory.Input> q : queues) {
      byPartition.put(partitionOf(q.peek()), q);
    }
    int c = 0;
    while (true) {
      Checkpoint at = c < checkpoints.size() ? checkpoints.get(c) : null;
      if (at != null && fed(at, byPartition)) { // its record went earlier: out of step
        dropped++;
        c++;
        continue;
      }
      RecordedHistory.Input best = null;
      ArrayDeque<RecordedHistory.Input> from = null;
      for (ArrayDeque<RecordedHistory.Input> q : queues) {
        RecordedHistory.Input head = q.peek();
        if (head == null || !allowed(head, at, byPartition)) continue;
        if (best == null || heads.compare(head, best) < 0) {
          best = head;
          from = q;
        }
      }
      if (best == null) {
        if (at == null) return out; // every queue is empty
        dropped++; // nothing may go next: the checkpoint cannot hold in this recording
        c++;
        continue;
      }
      out.add(from.poll());
      if (at != null && best.record().coordinates().equals(at.input())) {
        followed++;
        c++;
      }
    }
  }

  /** Whether {@code head} may be fed while {@code at} (null: none) is the next checkpoint. */
  private static boolean allowed(
      RecordedHistory.Input head,
      Checkpoint at,
      Map<String, ArrayDeque<RecordedHistory.Input>> byPartition) {
    if (at == null) return true;
    String partition = partitionOf(head);
    if (head.record().coordinates().equals(at.input())) {
      // the decision's record: only once every other partition stands where it stood live
      for (Map.Entry<String, Long> e : at.positions().entrySet()) {
        if (e.getKey().equals(partition)) continue;
        ArrayDeque<RecordedHistory.Input> q = byPartition.get(e.getKey());
        if (q != null && !q.isEmpty() && q.peek().record().offset() < e.getValue()) return false;
      }
      return true;
    }
    Long limit = at.positions().get(partition);
    // a partition the task had not taken a record of (since its instance started): none of it
    // goes before (after a restart this may not hold; then the checkpoint is given up on)
    return limit != null && head.record().offset() < limit;
  }

  /** Whether {@code at}'s record has been fed already. */
  private static boolean fed(Checkpoint at, Map<String, ArrayDeque<RecordedHistory.Input>> queues) {
    int sep = at.input().lastIndexOf('@');
    ArrayDeque<RecordedHistory.Input> q = queues.get(at.input().substring(0, sep));
    long offset = Long.parseLong(at.input().substring(sep + 1));
    return q == null || q.isEmpty() || q.peek().record().offset() > offset;
  }

  private static String partitionOf(RecordedHistory.Input in) {
    return in.record().topic() + "-" + in.record().partition();
  }
}
