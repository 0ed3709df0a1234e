package io.swarmsched.dispatcher.state;

import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.round.SeedState;
import java.util.Map;
import java.util.Objects;
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

  /** Request id -> key of its entry in the retry store. */
  public final Map<String, String> pending = new TreeMap<>();

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
    return served.computeIfAbsent(peerId, id -> new ServedBytes());
  }

  /** What {@code peerId} has received so far; null when nothing is recorded. */
  public ServedBytes servedOrNull(String peerId) {
    return served.get(peerId);
  }

  /** The peer left the task (or re-enrols afresh): what it received goes with it. */
  public void forgetServed(String peerId) {
    served.remove(peerId);
  }

  /** No peer and no waiting request: the store forgets the task. */
  public boolean isEmpty() {
    return task.peerCount() == 0 && pending.isEmpty();
  }
}
