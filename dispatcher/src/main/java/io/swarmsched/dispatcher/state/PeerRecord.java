package io.swarmsched.dispatcher.state;

import java.util.ArrayList;
import java.util.List;

/** One peer (one download of the task by one host) as the dispatcher remembers it. */
public final class PeerRecord {
  public String peerId;
  public String hostId;
  /** PeerStatus name. */
  public PeerStatus status = PeerStatus.PENDING;
  /** Parent peer ids: the DAG edges parent -> this peer. */
  public List<String> parents = new ArrayList<>();
  public int piecesFinished;
  public int pieceCount;
  public long registeredAt;
  /** Stream time of the last sign of progress (registration, piece, state change). */
  public long lastProgressAt;
  /** Cost in ms of the pieces this peer downloaded, oldest first, capped. */
  public List<Long> pieceCosts = new ArrayList<>();

  public PeerRecord() {}

  public PeerRecord(String peerId, String hostId, long now) {
    this.peerId = peerId;
    this.hostId = hostId;
    this.registeredAt = now;
    this.lastProgressAt = now;
  }

  public boolean finished() {
    return status == PeerStatus.SUCCEEDED;
  }

  public boolean active() {
    return status == PeerStatus.PENDING || status == PeerStatus.RUNNING || status == PeerStatus.BACK_TO_SOURCE;
  }
}
