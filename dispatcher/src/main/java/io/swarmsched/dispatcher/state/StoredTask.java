package io.swarmsched.dispatcher.state;

import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.round.SeedState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What the task store holds for one task (RocksDB, keyed by task id): core's {@link Task} itself —
 * its peers, their states and the DAG, the one model of a task, which stage 1 reads and core's
 * state machine changes — and beside it what only the dispatcher keeps: the content digest, the
 * task's seed state, the requests waiting for a retry, and who served each peer how much. Encoded
 * by {@link StoredTaskSerde}.
 */
public final class StoredTask {
  private final Task task;

  /** The digest the first request named, handed on to the requests the dispatcher makes itself. */
  public String digest;

  /** Seed host id -> stream time at which it failed this task (sorted: deterministic). */
  public final Map<String, Long> failedSeeds = new TreeMap<>();

  public String seedHostId;
  public long seedTriggeredAt;

  /**
   * Request id -> key of its entry in the retry store. Each change is remembered, so that the task
   * store writes only the entries that changed ({@link TaskRecords}).
   */
  public final Map<String, String> pending = new TrackedMap<String>(this::pendingChanged);

  /**
   * Peer id -> stream time at which it left or failed the task: a piece event it sent before it
   * went, read after (piece and peer events are separate topics), must not enrol it again. Kept for
   * {@link #DEPARTURE_MEMORY_MILLIS} (the patrol forgets older ones), at most {@link #MAX_DEPARTED}
   * per task; a request of its own brings the peer back. Each change is remembered, as the pending
   * map's.
   */
  public final Map<String, Long> departed = new TrackedMap<Long>(this::departedChanged);

  /** How long a departure is remembered: far longer than the two topics are apart. */
  public static final long DEPARTURE_MEMORY_MILLIS = 10 * 60_000L;

  /** At most this many departures per task (the oldest forgotten first). */
  public static final int MAX_DEPARTED = 4_096;

  /**
   * Peers changed (or removed) since the task store last wrote the task: their records are written
   * (or deleted) at its next flush, and no other peer's ({@link TaskStore}). Whoever changes a peer
   * of {@link #task()} — its fields, its in-edges — says so with {@link #changed}.
   */
  final Set<String> changedPeers = new HashSet<>();

  /** Request ids whose {@link #pending} entry changed since the last write. */
  final Set<String> changedPending = new HashSet<>();

  /** Peer ids whose {@link #departed} entry changed since the last write. */
  final Set<String> changedDeparted = new HashSet<>();

  /** Every record is to be written (a task read from a whole-task value, or put afresh). */
  boolean rewrite;

  /**
   * Peer id -> what it received, by who served it ({@link ServedBytes}, for the dashboard's DAG
   * edges): kept after the peer finishes and loses its in-edges, dropped with the peer ({@link
   * #forgetServed}). Only peers of the task are stored; sorted: deterministic.
   */
  final Map<String, ServedBytes> served = new TreeMap<>();

  public StoredTask(String taskId) {
    this(new Task(taskId, ""));
  }

  public StoredTask(Task task) {
    this.task = Objects.requireNonNull(task, "task");
  }

  public Task task() {
    return task;
  }

  public String taskId() {
    return task.taskId();
  }

  /** The seed state core's round reads. */
  public SeedState seedState() {
    return new SeedState(seedHostId, seedTriggeredAt, failedSeeds);
  }

  /** What {@code peerId} has received so far, to add a finished piece to (created on first use). */
  public ServedBytes servedTo(String peerId) {
    changedPeers.add(peerId);
    return served.computeIfAbsent(peerId, id -> new ServedBytes());
  }

  /** What {@code peerId} has received so far; null when nothing is recorded. */
  public ServedBytes servedOrNull(String peerId) {
    return served.get(peerId);
  }

  /** The peer left the task (or re-enrols afresh): what it received goes with it. */
  public void forgetServed(String peerId) {
    changedPeers.add(peerId);
    served.remove(peerId);
  }

  /**
   * {@code peerId}'s state, times, progress or in-edges changed, or it joined or left the task: the
   * task store writes its record (or deletes it) at its next flush.
   */
  public void changed(String peerId) {
    changedPeers.add(peerId);
  }

  /** {@link #changed} for each of {@code peerIds}. */
  public void changed(Collection<String> peerIds) {
    changedPeers.addAll(peerIds);
  }

  /** Forgets what changed: the task store has written it. */
  void written() {
    changedPeers.clear();
    changedPending.clear();
    changedDeparted.clear();
    rewrite = false;
  }

  private void pendingChanged(String requestId) {
    changedPending.add(requestId);
  }

  private void departedChanged(String peerId) {
    changedDeparted.add(peerId);
  }

  /**
   * {@code peerId} left or failed the task at {@code now}: remembered, the oldest departure
   * forgotten past {@link #MAX_DEPARTED}.
   */
  public void departed(String peerId, long now) {
    departed.put(peerId, now);
    if (departed.size() > MAX_DEPARTED) {
      String oldest = null;
      long at = Long.MAX_VALUE;
      for (Map.Entry<String, Long> e : departed.entrySet()) {
        if (e.getValue() < at) {
          at = e.getValue();
          oldest = e.getKey();
        }
      }
      departed.remove(oldest);
    }
  }

  /** Forgets the departures older than {@link #DEPARTURE_MEMORY_MILLIS}; whether any went. */
  public boolean forgetOldDepartures(long now) {
    List<String> old = new ArrayList<>();
    for (Map.Entry<String, Long> e : departed.entrySet())
      if (now - e.getValue() >= DEPARTURE_MEMORY_MILLIS) old.add(e.getKey());
    old.forEach(departed::remove);
    return !old.isEmpty();
  }

  /** A sorted map that tells {@code onChange} which keys were put or removed. */
  private static final class TrackedMap<V> extends TreeMap<String, V> {
    private final Consumer<String> onChange;

    TrackedMap(Consumer<String> onChange) {
      this.onChange = onChange;
    }

    @Override
    public V put(String key, V value) {
      onChange.accept(key);
      return super.put(key, value);
    }

    @Override
    public void putAll(Map<? extends String, ? extends V> m) {
      for (Map.Entry<? extends String, ? extends V> e : m.entrySet()) put(e.getKey(), e.getValue());
    }

    @Override
    public V remove(Object key) {
      V old = super.remove(key);
      if (old != null) onChange.accept((String) key);
      return old;
    }

    @Override
    public void clear() {
      super.keySet().forEach(onChange);
      super.clear();
    }

    // views are read-only: a change through them would not be remembered
    @Override
    public Set<String> keySet() {
      return Collections.unmodifiableSet(super.keySet());
    }

    @Override
    public Collection<V> values() {
      return Collections.unmodifiableCollection(super.values());
    }

    @Override
    public Set<Map.Entry<String, V>> entrySet() {
      return Collections.unmodifiableSet(super.entrySet());
    }
  }

  /**
   * Everyone left: the task is kept only to remember who (the task list and the task's page show it
   * as gone, as they did before departures were kept).
   */
  public boolean onlyDepartures() {
    return task.peerCount() == 0 && pending.isEmpty() && !departed.isEmpty();
  }

  /** No peer, no waiting request and no departure to remember: the store forgets the task. */
  public boolean isEmpty() {
    return task.peerCount() == 0 && pending.isEmpty() && departed.isEmpty();
  }
}
