package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherTopology.PEER_EVENTS_SINK;

import io.swarmsched.dispatcher.state.PendingRequest;
import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks that patrol the partition's state on a timer (docs/design.md, "Liveness and abnormal
 * peers"): peers on an OFFLINE host and peers without progress for {@code peer.idle-timeout} leave
 * (an event on the peer-events topic, then the same change here), seed failures older than {@code
 * seed.failure-memory} are forgotten, host health is reviewed for quarantine, and old decisions
 * expire.
 */
final class Patrol {
  private static final Logger log = LoggerFactory.getLogger(Patrol.class);

  private final ProcessorContext<Object, Object> context;
  private final DispatchStores stores;
  private final TaskMembership membership;
  private final RequestRounds rounds;
  private final HostHealthTracker health;
  private final DecisionLog decisions;
  private final long idleTimeoutMillis;
  private final long seedFailureMemoryMillis;

  Patrol(
      ProcessorContext<Object, Object> context,
      DispatchStores stores,
      TaskMembership membership,
      RequestRounds rounds,
      HostHealthTracker health,
      DecisionLog decisions,
      long idleTimeoutMillis,
      long seedFailureMemoryMillis) {
    this.context = context;
    this.stores = stores;
    this.membership = membership;
    this.rounds = rounds;
    this.health = health;
    this.decisions = decisions;
    this.idleTimeoutMillis = idleTimeoutMillis;
    this.seedFailureMemoryMillis = seedFailureMemoryMillis;
  }

  void run(long now) {
    for (String taskId : new ArrayList<>(stores.knownTaskIds())) {
      StoredTask task = stores.tasks.get(taskId);
      if (task == null) continue;
      boolean changed =
          task.failedSeeds.values().removeIf(at -> now - at >= seedFailureMemoryMillis);
      Set<String> waiting =
          null; // peers whose own request is being retried are not idle; decoded once per task
      for (Peer peer : new ArrayList<>(task.task().peers())) {
        if (task.task().peer(peer.peerId()).isEmpty()) continue; // gone with an earlier one
        HostView h = stores.index.host(peer.hostId());
        if (h != null && h.liveness() == Liveness.OFFLINE) {
          leave(task, peer, "HOST_OFFLINE", now);
          changed = true;
        } else if (active(peer) && now - peer.lastProgressMillis() > idleTimeoutMillis) {
          if (waiting == null) waiting = waitingPeers(task);
          if (!waiting.contains(peer.peerId())) {
            leave(task, peer, "NO_PROGRESS", now);
            changed = true;
          }
        }
      }
      if (changed) stores.saveTask(task);
    }
    health.patrol(now);
    decisions.expire(now);
  }

  /** A peer that has not finished, failed or left: one that can stall. */
  private static boolean active(Peer p) {
    return p.state() == PeerState.PENDING
        || p.state() == PeerState.RUNNING
        || p.state() == PeerState.BACK_TO_SOURCE;
  }

  /** Peers of {@code task} with a request waiting for a retry. */
  private Set<String> waitingPeers(StoredTask task) {
    Set<String> out = new HashSet<>();
    for (String key : task.pending.values()) {
      PendingRequest p = stores.retries.get(key);
      if (p != null) out.add(rounds.decode(p).getPeerId());
    }
    return out;
  }

  /**
   * The patrol makes a peer leave: an event on the peer-events topic, then the same change locally.
   */
  private void leave(StoredTask task, Peer peer, String reason, long now) {
    PeerEvent left =
        PeerEvent.newBuilder()
            .setEventId("dispatcher/left/" + task.taskId() + "/" + peer.peerId() + "/" + now)
            .setTaskId(task.taskId())
            .setPeerId(peer.peerId())
            .setHostId(peer.hostId())
            .setType(PeerEventType.LEFT)
            .setPiecesFinished(peer.piecesFinished())
            .setPieceCount(peer.pieceCount())
            .setReason(reason)
            .setTimestamp(Instant.ofEpochMilli(now))
            .build();
    context.forward(new Record<>(task.taskId(), left, now), PEER_EVENTS_SINK);
    log.info("Patrol: peer {} of task {} leaves ({})", peer.peerId(), task.taskId(), reason);
    membership.removePeer(task, peer.peerId(), reason, now);
  }
}
