package io.swarmsched.replay;

import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Recorded decisions against replayed ones, request by request, as the replayed ones come: how many
 * are identical (same outcome, reason, target, worker and parents in the same order), and for each
 * difference its cause ({@link DifferenceCauses}). Identical pairs are counted and forgotten; the
 * replayed side of a difference is set aside on disk ({@link DecisionSpill}) until the replay ends,
 * when the differences are explained in the order the live run decided them (a difference explains
 * later ones in its task and partition).
 */
public final class Comparison {
  /** How many differences a result lists (all of them go to a {@code onDifference} consumer). */
  public static final int LISTED = 1000;

  /** A difference and its cause. */
  public record Difference(
      String requestId,
      String taskId,
      ScheduleDecision recorded,
      ScheduleDecision replayed,
      String cause,
      boolean explained) {}

  /** The result; {@code differences} lists the first {@link #LISTED} of {@code different}. */
  public record Result(
      int compared,
      int identical,
      List<Difference> differences,
      int different,
      long unexplained,
      int recordedOnly,
      int replayedOnly,
      long recordedSeedTriggers,
      long replayedSeedTriggers) {
    public double identicalShare() {
      return compared == 0 ? 1 : (double) identical / compared;
    }
  }

  private final RecordedHistory history;

  /** Recorded terminal decisions whose request is in the recording: key → index in the history. */
  private final Map<String, Integer> recorded = new HashMap<>();

  /** Keys of recorded decisions whose request was made before the recorded range. */
  private final Set<String> recordedOutside = new HashSet<>();

  private final long[] recordedAt;
  private final BitSet matched = new BitSet();
  private final Keys replayedKeys = new Keys();
  private final List<long[]> different = new ArrayList<>(); // {recorded index, spill position}
  private final DecisionSpill spill = new DecisionSpill();
  private final long recordedSeedTriggers;
  private int identical;
  private int replayedOnly;
  private long replayedSeedTriggers;

  Comparison(RecordedHistory history) {
    this.history = history;
    recordedAt = new long[history.recordedDecisions.size()];
    Set<String> seeds = new HashSet<>();
    SeenIds seen = new SeenIds();
    Keys keys = new Keys();
    int i = 0;
    for (ScheduleDecision d : history.decisions()) {
      int index = i++;
      recordedAt[index] = d.getDecidedAt().toEpochMilli();
      if (d.getOutcome() == DecisionOutcome.SEED_TRIGGER) {
        seeds.add(d.getDecisionId());
        continue;
      }
      if (d.getRequestId().isEmpty() || !seen.add(d.getRequestId())) continue;
      String key = keys.of(d.getRequestId());
      if (history.requestsById.containsKey(d.getRequestId()) || key.startsWith("parent-lost/")) {
        recorded.put(key, index);
      } else {
        recordedOutside.add(key); // its request was made before the recorded range
      }
    }
    recordedSeedTriggers = seeds.size();
  }

  /** A replayed seed trigger. */
  void seedTrigger() {
    replayedSeedTriggers++;
  }

  /** The first terminal replayed decision of a request. */
  void replayed(ScheduleDecision d) {
    String key = replayedKeys.of(d.getRequestId());
    Integer index = recorded.get(key);
    if (index == null) {
      if (!recordedOutside.contains(key)) replayedOnly++;
      return;
    }
    matched.set(index);
    ScheduleDecision live = history.decoder.decode(recorded(index), ScheduleDecision.class);
    if (choice(live).equals(choice(d))) {
      identical++;
    } else {
      different.add(new long[] {index, spill.add(d)});
    }
  }

  /**
   * Explains the differences, in the order the live run decided them, each to {@code onDifference}
   * (e.g. a file), and returns the counts with the first {@link #LISTED}.
   */
  Result finish(String policyId, Consumer<Difference> onDifference) {
    try (spill) {
      for (int index : recorded.values()) {
        if (!matched.get(index)) different.add(new long[] {index, -1}); // never decided again
      }
      different.sort(
          (a, b) -> {
            int c = Long.compare(recordedAt[(int) a[0]], recordedAt[(int) b[0]]);
            return c != 0 ? c : Long.compare(a[0], b[0]);
          });
      Map<String, String> taskDiffered = new HashMap<>();
      Map<Integer, String> partitionDiffered = new HashMap<>();
      List<Difference> listed = new ArrayList<>();
      long unexplained = 0;
      for (long[] pair : different) {
        ScheduleDecision live =
            history.decoder.decode(recorded((int) pair[0]), ScheduleDecision.class);
        ScheduleDecision rep = pair[1] < 0 ? null : spill.get(pair[1]);
        String cause =
            DifferenceCauses.explain(history, policyId, live, rep, taskDiffered, partitionDiffered);
        boolean explained = !cause.startsWith("unexplained");
        if (!explained) unexplained++;
        String id = live.getRequestId();
        Difference diff = new Difference(id, live.getTaskId(), live, rep, cause, explained);
        onDifference.accept(diff);
        if (listed.size() < LISTED) listed.add(diff);
        taskDiffered.putIfAbsent(live.getTaskId(), id);
        Integer partition = history.partitionOfTask.get(live.getTaskId());
        if (partition != null) partitionDiffered.putIfAbsent(partition, id);
      }
      return new Result(
          recorded.size(),
          identical,
          listed,
          different.size(),
          unexplained,
          recordedOutside.size(),
          replayedOnly,
          recordedSeedTriggers,
          replayedSeedTriggers);
    }
  }

  private RecordedRecord recorded(int index) {
    return history.recordedDecisions.get(index);
  }

  /**
   * The key a request's decision is compared under. The dispatcher's own requests for a lost parent
   * carry the stream time in their id ({@code parent-lost/task/peer/parent/now}), which a replay
   * need not reproduce to the millisecond: they are matched without it, in order.
   */
  private static final class Keys {
    private final Map<String, Integer> seen = new HashMap<>();

    String of(String requestId) {
      if (!requestId.startsWith("parent-lost/")) return requestId;
      String base = requestId.substring(0, requestId.lastIndexOf('/'));
      return base + "#" + seen.merge(base, 1, Integer::sum);
    }
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
}
