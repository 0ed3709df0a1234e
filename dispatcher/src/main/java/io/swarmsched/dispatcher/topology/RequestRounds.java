package io.swarmsched.dispatcher.topology;

import io.swarmsched.dispatcher.state.AvroMessageSerde;
import io.swarmsched.dispatcher.state.PendingRequest;
import io.swarmsched.dispatcher.state.StoredTask;
import io.swarmsched.scheduling.RankedParent;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.round.Attempt;
import io.swarmsched.scheduling.round.RoundOutcome;
import io.swarmsched.scheduling.round.RoundRequest;
import io.swarmsched.scheduling.round.SchedulingRound;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedule requests through core's {@link SchedulingRound}: each round loads nothing itself, runs
 * core, and applies the outcome to the stored task (in-edges, back-to-source, the seed), the
 * ledger, the retry store and the decision log. Requests that must wait sit in the retry store
 * under their due time until {@link #runDue}.
 */
final class RequestRounds {
  private static final Logger log = LoggerFactory.getLogger(RequestRounds.class);

  private final DispatchStores stores;
  private final DecisionLog decisions;
  private final SchedulingRound core;
  private TaskMembership membership;
  private java.util.function.Consumer<ScheduleRequest> jobs;
  private final AvroMessageSerde<ScheduleRequest> requestCodec =
      new AvroMessageSerde<>(ScheduleRequest.class);

  RequestRounds(DispatchStores stores, DecisionLog decisions, SchedulingRound core) {
    this.stores = stores;
    this.decisions = decisions;
    this.core = core;
  }

  /**
   * Set once, before the first record: membership and rounds call each other (enrolment, lost
   * parents).
   */
  void enrolThrough(TaskMembership membership) {
    this.membership = membership;
  }

  /**
   * Set once, before the first record: where valid job requests go (the job pool, through the
   * job-events topic; docs/design.md, "Worker pools").
   */
  void submitJobsThrough(java.util.function.Consumer<ScheduleRequest> jobs) {
    this.jobs = jobs;
  }

  void onRequest(String key, ScheduleRequest req, long now) {
    String invalid = RequestValidation.validate(key, req);
    if (invalid != null) {
      reject(req, invalid, now);
      return;
    }
    String requestId = req.getRequestId();
    ScheduleDecision prior = decisions.prior(requestId);
    if (prior != null) {
      // Idempotent by request id: the same decision again, never a new one.
      decisions.forward(prior, now);
      return;
    }
    if (req.getJob() != null) {
      // the pool decides (and ignores a job id it already knows): idempotent there
      jobs.accept(req);
      return;
    }
    StoredTask task = stores.loadTask(req.getTaskId());
    if (task.pending.containsKey(requestId)) {
      log.debug("Request {} is already being retried; its decision will come", requestId);
      return;
    }
    if (task.task().url().isEmpty() && !req.getUrl().isEmpty()) {
      task.task().setUrl(req.getUrl());
      task.digest = req.getDigest();
    }
    round(task, req, pending(req, now, null), now);
    stores.saveTask(task);
  }

  void reject(ScheduleRequest req, String reason, long now) {
    ScheduleDecision d = decisions.rejected(req, reason, now);
    String requestId = DecisionLog.blankToEmpty(req.getRequestId());
    if (!requestId.isEmpty()) {
      ScheduleDecision prior = decisions.prior(requestId);
      if (prior != null) {
        decisions.forward(prior, now);
        return;
      }
      decisions.remember(d, now);
    }
    decisions.forward(d, now);
  }

  /**
   * A child lost {@code lostParent}: the dispatcher asks for it (a reschedule with the lost parent
   * blocklisted).
   */
  void parentLost(StoredTask task, Peer child, String lostParent, long now) {
    String requestId =
        "parent-lost/" + task.taskId() + "/" + child.peerId() + "/" + lostParent + "/" + now;
    if (decisions.prior(requestId) != null || task.pending.containsKey(requestId)) return;
    ScheduleRequest req =
        ScheduleRequest.newBuilder()
            .setRequestId(requestId)
            .setTaskId(task.taskId())
            .setPeerId(child.peerId())
            .setHostId(child.hostId())
            .setUrl(task.task().url())
            .setDigest(task.digest)
            .setBlocklist(List.of(lostParent))
            .setReschedule(true)
            .setTimestamp(Instant.ofEpochMilli(now))
            .build();
    round(task, req, pending(req, now, "PARENT_LOST"), now);
  }

  /** Runs the rounds of the requests due at {@code now}. */
  void runDue(long now) {
    List<KeyValue<String, PendingRequest>> due = new ArrayList<>();
    try (KeyValueIterator<String, PendingRequest> it =
        stores.retries.range("", DispatchStores.timeKey(now, "\uffff"))) {
      while (it.hasNext()) due.add(it.next());
    }
    for (KeyValue<String, PendingRequest> kv : due) {
      PendingRequest p = kv.value;
      stores.retries.delete(kv.key);
      StoredTask task = stores.loadTask(p.taskId);
      if (!kv.key.equals(task.pending.get(p.requestId))) continue; // stale entry
      task.pending.remove(p.requestId);
      round(task, decode(p), p, now);
      stores.saveTask(task);
    }
  }

  /** The request a waiting entry holds. */
  ScheduleRequest decode(PendingRequest p) {
    return requestCodec.decode(p.request);
  }

  private PendingRequest pending(ScheduleRequest req, long now, String origin) {
    PendingRequest p = new PendingRequest();
    p.taskId = req.getTaskId();
    p.requestId = req.getRequestId();
    p.request = requestCodec.encode(req);
    p.firstSeenAt = now;
    p.origin = origin;
    return p;
  }

  /** One round: core decides, then its outcome is applied here. */
  private void round(StoredTask task, ScheduleRequest req, PendingRequest p, long now) {
    p.reason = null;
    Attempt attempt = new Attempt(p.rounds, p.emptyRounds, p.seedRounds);
    // core changes the requester's in-edges, and may cut its out-edges to children (so that no
    // new in-edge closes a cycle): their records are written
    List<String> children =
        task.task().peer(req.getPeerId()).isPresent()
            ? new ArrayList<>(task.task().dag().children(req.getPeerId()))
            : List.of();
    RoundOutcome outcome =
        core.run(
            coreRequest(req, p.origin != null),
            attempt,
            () -> membership.enroll(task, req, now),
            task.seedState(),
            stores.swarm(now),
            now);
    task.changed(req.getPeerId());
    task.changed(children);
    if (!(outcome instanceof RoundOutcome.Terminal)) {
      // it waits on: where this round ran is kept for its decision's provenance (a replay runs it
      // there; a round on the wall clock cannot be told from the inputs)
      if (p.earlierRounds == null) p.earlierRounds = new ArrayList<>();
      p.earlierRounds.add(decisions.round(now));
    }
    if (outcome instanceof RoundOutcome.RetryAt at) {
      waitFor(task, p, at);
    } else if (outcome instanceof RoundOutcome.SeedTrigger trigger) {
      task.seedHostId = trigger.seedHostId();
      task.seedTriggeredAt = now;
      decisions.forward(
          decisions.seedTrigger(req, task.taskId(), trigger.seedHostId(), attempt.current(), now),
          now);
      waitFor(task, p, trigger.retry());
    } else {
      finish(task, req, p, (RoundOutcome.Terminal) outcome, now);
    }
  }

  private void finish(
      StoredTask task,
      ScheduleRequest req,
      PendingRequest p,
      RoundOutcome.Terminal outcome,
      long now) {
    if (outcome instanceof RoundOutcome.Parents parents) {
      // core's commit made these the requester's in-edges in the stored task itself
      for (RankedParent rp : parents.parents()) stores.allocateUpload(rp.hostId(), now);
      // A peer given parents runs (its agent says so too, a round trip later): the requests of a
      // burst decided meanwhile may take it as a parent (rule 3 keeps a RUNNING peer with a
      // parent), as the simulator does. Left PENDING, every child's first decision named only the
      // seed, and its siblings came a request later.
      Peer me = task.task().peer(req.getPeerId()).orElse(null);
      if (me != null && me.state() == PeerState.PENDING) {
        membership.moveTo(task, me, PeerState.RUNNING, now);
      }
    } else if (outcome instanceof RoundOutcome.BackToSource) {
      Peer me = task.task().peer(req.getPeerId()).orElseThrow();
      membership.moveTo(task, me, PeerState.BACK_TO_SOURCE, now);
      task.task().dag().deleteInEdges(me.peerId());
      me.heardFrom(now);
    }
    ScheduleDecision d = decisions.terminal(req, outcome, p.origin, p.earlierRounds, now);
    String retryKey = task.pending.remove(req.getRequestId());
    if (retryKey != null) stores.retries.delete(retryKey);
    decisions.remember(d, now);
    decisions.forward(d, now);
  }

  /**
   * The request waits in the retry store until {@code at}, with the counts core carried forward.
   */
  private void waitFor(StoredTask task, PendingRequest p, RoundOutcome.RetryAt at) {
    p.reason = at.reason();
    p.rounds = at.next().rounds();
    p.emptyRounds = at.next().emptyRounds();
    p.seedRounds = at.next().seedRounds();
    p.dueAt = at.atMillis();
    String old = task.pending.get(p.requestId);
    if (old != null) stores.retries.delete(old);
    String key = DispatchStores.timeKey(p.dueAt, p.requestId);
    stores.retries.put(key, p);
    task.pending.put(p.requestId, key);
  }

  private static RoundRequest coreRequest(ScheduleRequest req, boolean unasked) {
    return new RoundRequest(
        req.getRequestId(),
        req.getTaskId(),
        req.getPeerId(),
        req.getHostId(),
        new HashSet<>(req.getBlocklist()),
        req.getReschedule(),
        req.getNeedBackToSource(),
        req.getDeadline() == null ? 0 : req.getDeadline().toEpochMilli(),
        unasked);
  }
}
