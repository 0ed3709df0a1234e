package io.swarmsched.dispatcher.topology;

import io.swarmsched.dispatcher.state.CoreTaskMirror;
import io.swarmsched.dispatcher.state.PeerRecord;
import io.swarmsched.dispatcher.state.TaskState;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.PeerStateMachine;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.round.PeerRules;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleRequest;
import org.apache.kafka.common.metrics.Sensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is in a task and in which state: peers enrolled by their requests, moved by their peer events
 * through core's state machine (an illegal transition is counted, never applied), advanced by their
 * piece events, and removed when they fail or leave, their unfinished children then getting a fresh
 * decision. A peer that finishes loses its in-edges ({@link PeerRules#keepsInEdges}).
 */
final class TaskMembership {
  private static final Logger log = LoggerFactory.getLogger(TaskMembership.class);
  private static final int MAX_COST_SAMPLES = 256;

  /** Runs a fresh round for a child whose parent is gone (the request rounds do). */
  @FunctionalInterface
  interface ParentLost {
    void reschedule(TaskState task, PeerRecord child, String lostParent, long now);
  }

  private final DispatchStores stores;
  private final HostHealthTracker health;
  private final ParentLost parentLost;

  /**
   * {@code stream-dispatcher-metrics}: {@code illegal-peer-transition-total} and {@code -rate}, per
   * task.
   */
  private final Sensor illegalTransitionSensor;

  private long illegalTransitions;

  TaskMembership(
      DispatchStores stores,
      HostHealthTracker health,
      ParentLost parentLost,
      Sensor illegalTransitions) {
    this.stores = stores;
    this.health = health;
    this.parentLost = parentLost;
    this.illegalTransitionSensor = illegalTransitions;
  }

  /**
   * Core's task with the requester of {@code req} among its peers: a fresh PENDING peer when it is
   * unknown, failed or gone. A reschedule drops the parents it blocklists.
   */
  Task enroll(TaskState task, ScheduleRequest req, long now) {
    PeerRecord me = task.peers.get(req.getPeerId());
    if (me == null || me.status == PeerState.FAILED || me.status == PeerState.LEFT) {
      me = new PeerRecord(req.getPeerId(), req.getHostId(), now);
      task.peers.put(me.peerId, me);
    }
    if (req.getReschedule()) {
      me.parents.removeAll(req.getBlocklist());
    }
    return CoreTaskMirror.of(task);
  }

  void onPeerEvent(PeerEvent ev, long now) {
    TaskState task = stores.loadTask(ev.getTaskId());
    PeerRecord peer = task.peers.get(ev.getPeerId());
    PeerEventType type = ev.getType();
    if (type == PeerEventType.FAILED || type == PeerEventType.LEFT) {
      if (type == PeerEventType.FAILED
          && (ev.getHostId().equals(task.seedHostId) || isSeed(ev.getHostId()))) {
        task.failedSeeds.put(ev.getHostId(), now);
        if (ev.getHostId().equals(task.seedHostId)) task.seedHostId = null;
      }
      if (peer != null)
        removePeer(
            task, peer.peerId, type == PeerEventType.FAILED ? "PEER_FAILED" : "PEER_LEFT", now);
      stores.saveTask(task);
      return;
    }
    PeerState next =
        switch (type) {
          case RUNNING -> PeerState.RUNNING;
          case BACK_TO_SOURCE -> PeerState.BACK_TO_SOURCE;
          case SUCCEEDED -> PeerState.SUCCEEDED;
          default -> PeerState.PENDING;
        };
    if (peer == null) {
      // First sighting: the peer is in whatever state it reports (an agent may announce a finished
      // task).
      peer = new PeerRecord(ev.getPeerId(), ev.getHostId(), now);
      peer.status = next;
      task.peers.put(peer.peerId, peer);
    }
    if (peer.status == next || PeerStateMachine.isLegal(peer.status, next)) {
      peer.status = next;
    } else {
      illegalTransitions++;
      illegalTransitionSensor.record();
      log.debug(
          "Illegal transition {} -> {} of peer {} (task {}); {} so far",
          peer.status,
          next,
          peer.peerId,
          task.taskId,
          illegalTransitions);
    }
    if (!PeerRules.keepsInEdges(peer.status)) {
      // the DAG records who feeds whom now: a finished peer needs no parent and may serve its
      // former ancestors
      peer.parents.clear();
    }
    peer.piecesFinished = Math.max(peer.piecesFinished, ev.getPiecesFinished());
    if (ev.getPieceCount() > 0) peer.pieceCount = ev.getPieceCount();
    peer.lastProgressAt = now;
    stores.saveTask(task);
  }

  /**
   * Why a piece event names a piece past its task's end, as its peer reported the task; null when
   * in range.
   */
  String pieceOutOfRange(PieceEvent ev) {
    PeerRecord peer = stores.loadTask(ev.getTaskId()).peers.get(ev.getPeerId());
    return peer == null ? null : RequestValidation.pieceInTask(ev, peer.pieceCount);
  }

  void onPieceEvent(PieceEvent ev, long now) {
    TaskState task = stores.loadTask(ev.getTaskId());
    PeerRecord peer = task.peers.get(ev.getPeerId());
    if (peer == null) {
      peer = new PeerRecord(ev.getPeerId(), ev.getHostId(), now);
      peer.status = PeerState.RUNNING;
      task.peers.put(peer.peerId, peer);
    }
    boolean finished = ev.getOutcome() == PieceOutcome.FINISHED;
    if (finished) {
      peer.piecesFinished++;
      peer.lastProgressAt = now;
      peer.addPieceCost(ev.getCostMillis(), MAX_COST_SAMPLES);
      if (ev.getSource() == PieceSource.ORIGIN) {
        peer.received.fromOrigin(ev.getBytes());
      } else {
        peer.received.fromParent(ev.getParentPeerId(), ev.getBytes());
      }
      if (peer.status == PeerState.PENDING) peer.status = PeerState.RUNNING;
    }
    String parentHost = ev.getParentHostId();
    if (parentHost != null && !parentHost.isBlank()) health.record(parentHost, finished, now);
    stores.saveTask(task);
  }

  /**
   * A peer is gone: drop it and its edges; its unfinished children get a fresh decision, one after
   * the other.
   */
  void removePeer(TaskState task, String peerId, String why, long now) {
    PeerRecord gone = task.peers.remove(peerId);
    if (gone == null) return;
    for (PeerRecord child : task.childrenOf(peerId)) {
      child.parents.remove(peerId);
      if (child.status == PeerState.PENDING || child.status == PeerState.RUNNING) {
        parentLost.reschedule(task, child, peerId, now);
      }
    }
    log.debug("Peer {} of task {} removed: {}", peerId, task.taskId, why);
  }

  private boolean isSeed(String hostId) {
    var h = stores.index.host(hostId);
    return h != null && h.isSeed();
  }
}
