package io.swarmsched.dispatcher.state;

import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.stats.PieceCostStats;
import java.util.ArrayList;
import java.util.List;

/** One peer (one download of the task by one host) as the dispatcher remembers it. */
public final class PeerRecord {
  public String peerId;
  public String hostId;

  /** Core's state of the peer (its state machine decides the moves). */
  public PeerState status = PeerState.PENDING;

  /** Parent peer ids: the DAG edges parent -> this peer. */
  public List<String> parents = new ArrayList<>();

  /**
   * Who served this peer how much (parents and origin), from its finished pieces; kept when {@link
   * #parents} is cleared, for the dashboard's DAG edges.
   */
  public ServedBytes received = new ServedBytes();

  public int piecesFinished;
  public int pieceCount;
  public long registeredAt;

  /** Stream time of the last sign of progress (registration, piece, state change). */
  public long lastProgressAt;

  /** Cost in ms of the pieces this peer downloaded, oldest first, capped. */
  public List<Long> pieceCosts = new ArrayList<>();

  /**
   * The statistics of {@link #pieceCosts}, computed once per change rather than once per decision.
   */
  private transient PieceCostStats costStats;

  /**
   * Bumped by every new sample, so that a mirror of this peer knows when its statistics changed.
   */
  private transient int costVersion;

  public PeerRecord() {}

  public PeerRecord(String peerId, String hostId, long now) {
    this.peerId = peerId;
    this.hostId = hostId;
    this.registeredAt = now;
    this.lastProgressAt = now;
  }

  /** Adds a piece cost, keeping the newest {@code maxSamples}. */
  public void addPieceCost(long costMillis, int maxSamples) {
    pieceCosts.add(costMillis);
    if (pieceCosts.size() > maxSamples) pieceCosts.remove(0);
    costStats = null;
    costVersion++;
  }

  /**
   * Core's statistics over {@link #pieceCosts}: the same numbers as {@code
   * PieceCostStats.of(pieceCosts)}.
   */
  public PieceCostStats costStats() {
    if (costStats == null) costStats = PieceCostStats.of(pieceCosts);
    return PieceCostStats.restore(
        costStats.samples(), costStats.last(), costStats.earlierMean(), costStats.earlierM2());
  }

  /** Changes whenever {@link #addPieceCost} adds a sample. */
  public int costVersion() {
    return costVersion;
  }

  public boolean finished() {
    return status == PeerState.SUCCEEDED;
  }

  public boolean active() {
    return status == PeerState.PENDING
        || status == PeerState.RUNNING
        || status == PeerState.BACK_TO_SOURCE;
  }
}
