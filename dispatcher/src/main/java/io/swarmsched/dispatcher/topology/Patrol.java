package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherTopology.PEER_EVENTS_SINK;

import io.swarmsched.dispatcher.state.PendingRequest;
import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.scheduling.health.LeaveRule;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks that patrol the partition's state on a timer (docs/design.md, "Liveness and abnormal
 * peers"): the peers core's {@link LeaveRule} names (an OFFLINE host, no progress for {@code
 * peer.idle-timeout}) leave (an event on the peer-events topic, then the same change here), seed
 * failures older than {@code seed.failure-memory} are forgotten, host health is reviewed for
 * quarantine, and old decisions expire.
 */
final class Patrol {
  private static final Logger log = LoggerFactory.getLogger(Patrol.class);

  private final ProcessorContext<Object, Object> context;
  private final DispatchStores stores;
  private final TaskMembership membership;
  private final RequestRounds rounds;
  private final HostHealthTracker health;
  private final DecisionLog decisions;
  private final LeaveRule leaveRule;
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
    this.leaveRule = new LeaveRule(idleTimeoutMillis);
    this.seedFailureMemoryMillis = seedFailureMemoryMillis;
  }

  void run(long now) {
    for (String taskId : new ArrayList<>(stores.knownTaskIds())) {
      StoredTask task = stores.tasks.get(taskId);
      if (task == null) continue;
      boolean changed =
          task.failedSeeds.values().removeIf(at -> now - at >= seedFailureMemoryMillis);
      changed |= task.forgetOldDepartures(now);
      // peers whose own request is being retried are not idle; decoded once per task, if asked
      Predicate<String> awaitingRetry = new AwaitingRetry(task);
      for (Peer peer : new ArrayList<>(task.task().peers())) {
        if (task.task().peer(peer.peerId()).isEmpty()) continue; // gone with an earlier one
        String reason =
            leaveRule.reason(peer, stores.index.host(peer.hostId()), now, awaitingRetry);
        if (reason != null) {
          leave(task, peer, reason, now);
          changed = true;
        }
      }
      if (changed) stores.saveTask(task);
    }
    health.patrol(now);
    decisions.expire(now);
  }

  /** Whether a peer of the task has a request waiting for a retry; decodes them on first use. */
  private final class AwaitingRetry implements Predicate<String> {
    private final StoredTask task;
    private Set<String> waiting;

    AwaitingRetry(StoredTask task) {
      this.task = task;
    }

    @Override
    public boolean test(String peerId) {
      if (waiting == null) {
        waiting = new HashSet<>();
        for (String key : task.pending.values()) {
          PendingRequest p = stores.retries.get(key);
          if (p != null) waiting.add(rounds.decode(p).getPeerId());
        }
      }
      return waiting.contains(peerId);
    }
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
