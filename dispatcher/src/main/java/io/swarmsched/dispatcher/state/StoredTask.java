package io.swarmsched.dispatcher.state;

import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.round.SeedState;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

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
  public final Map<String, String> pending = new PendingMap();

  /**
   * Peers changed (or removed) since the task store last wrote the task: their records are written
   * (or deleted) at its next flush, and no other peer's ({@link TaskStore}). Whoever changes a peer
   * of {@link #task()} — its fields, its in-edges — says so with {@link #changed}.
   */
  final Set<String> changedPeers = new HashSet<>();

  /** Request ids whose {@link #pending} entry changed since the last write. */
  final Set<String> changedPending = new HashSet<>();

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
    rewrite = false;
  }

  /** The pending map: a sorted map that remembers which request ids were put or removed. */
  private final class PendingMap extends TreeMap<String, String> {
    @Override
    public String put(String requestId, String retryKey) {
      changedPending.add(requestId);
      return super.put(requestId, retryKey);
    }

    @Override
    public void putAll(Map<? extends String, ? extends String> m) {
      for (Map.Entry<? extends String, ? extends String> e : m.entrySet())
        put(e.getKey(), e.getValue());
    }

    @Override
    public String remove(Object requestId) {
      String old = super.remove(requestId);
      if (old != null) changedPending.add((String) requestId);
      return old;
    }

    @Override
    public void clear() {
      changedPending.addAll(keySet());
      super.clear();
    }

    // views are read-only: a change through them would not be remembered
    @Override
    public Set<String> keySet() {
      return Collections.unmodifiableSet(super.keySet());
    }

    @Override
    public Collection<String> values() {
      return Collections.unmodifiableCollection(super.values());
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
      return Collections.unmodifiableSet(super.entrySet());
    }
  }

  /** No peer and no waiting request: the store forgets the task. */
  public boolean isEmpty() {
    return task.peerCount() == 0 && pending.isEmpty();
  }
}
