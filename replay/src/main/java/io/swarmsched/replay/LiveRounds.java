package io.swarmsched.replay;

import io.swarmsched.schemas.DecisionProvenance;
import io.swarmsched.schemas.RoundProvenance;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The scheduling rounds the live dispatcher ran in punctuations (its retries on stream time and, on
 * a quiet partition, on its wall clock), per lane, as its decisions recorded them: a decision made
 * in a punctuation is one ({@code provenance.input} null, at its {@code decided_at}), and each
 * round a request waited through in a punctuation is in its decision's {@code
 * provenance.earlier_rounds}. Each has its time and where the task's inputs and the tables stood,
 * so a replay with the recorded policy runs the same rounds at the same places ({@link InputOrder}
 * puts them among the inputs, {@link LaneFeeder} runs them) instead of rounds of its own:
 * wall-clock rounds cannot be derived from the inputs. Rounds that left nothing waiting and decided
 * nothing are not recorded, and need not be: they changed nothing. Rounds of requests not decided
 * within the recording are missing (they matter to no compared decision but their own).
 */
final class LiveRounds {
  /** Where a round goes among the events: after {@code inputPositions}, in time order. */
  record Round(long at, Map<String, Long> inputPositions, long[] hosts, long[] scores, long rank) {}

  private final Map<Integer, List<Round>> byLane = new HashMap<>();
  private long count;
  private boolean earlierRecorded;

  /** Rounds from the decisions of tasks whose lane (partition) the recording knows. */
  LiveRounds(RecordedHistory h) {
    Map<Integer, Set<List<Object>>> seen = new HashMap<>();
    for (ScheduleDecision d : h.decisions()) {
      DecisionProvenance p = d.getProvenance();
      Integer lane = h.partitionOfTask.get(d.getTaskId());
      if (p == null || lane == null) continue;
      if (p.getInput() == null && !p.getInputPositions().isEmpty()) {
        add(
            seen,
            lane,
            d.getDecidedAt().toEpochMilli(),
            p.getInputPositions(),
            p.getHostsPositions(),
            p.getScoresPositions());
      }
      for (RoundProvenance r : p.getEarlierRounds()) {
        earlierRecorded = true;
        // one on an input record is placed by that record (InputOrder, TablePositions)
        if (r.getInput() != null || r.getInputPositions().isEmpty()) continue;
        add(
            seen,
            lane,
            r.getAt(),
            r.getInputPositions(),
            r.getHostsPositions(),
            r.getScoresPositions());
      }
    }
    for (List<Round> rounds : byLane.values()) {
      // within one run of a task its positions only grow: their sum orders its rounds, and rounds
      // between the same two records ran in time order
      rounds.sort(Comparator.comparingLong(Round::rank).thenComparingLong(Round::at));
    }
  }

  private void add(
      Map<Integer, Set<List<Object>>> seen,
      int lane,
      long at,
      Map<String, Long> inputs,
      List<Long> hosts,
      List<Long> scores) {
    Map<String, Long> positions = new TreeMap<>(inputs);
    if (!seen.computeIfAbsent(lane, k -> new HashSet<>()).add(List.of(at, positions))) return;
    long rank = 0;
    for (long o : positions.values()) rank += o;
    byLane
        .computeIfAbsent(lane, k -> new ArrayList<>())
        .add(new Round(at, positions, unboxed(hosts), unboxed(scores), rank));
    count++;
  }

  /** Lane {@code lane}'s rounds, in the order they ran. */
  List<Round> of(int lane) {
    return byLane.getOrDefault(lane, List.of());
  }

  /** How many rounds were recorded. */
  long count() {
    return count;
  }

  /**
   * Whether the rounds can stand for the live run's: some decision recorded earlier rounds. A
   * recording from a dispatcher before they were recorded has only its decisions' own rounds, and
   * the rounds its retries waited through are missing (running only those would skip them).
   */
  boolean usable() {
    return count > 0 && earlierRecorded;
  }

  private static long[] unboxed(List<Long> l) {
    long[] a = new long[l.size()];
    for (int i = 0; i < a.length; i++) a[i] = l.get(i);
    return a;
  }
}
