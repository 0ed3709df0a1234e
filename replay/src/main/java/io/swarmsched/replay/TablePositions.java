package io.swarmsched.replay;

import io.swarmsched.schemas.DecisionProvenance;
import io.swarmsched.schemas.RoundProvenance;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The global tables as each recorded decision saw them, by position: a decision of a dispatcher
 * that records them ({@code provenance.hosts_positions}, {@code scores_positions}) says, per
 * partition of the hosts and scores topics, the offset after the last record its instance had
 * applied. Within one instance those only grow, in the order it made its decisions, so each task
 * partition's decisions form a chain; a lane's tables are moved to the positions of the decision it
 * is about to make (a request's first round: its own decision; anything else: the first of the
 * lane's chain not yet made), forward by piping the records in offset order, backward by piping
 * each touched key's earlier record (or a tombstone).
 *
 * <p>Why not timestamps: the hosts topic has six partitions that the global thread reads in its own
 * order and scores arrive when scoring-streams commits them, so "the newest record applied was of
 * time T" does not say which others had arrived; positions do.
 */
final class TablePositions {
  /** One recorded decision of a chain: what it saw. */
  private record Link(String key, long decidedAt, long[][] positions, long order, boolean pinned) {}

  private final long from;
  private final long tick;

  /** Per table (HOSTS, SCORES) and partition, the recorded records in offset order. */
  private final List<Map<Integer, List<RecordedHistory.Input>>> logs = new ArrayList<>();

  /** Per table and partition, how many of its records have an offset below the range start. */
  private final List<Map<Integer, Integer>> startState = new ArrayList<>();

  private final Map<Integer, Chain> chains = new HashMap<>();

  /**
   * Request id → its first-round decision's link, for decisions that do not say which input they
   * were made on (from dispatchers before {@code provenance.input}).
   */
  private final Map<String, Link> firstRounds = new HashMap<>();

  /** Input record (topic-partition@offset) → the first decision made on it. */
  private final Map<String, Link> pins = new HashMap<>();

  /** Table records that reached some lane after events dated later (as they had live). */
  private final Set<RecordedRecord> late = Collections.newSetFromMap(new IdentityHashMap<>());

  /** How many table records reached some lane after events dated later than them. */
  long late() {
    return late.size();
  }

  /** True when the recorded decisions carry positions (dispatchers from before do not). */
  static boolean recorded(RecordedHistory h) {
    for (ScheduleDecision d : h.decisions()) {
      DecisionProvenance p = d.getProvenance();
      if (p != null && (!p.getHostsPositions().isEmpty() || !p.getScoresPositions().isEmpty())) {
        return true;
      }
    }
    return false;
  }

  TablePositions(RecordedHistory h, long from, long tick) {
    this.from = from;
    this.tick = tick;
    for (int t = 0; t < 2; t++) {
      logs.add(new HashMap<>());
      startState.add(new HashMap<>());
    }
    for (RecordedHistory.Input in : h.inputs) {
      if (!in.table()) continue;
      logs.get(in.kind()).computeIfAbsent(in.record().partition(), k -> new ArrayList<>()).add(in);
    }
    for (int t = 0; t < 2; t++) {
      for (Map.Entry<Integer, List<RecordedHistory.Input>> e : logs.get(t).entrySet()) {
        e.getValue().sort(Comparator.comparingLong(i -> i.record().offset()));
        int n = 0;
        for (RecordedHistory.Input in : e.getValue()) if (in.record().timestamp() < from) n++;
        startState.get(t).put(e.getKey(), n);
      }
    }
    Map<String, RecordedHistory.Input> events = new HashMap<>();
    for (RecordedHistory.Input in : h.inputs) {
      if (!in.table()) events.put(in.record().coordinates(), in);
    }
    long order = 0;
    for (ScheduleDecision d : h.decisions()) {
      order++;
      DecisionProvenance p = d.getProvenance();
      Integer lane = h.partitionOfTask.get(d.getTaskId());
      if (p == null || lane == null || d.getRequestId().isEmpty()) continue;
      if (p.getHostsPositions().isEmpty() && p.getScoresPositions().isEmpty()) continue;
      // the input it names must be an event of its task in the recording (inputs are keyed by
      // task id), or the name is not trusted and the decision is placed by the chain instead
      RecordedHistory.Input input = p.getInput() == null ? null : events.get(p.getInput());
      boolean pinned = input != null && d.getTaskId().equals(input.key());
      Link link =
          new Link(
              key(d),
              d.getDecidedAt().toEpochMilli(),
              new long[][] {unboxed(p.getHostsPositions()), unboxed(p.getScoresPositions())},
              order,
              pinned);
      chains.computeIfAbsent(lane, k -> new Chain()).links.add(link);
      // a round on an input record that left the request waiting saw the tables there too
      for (RoundProvenance r : p.getEarlierRounds()) {
        RecordedHistory.Input at = r.getInput() == null ? null : events.get(r.getInput());
        if (at == null || !d.getTaskId().equals(at.key())) continue;
        if (r.getHostsPositions().isEmpty() && r.getScoresPositions().isEmpty()) continue;
        Link waited =
            new Link(
                d.getRequestId() + "@" + r.getInput(),
                r.getAt(),
                new long[][] {unboxed(r.getHostsPositions()), unboxed(r.getScoresPositions())},
                order,
                true);
        pins.merge(r.getInput(), waited, (a, b) -> Chain.sum(a) <= Chain.sum(b) ? a : b);
      }
      if (pinned) {
        pins.merge(p.getInput(), link, (a, b) -> Chain.sum(a) <= Chain.sum(b) ? a : b);
      } else if (d.getAttempt() <= 1 && p.getInput() != null) {
        // made on an input this recording does not hold as an event of its task: when the
        // request is fed is the best guess
        firstRounds.putIfAbsent(d.getRequestId(), link);
      }
    }
    for (Chain c : chains.values()) c.sort();
  }

  private static String key(ScheduleDecision d) {
    return d.getRequestId() + "#" + d.getAttempt();
  }

  private static long[] unboxed(List<Long> l) {
    long[] a = new long[l.size()];
    for (int i = 0; i < a.length; i++) a[i] = l.get(i);
    return a;
  }

  /** One lane's recorded decisions in the order its instance made them. */
  private static final class Chain {
    final List<Link> links = new ArrayList<>();
    final Map<String, Integer> index = new HashMap<>();
    boolean[] made;
    int next;

    void sort() {
      // positions only grow within an instance: their sum orders its decisions
      links.sort(Comparator.comparingLong(Chain::sum).thenComparingLong(Link::order));
      made = new boolean[links.size()];
      for (int i = 0; i < links.size(); i++) index.putIfAbsent(links.get(i).key(), i);
    }

    static long sum(Link l) {
      long s = 0;
      for (long[] t : l.positions()) for (long o : t) s += Math.max(0, o);
      return s;
    }
  }

  /** What one lane's tables hold now: per table and partition, how many records are applied. */
  static final class State {
    final List<Map<Integer, Integer>> applied = List.of(new HashMap<>(), new HashMap<>());
    long streamTime = Long.MIN_VALUE;
    long piped;
  }

  /** A replayed decision of lane {@code lane} was made: its recorded one is done. */
  void made(int lane, ScheduleDecision d) {
    Chain c = chains.get(lane);
    if (c == null) return;
    Integer i = c.index.get(key(d));
    if (i != null) c.made[i] = true;
  }

  /**
   * Moves lane {@code lane}'s tables to what its next decision saw: {@code requestId}'s first round
   * when a request is about to be fed, else the first recorded decision of the lane not yet made
   * (nor left behind in stream time). {@code pipe} gets each table record to pipe, a tombstone as a
   * null value.
   */
  void sync(int lane, State s, RecordedHistory.Input in, String requestId, Pipe pipe) {
    Link target = in == null ? null : pins.get(in.record().coordinates());
    if (target == null && requestId != null) target = firstRounds.get(requestId);
    if (target == null) target = pending(lane, s);
    if (target == null) return;
    for (int t = 0; t < 2; t++) moveTo(t, target.positions()[t], s, pipe);
  }

  private Link pending(int lane, State s) {
    Chain c = chains.get(lane);
    if (c == null || c.links.isEmpty()) return null;
    // decisions made on an input are placed by it; the chain places the others (punctuations)
    while (c.next < c.links.size()
        && (c.made[c.next]
            || c.links.get(c.next).pinned()
            || c.links.get(c.next).decidedAt() + tick < s.streamTime)) {
      c.next++;
    }
    if (c.next < c.links.size()) return c.links.get(c.next);
    return null; // none left: the tables stay as they are
  }

  /**
   * Moves a lane's tables to the positions a recorded round saw ({@code hosts}, {@code scores}: per
   * partition, as a decision's); none recorded (both empty) leaves them where they are.
   */
  void moveTo(State s, long[] hosts, long[] scores, Pipe pipe) {
    if (hosts.length == 0 && scores.length == 0) return;
    moveTo(RecordedHistory.HOSTS, hosts, s, pipe);
    moveTo(RecordedHistory.SCORES, scores, s, pipe);
  }

  /** Pipes what it takes for table {@code t} of a lane to stand at {@code positions}. */
  private void moveTo(int t, long[] positions, State s, Pipe pipe) {
    for (Map.Entry<Integer, List<RecordedHistory.Input>> e : logs.get(t).entrySet()) {
      int p = e.getKey();
      List<RecordedHistory.Input> log = e.getValue();
      long position = p < positions.length ? positions[p] : -1;
      int want = position < 0 ? startState.get(t).get(p) : below(log, position);
      int have = s.applied.get(t).getOrDefault(p, 0);
      if (want > have) {
        for (int i = have; i < want; i++) {
          RecordedHistory.Input in = log.get(i);
          if (in.record().timestamp() < s.streamTime) late.add(in.record());
          pipe.pipe(in, false);
        }
        s.piped += want - have;
      } else if (want < have) {
        // back: each key touched since gets its record from before (or none)
        Map<String, Boolean> done = new HashMap<>();
        for (int i = have - 1; i >= want; i--) {
          String key = log.get(i).key();
          if (done.putIfAbsent(key, true) != null) continue;
          RecordedHistory.Input before = null;
          for (int j = want - 1; j >= 0 && before == null; j--) {
            if (log.get(j).key().equals(key)) before = log.get(j);
          }
          if (before != null) pipe.pipe(before, false);
          else pipe.pipe(log.get(i), true);
          s.piped++;
        }
      }
      s.applied.get(t).put(p, want);
    }
  }

  /** How many records of {@code log} have an offset below {@code position}. */
  private static int below(List<RecordedHistory.Input> log, long position) {
    int lo = 0;
    int hi = log.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (log.get(mid).record().offset() < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Pipes a table record into a lane ({@code tombstone}: its key's deletion instead). */
  @FunctionalInterface
  interface Pipe {
    void pipe(RecordedHistory.Input in, boolean tombstone);
  }
}
