package io.swarmsched.scheduling.resource;

import io.swarmsched.scheduling.stats.PieceCostStats;
import java.util.Objects;

/**
 * One download of a task by one host. Its state changes only through a {@link PeerStateMachine};
 * its parents and children live in the task's DAG. Not thread-safe (a task is owned by one stream
 * thread).
 */
public final class Peer {

  private final String peerId;
  private final String taskId;
  private final String hostId;
  private final long createdAtMillis;
  private final PieceCostStats pieceCosts;
  private PeerState state;
  private long stateChangedAtMillis;
  private long lastProgressMillis;
  private int piecesFinished;
  private int pieceCount;

  public Peer(String peerId, String taskId, String hostId, long createdAtMillis) {
    this(
        peerId,
        taskId,
        hostId,
        PeerState.PENDING,
        createdAtMillis,
        createdAtMillis,
        createdAtMillis,
        0,
        new PieceCostStats());
  }

  /** Rebuilds a peer from stored state. */
  public Peer(
      String peerId,
      String taskId,
      String hostId,
      PeerState state,
      long createdAtMillis,
      long stateChangedAtMillis,
      long lastProgressMillis,
      int piecesFinished,
      PieceCostStats pieceCosts) {
    this.peerId = Objects.requireNonNull(peerId, "peerId");
    this.taskId = Objects.requireNonNull(taskId, "taskId");
    this.hostId = Objects.requireNonNull(hostId, "hostId");
    this.state = Objects.requireNonNull(state, "state");
    this.createdAtMillis = createdAtMillis;
    this.stateChangedAtMillis = stateChangedAtMillis;
    this.lastProgressMillis = lastProgressMillis;
    if (piecesFinished < 0) {
      throw new IllegalArgumentException("piecesFinished must be >= 0, was " + piecesFinished);
    }
    this.piecesFinished = piecesFinished;
    this.pieceCosts = Objects.requireNonNull(pieceCosts, "pieceCosts");
  }

  public String peerId() {
    return peerId;
  }

  public String taskId() {
    return taskId;
  }

  public String hostId() {
    return hostId;
  }

  public PeerState state() {
    return state;
  }

  public long createdAtMillis() {
    return createdAtMillis;
  }

  public long stateChangedAtMillis() {
    return stateChangedAtMillis;
  }

  /**
   * Last time the peer showed progress (a finished piece or a state change); used by the idle-peer
   * patrol.
   */
  public long lastProgressMillis() {
    return lastProgressMillis;
  }

  public int piecesFinished() {
    return piecesFinished;
  }

  /** The task's piece count as this peer reported it; 0 while it has not said. */
  public int pieceCount() {
    return pieceCount;
  }

  /** Records the task's piece count as the peer reports it (0, unknown, keeps the last one). */
  public void reportPieceCount(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("pieceCount must be >= 0, was " + count);
    }
    if (count > 0) {
      pieceCount = count;
    }
  }

  /**
   * The peer was heard from at {@code atMillis} (any event of its own): the idle-peer patrol counts
   * from there.
   */
  public void heardFrom(long atMillis) {
    lastProgressMillis = Math.max(lastProgressMillis, atMillis);
  }

  /** Costs of the pieces this peer downloaded, for the bad-parent rule. */
  public PieceCostStats pieceCosts() {
    return pieceCosts;
  }

  /** Records a finished piece: its download cost and progress. */
  public void recordPiece(long costMillis, long atMillis) {
    pieceCosts.add(costMillis);
    piecesFinished++;
    lastProgressMillis = Math.max(lastProgressMillis, atMillis);
  }

  /** Sets the finished-piece count reported by a peer event (never goes backwards). */
  public void reportProgress(int finished, long atMillis) {
    if (finished > piecesFinished) {
      piecesFinished = finished;
      lastProgressMillis = Math.max(lastProgressMillis, atMillis);
    }
  }

  void setState(PeerState to, long atMillis) {
    this.state = to;
    this.stateChangedAtMillis = atMillis;
    this.lastProgressMillis = Math.max(lastProgressMillis, atMillis);
  }

  @Override
  public String toString() {
    return "Peer{" + peerId + "@" + hostId + " " + state + " pieces=" + piecesFinished + "}";
  }
}
