package io.swarmsched.replay;

import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.TaskMetadata;
import io.swarmsched.topics.Topics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a recording holds for a replay, read in one pass: the inputs to feed (kept as their recorded
 * bytes: a million decoded requests and events held at once filled the heap, so each is decoded
 * again when fed), the recorded decisions (likewise as bytes, decoded when read), and what the
 * comparison explains differences by (the tables' histories, the tasks' partitions and event
 * times).
 */
final class RecordedHistory {
  static final int HOSTS = 0;
  static final int SCORES = 1;
  static final int REQUESTS = 2;
  static final int PEER_EVENTS = 3;
  static final int PIECE_EVENTS = 4;

  /** Not a record: a round the live dispatcher ran in a punctuation ({@link InputOrder#round}). */
  static final int ROUND = 5;

  /** Event ids of the LEFT events the dispatcher's patrol writes (see the dispatcher's Patrol). */
  static final String PATROL_EVENT_PREFIX = "dispatcher/left/";

  /**
   * One input: fed at {@code feedAt} (its timestamp, or for a table record the time it reached the
   * live dispatcher, see {@link Replayer.TableTiming}) and piped with its own timestamp.
   */
  record Input(RecordedRecord record, int kind, String key, long feedAt) {
    Input at(long t) {
      return new Input(record, kind, key, t);
    }

    boolean table() {
      return kind <= SCORES;
    }
  }

  final RecordDecoder decoder;
  final List<Input> inputs = new ArrayList<>();
  final List<RecordedRecord> recordedDecisions = new ArrayList<>();
  final Map<String, RecordedRecord> requestsById = new HashMap<>();
  final Map<String, Integer> partitionOfTask = new HashMap<>();
  final Map<String, HostState> hosts = new TreeMap<>();
  final Map<String, TreeMap<Long, Double>> scoreHistory = new HashMap<>();
  final Map<String, TreeSet<Long>> hostHistory = new HashMap<>();
  final Map<String, TaskMetadata> tasks = new TreeMap<>();
  final Map<String, TreeSet<Long>> taskEventTimes = new HashMap<>();
  final List<Replayer.Undecodable> undecodable = new ArrayList<>();
  final Map<String, Long> inputsByTopic = new TreeMap<>();
  final Set<Integer> partitions = new TreeSet<>();
  long patrolSkipped;

  /** How the last {@link #plan} followed the recorded input positions; null when it did not. */
  InputOrder inputOrder;

  long requests;

  private RecordedHistory(RecordDecoder decoder) {
    this.decoder = decoder;
  }

  /** Reads {@code recording}; records that fail to decode are listed, not fatal. */
  static RecordedHistory read(RecordingFile.Recording recording) {
    RecordedHistory h = new RecordedHistory(new RecordDecoder(recording.schemas()));
    for (RecordedRecord r : recording.records()) {
      try {
        if (h.add(r)) h.inputsByTopic.merge(r.topic(), 1L, Long::sum);
      } catch (RuntimeException e) {
        h.undecodable.add(new Replayer.Undecodable(r.coordinates(), RecordDecoder.oneLine(e)));
      }
    }
    return h;
  }

  /** Takes one record in; true when it is an input counted by topic. */
  private boolean add(RecordedRecord r) {
    String topic = r.topic();
    String key = RecordingFile.utf8(r.key());
    if (topic.equals(Topics.SCHEDULE_DECISIONS.name())) {
      decoder.decode(r, ScheduleDecision.class); // undecodable ones are listed here, once
      recordedDecisions.add(r);
      return true;
    } else if (topic.equals(Topics.TASK_METADATA.name())) {
      if (r.value() != null && key != null) tasks.put(key, decoder.decode(r, TaskMetadata.class));
      return true;
    } else if (topic.equals(Topics.HOSTS.name())) {
      HostState s = r.value() == null ? null : decoder.decode(r, HostState.class);
      if (key == null) return false;
      if (s != null) hosts.put(key, s);
      hostHistory.computeIfAbsent(key, k -> new TreeSet<>()).add(r.timestamp());
      inputs.add(new Input(r, HOSTS, key, r.timestamp()));
      return true;
    } else if (topic.equals(Topics.HOST_SCORES.name())) {
      HostScore s = r.value() == null ? null : decoder.decode(r, HostScore.class);
      if (key == null) return false;
      scoreHistory
          .computeIfAbsent(key, k -> new TreeMap<>())
          .put(r.timestamp(), s == null ? Double.NaN : s.getLoadQuality());
      inputs.add(new Input(r, SCORES, key, r.timestamp()));
      return true;
    } else if (topic.equals(Topics.SCHEDULE_REQUESTS.name())) {
      ScheduleRequest req = decoder.decode(r, ScheduleRequest.class);
      requestsById.putIfAbsent(req.getRequestId(), r);
      partitionOfTask.putIfAbsent(req.getTaskId(), r.partition());
      partitions.add(r.partition());
      inputs.add(new Input(r, REQUESTS, key, r.timestamp()));
      requests++;
      return true;
    } else if (topic.equals(Topics.PEER_EVENTS.name())) {
      PeerEvent ev = decoder.decode(r, PeerEvent.class);
      if (ev.getEventId().startsWith(PATROL_EVENT_PREFIX)) {
        patrolSkipped++;
        return false;
      }
      event(r, ev.getTaskId(), PEER_EVENTS, key);
      return true;
    } else if (topic.equals(Topics.PIECE_EVENTS.name())) {
      event(r, decoder.decode(r, PieceEvent.class).getTaskId(), PIECE_EVENTS, key);
      return true;
    }
    return false;
  }

  private void event(RecordedRecord r, String taskId, int kind, String key) {
    partitions.add(r.partition());
    taskEventTimes.computeIfAbsent(taskId, k -> new TreeSet<>()).add(r.timestamp());
    inputs.add(new Input(r, kind, key, r.timestamp()));
  }

  /** Whether some recorded decision says where its task's input partitions stood. */
  private boolean inputPositionsRecorded() {
    for (ScheduleDecision d : decisions()) {
      if (d.getProvenance() != null && !d.getProvenance().getInputPositions().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** The recorded decisions, decoded one at a time as the iteration reaches them. */
  Iterable<ScheduleDecision> decisions() {
    return () ->
        new Iterator<>() {
          private final Iterator<RecordedRecord> it = recordedDecisions.iterator();

          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public ScheduleDecision next() {
            return decoder.decode(it.next(), ScheduleDecision.class);
          }
        };
  }

  /**
   * What to feed: the events in feeding order, and for each task partition (lane) the table records
   * in the order and at the times that partition gets them; {@code retimed} counts the table
   * records moved off their timestamp in some partition.
   */
  record Plan(List<Input> events, Map<Integer, List<Input>> tables, long retimed) {}

  /**
   * The plan; with {@code recordedTiming} each host and score record reaches each partition when it
   * had reached that partition of the live dispatcher ({@link ArrivalTimes}), else at its
   * timestamp.
   */
  Plan plan(boolean recordedTiming) {
    return plan(recordedTiming, null);
  }

  /**
   * As {@link #plan(boolean)}, with the live dispatcher's recorded {@code rounds} among the events
   * (null: none).
   */
  Plan plan(boolean recordedTiming, LiveRounds rounds) {
    List<Input> tables = new ArrayList<>();
    for (Input in : inputs) if (in.table()) tables.add(in);
    Map<Integer, List<Input>> perLane = new HashMap<>();
    long retimed = 0;
    if (!recordedTiming) {
      tables.sort(HEADS);
      for (int p : partitions) perLane.put(p, tables);
    } else {
      Map<Integer, List<long[]>> hostPairs = new HashMap<>();
      Map<Integer, List<long[]>> scorePairs = new HashMap<>();
      for (ScheduleDecision d : decisions()) {
        Integer p = partitionOfTask.get(d.getTaskId());
        long[] host = ArrivalTimes.pair(d, requestsById, true);
        if (p == null || host == null) continue; // a task whose requests are not in the range
        hostPairs.computeIfAbsent(p, k -> new ArrayList<>()).add(host);
        scorePairs
            .computeIfAbsent(p, k -> new ArrayList<>())
            .add(ArrivalTimes.pair(d, requestsById, false));
      }
      boolean[] moved = new boolean[tables.size()];
      for (int p : partitions) {
        ArrivalTimes hostsArrive = new ArrivalTimes(hostPairs.getOrDefault(p, List.of()));
        ArrivalTimes scoresArrive = new ArrivalTimes(scorePairs.getOrDefault(p, List.of()));
        List<Input> mine = new ArrayList<>(tables.size());
        for (int i = 0; i < tables.size(); i++) {
          Input in = tables.get(i);
          long t = in.record().timestamp();
          long at = (in.kind() == HOSTS ? hostsArrive : scoresArrive).arrival(t);
          moved[i] |= at != t;
          mine.add(at == t ? in : in.at(at));
        }
        mine.sort(HEADS);
        perLane.put(p, mine);
      }
      for (boolean m : moved) if (m) retimed++;
    }
    return new Plan(eventOrder(rounds), perLane, retimed);
  }

  private static final Comparator<Input> HEADS =
      Comparator.comparingLong(Input::feedAt)
          .thenComparingInt(i -> i.table() ? 0 : 1)
          .thenComparing(i -> i.record().topic())
          .thenComparingInt(i -> i.record().partition())
          .thenComparingLong(i -> i.record().offset());

  /**
   * The order Kafka Streams processes the events in: each topic partition in offset order (records
   * of different producers may be out of timestamp order within one), and among the partitions the
   * one whose next record has the smallest timestamp. (The tables' records are merged in per lane,
   * by the time they reached it, first at equal times: see {@link #plan}.) When the recorded
   * decisions say where each input partition stood when they were made, each lane follows that
   * instead ({@link InputOrder}).
   */
  private List<Input> eventOrder(LiveRounds rounds) {
    Map<String, List<Input>> queues = new HashMap<>();
    for (Input in : inputs) {
      if (in.table()) continue;
      queues
          .computeIfAbsent(
              in.record().topic() + "-" + in.record().partition(), k -> new ArrayList<>())
          .add(in);
    }
    List<ArrayDeque<Input>> all = new ArrayList<>();
    for (List<Input> q : queues.values()) {
      q.sort(Comparator.comparingLong(i -> i.record().offset()));
      all.add(new ArrayDeque<>(q));
    }
    if (inputPositionsRecorded()) {
      inputOrder = new InputOrder();
      return inputOrder.order(queues.values(), decisions(), rounds, HEADS);
    }
    PriorityQueue<ArrayDeque<Input>> heads =
        new PriorityQueue<>((a, b) -> HEADS.compare(a.peek(), b.peek()));
    for (ArrayDeque<Input> q : all) if (!q.isEmpty()) heads.add(q);
    List<Input> out = new ArrayList<>(inputs.size());
    while (!heads.isEmpty()) {
      ArrayDeque<Input> q = heads.poll();
      out.add(q.poll());
      if (!q.isEmpty()) heads.add(q);
    }
    return out;
  }
}
