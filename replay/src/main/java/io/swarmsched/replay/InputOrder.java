package io.swarmsched.replay;

import io.swarmsched.schemas.DecisionProvenance;
import io.swarmsched.schemas.RoundProvenance;
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
  /**
   * A record a decision was made on, and the positions of the task's partitions then; or (input
   * null) a round the live dispatcher ran in a punctuation, at those positions ({@code round}: its
   * index among its lane's {@link LiveRounds}).
   */
  private record Checkpoint(
      String input, Map<String, Long> positions, long rank, int round, long time) {
    boolean isRound() {
      return input == null;
    }
  }

  /** The topic of the round items in the order (a round is no record; see {@link #round}). */
  static final String ROUND_TOPIC = "(round)";

  /** Checkpoints given up on (inconsistent with the recording, e.g. across a task's restart). */
  long dropped;

  /** Checkpoints followed. */
  long followed;

  /** Recorded rounds put among the events. */
  long rounds;

  /**
   * A round item: lane {@code lane}'s {@code index}-th recorded round, at its time ({@link
   * LaneFeeder} runs it; it feeds nothing).
   */
  static RecordedHistory.Input round(int lane, int index, long at) {
    return new RecordedHistory.Input(
        new RecordedRecord(ROUND_TOPIC, lane, index, at, null, null, -1),
        RecordedHistory.ROUND,
        null,
        at);
  }

  /**
   * The feeding order of {@code queues} (each one topic partition's events in offset order) after
   * {@code decisions}' recorded positions, each partition's lane merged by {@code heads} where they
   * leave the order open; with {@code rounds} (null: none), each lane's recorded rounds go among
   * its events where they ran (after exactly the events below their positions).
   */
  List<RecordedHistory.Input> order(
      Collection<List<RecordedHistory.Input>> queues,
      Iterable<ScheduleDecision> decisions,
      LiveRounds rounds,
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
      if (p == null) continue;
      checkpoint(checkpoints, byCoordinates, p.getInput(), p.getInputPositions());
      // the rounds on input records that left the request waiting say the same of their records
      for (RoundProvenance r : p.getEarlierRounds()) {
        checkpoint(checkpoints, byCoordinates, r.getInput(), r.getInputPositions());
      }
    }
    List<ArrayDeque<RecordedHistory.Input>> ordered = new ArrayList<>();
    for (Map.Entry<Integer, List<ArrayDeque<RecordedHistory.Input>>> lane : lanes.entrySet()) {
      List<Checkpoint> mine =
          new ArrayList<>(checkpoints.getOrDefault(lane.getKey(), Map.of()).values());
      if (rounds != null) {
        List<LiveRounds.Round> its = rounds.of(lane.getKey());
        for (int i = 0; i < its.size(); i++) {
          LiveRounds.Round r = its.get(i);
          mine.add(new Checkpoint(null, r.inputPositions(), r.rank(), i, r.at()));
        }
      }
      // within one run of a task its positions only grow, so their sum orders its checkpoints; a
      // round at the same positions as a record's decision ran before that record was taken (the
      // record's own partition stands at its offset, not past it), and rounds in time order
      mine.sort(
          Comparator.comparingLong(Checkpoint::rank)
              .thenComparingInt(c -> c.isRound() ? 0 : 1)
              .thenComparingInt(Checkpoint::round));
      ordered.add(laneOrder(lane.getKey(), lane.getValue(), mine, heads));
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

  /** The checkpoint of a round made on record {@code input} at {@code at} (if it is one). */
  private static void checkpoint(
      Map<Integer, Map<String, Checkpoint>> checkpoints,
      Map<String, RecordedHistory.Input> byCoordinates,
      String input,
      Map<String, Long> at) {
    if (input == null || at.isEmpty()) return;
    RecordedHistory.Input in = byCoordinates.get(input);
    if (in == null) return; // made on a record outside the recording, or on a table record
    Map<String, Long> positions = new HashMap<>(at);
    long rank = 0;
    for (long o : positions.values()) rank += o;
    checkpoints
        .computeIfAbsent(in.record().partition(), k -> new LinkedHashMap<>())
        .putIfAbsent(input, new Checkpoint(input, positions, rank, -1, 0));
  }

  /** One lane's events: its partitions' queues merged so that each checkpoint holds in turn. */
  private ArrayDeque<RecordedHistory.Input> laneOrder(
      int lane,
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
      if (at != null && !at.isRound() && fed(at, byPartition)) { // went earlier: out of step
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
        if (at.isRound()) {
          // every event below its positions has gone, none above: the round runs here (and, if
          // the recording cannot hold it exactly, as near as it can: still run, not lost)
          out.add(round(lane, at.round(), at.time()));
          rounds++;
          c++;
          continue;
        }
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
