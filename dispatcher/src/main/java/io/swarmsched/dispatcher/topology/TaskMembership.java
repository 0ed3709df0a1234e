package io.swarmsched.dispatcher.topology;

import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.PeerStateMachine;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.resource.TransitionResult;
import io.swarmsched.scheduling.round.PeerRules;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.PieceSource;
import io.swarmsched.schemas.ScheduleRequest;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is in a task and in which state, on core's task itself: peers enrolled by their requests,
 * moved by their peer events through core's {@link PeerStateMachine} (an illegal transition is
 * counted, never applied), advanced by their piece events, and removed when they fail or leave,
 * their unfinished children then getting a fresh decision. A peer that finishes loses its in-edges
 * ({@link PeerRules#keepsInEdges}).
 */
final class TaskMembership {
  private static final Logger log = LoggerFactory.getLogger(TaskMembership.class);

  /** Runs a fresh round for a child whose parent is gone (the request rounds do). */
  @FunctionalInterface
  interface ParentLost {
    void reschedule(StoredTask task, Peer child, String lostParent, long now);
  }

  private final DispatchStores stores;
  private final HostHealthTracker health;
  private final ParentLost parentLost;
  private final PeerStateMachine machine = new PeerStateMachine();

  /**
   * {@code stream-dispatcher-metrics}: {@code illegal-peer-transition-total} and {@code -rate}, per
   * task.
   */
  private final Sensor illegalTransitionSensor;

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
  Task enroll(StoredTask stored, ScheduleRequest req, long now) {
    Task task = stored.task();
    Peer me = task.peer(req.getPeerId()).orElse(null);
    if (me != null && (me.state() == PeerState.FAILED || me.state() == PeerState.LEFT)) {
      stored.changed(task.removePeer(me.peerId())); // its children lose an in-edge
      stored.forgetServed(me.peerId()); // it starts afresh
      me = null;
    }
    stored.changed(req.getPeerId());
    stored.departed.remove(req.getPeerId()); // its own request: it is back
    if (me == null) {
      task.addPeer(new Peer(req.getPeerId(), task.taskId(), req.getHostId().intern(), now));
    }
    if (req.getReschedule()) {
      for (String blocked : req.getBlocklist()) task.dag().removeEdge(blocked, req.getPeerId());
    }
    return task;
  }

  void onPeerEvent(PeerEvent ev, long now) {
    StoredTask stored = stores.loadTask(ev.getTaskId());
    Task task = stored.task();
    Peer peer = task.peer(ev.getPeerId()).orElse(null);
    PeerEventType type = ev.getType();
    if (type == PeerEventType.FAILED || type == PeerEventType.LEFT) {
      boolean theSeed = ev.getHostId().equals(stored.seedHostId);
      // A seed that failed the task, or the task's seed leaving it (its agent stopping, or its copy
      // evicted): it is not coming back, though its host may look online for a few heartbeats yet,
      // so it counts as failed and the copy-lost rule neither waits for it nor triggers it again at
      // once (the system test's seed, triggered again as it shut down, was waited for until its
      // host went offline).
      if ((type == PeerEventType.FAILED && (theSeed || isSeed(ev.getHostId())))
          || (type == PeerEventType.LEFT && theSeed && peer != null)) {
        stored.failedSeeds.put(ev.getHostId(), now);
        if (theSeed) stored.seedHostId = null;
      }
      if (peer != null)
        removePeer(
            stored, peer.peerId(), type == PeerEventType.FAILED ? "PEER_FAILED" : "PEER_LEFT", now);
      stores.saveTask(stored);
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
      // First sighting: the peer joins in whatever state it reports (an agent may announce a
      // finished task), which is where its life in the state machine starts. A peer event comes
      // after the peer's own LEFT or FAILED on the same topic, so it is a peer back in the task.
      stored.departed.remove(ev.getPeerId());
      peer = firstSighting(task, ev.getPeerId(), ev.getHostId(), next, now);
    } else {
      moveTo(stored, peer, next, now);
    }
    if (!PeerRules.keepsInEdges(peer.state())) {
      // the DAG records who feeds whom now: a finished peer needs no parent and may serve its
      // former ancestors
      task.onSucceeded(peer.peerId());
    }
    peer.reportProgress(ev.getPiecesFinished(), now);
    peer.reportPieceCount(Math.max(0, ev.getPieceCount()));
    peer.heardFrom(now);
    stored.changed(peer.peerId());
    stores.saveTask(stored);
  }

  /**
   * Moves {@code peer} to {@code to} through core's state machine; an illegal move is counted and
   * logged, and leaves the peer as it was.
   */
  void moveTo(StoredTask stored, Peer peer, PeerState to, long now) {
    stored.changed(peer.peerId());
    TransitionResult result = machine.transition(peer, to, now);
    if (result instanceof TransitionResult.IllegalTransition) {
      illegalTransitionSensor.record();
      log.debug(
          "Illegal transition {} -> {} of peer {} (task {}); {} so far",
          peer.state(),
          to,
          peer.peerId(),
          stored.taskId(),
          machine.illegalCount());
    }
  }

  /**
   * Why a piece event names a piece past its task's end, as its peer reported the task; null when
   * in range.
   */
  String pieceOutOfRange(PieceEvent ev) {
    Peer peer = stores.loadTask(ev.getTaskId()).task().peer(ev.getPeerId()).orElse(null);
    return peer == null ? null : RequestValidation.pieceInTask(ev, peer.pieceCount());
  }

  void onPieceEvent(PieceEvent ev, long now) {
    StoredTask stored = stores.loadTask(ev.getTaskId());
    Task task = stored.task();
    Peer peer = task.peer(ev.getPeerId()).orElse(null);
    boolean finished = ev.getOutcome() == PieceOutcome.FINISHED;
    // what the event says of its parent counts towards the parent's health, whoever sent it
    String parentHost = ev.getParentHostId();
    if (parentHost != null && !parentHost.isBlank()) health.record(parentHost, finished, now);
    if (peer == null && stored.departed.containsKey(ev.getPeerId())) {
      // sent before the peer left or failed, read after (another topic): the peer stays gone
      log.debug(
          "Piece event of peer {} (task {}), which has left: not enrolled again",
          ev.getPeerId(),
          ev.getTaskId());
      return;
    }
    if (peer == null) {
      peer = firstSighting(task, ev.getPeerId(), ev.getHostId(), PeerState.RUNNING, now);
    }
    stored.changed(peer.peerId());
    if (finished) {
      peer.recordPiece(ev.getCostMillis(), now);
      // who served how much, for the dashboard's DAG edges (kept after the peer finishes)
      if (ev.getSource() == PieceSource.ORIGIN) {
        stored.servedTo(peer.peerId()).fromOrigin(ev.getBytes());
      } else {
        stored.servedTo(peer.peerId()).fromParent(ev.getParentPeerId(), ev.getBytes());
      }
      if (peer.state() == PeerState.PENDING) moveTo(stored, peer, PeerState.RUNNING, now);
    }
    stores.saveTask(stored);
  }

  private static Peer firstSighting(
      Task task, String peerId, String hostId, PeerState state, long now) {
    Peer peer =
        new Peer(
            peerId,
            task.taskId(),
            hostId.intern(),
            state,
            now,
            now,
            now,
            0,
            new io.swarmsched.scheduling.stats.PieceCostStats());
    task.addPeer(peer);
    return peer;
  }

  /**
   * A peer is gone: drop it and its edges; its unfinished children get a fresh decision, one after
   * the other (in id order).
   */
  void removePeer(StoredTask stored, String peerId, String why, long now) {
    Task task = stored.task();
    if (task.peer(peerId).isEmpty()) return;
    stored.forgetServed(peerId); // marks it changed: its record goes
    stored.departed(peerId, now); // its late piece events do not bring it back
    List<String> children = task.removePeer(peerId);
    stored.changed(children); // they lose their in-edge from it
    for (String childId : children) {
      Peer child = task.peer(childId).orElse(null);
      if (child != null
          && (child.state() == PeerState.PENDING || child.state() == PeerState.RUNNING)) {
        parentLost.reschedule(stored, child, peerId, now);
      }
    }
    log.debug("Peer {} of task {} removed: {}", peerId, stored.taskId(), why);
  }

  private boolean isSeed(String hostId) {
    var h = stores.index.host(hostId);
    return h != null && h.isSeed();
  }
}
