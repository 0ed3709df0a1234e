package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherTopology.*;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.selection.StageOne;
import io.swarmsched.dispatcher.state.AvroMessageSerde;
import io.swarmsched.dispatcher.state.HostHealth;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.dispatcher.state.LedgerEntry;
import io.swarmsched.dispatcher.state.PeerRecord;
import io.swarmsched.dispatcher.state.PeerStatus;
import io.swarmsched.dispatcher.state.PendingRequest;
import io.swarmsched.dispatcher.state.TaskState;
import io.swarmsched.runtime.deadletter.DeadLetter;
import io.swarmsched.runtime.deadletter.SourceBytes;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.JobRequirements;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PeerEventType;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.PieceOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.scheduling.RankedParent;
import io.swarmsched.scheduling.Selection;
import io.swarmsched.scheduling.evaluator.ScoreBreakdown;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.PeerStateMachine;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.scheduling.retry.RetryOutcome;
import io.swarmsched.scheduling.worker.Placement;
import io.swarmsched.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's one processor per task partition: schedule requests, peer events and piece
 * events of the same tasks arrive here (co-partitioned by task id) and share the task store.
 *
 * <p>Time: every decision uses the partition's stream time (the largest record timestamp seen), so
 * replaying the same topics reproduces the same decisions. Retries and patrol run on a STREAM_TIME
 * punctuator; a WALL_CLOCK punctuator only steps in when the partition has been idle for
 * {@code clock.idle-after} (then it advances a logical clock by the idle wall time) so that retries
 * still fire on a quiet partition. Turn {@code clock.idle-advance} off for bit-exact replays.
 */
final class DispatchProcessor implements Processor<String, Object, Object, Object> {
  private static final Logger log = LoggerFactory.getLogger(DispatchProcessor.class);
  private static final int MAX_COST_SAMPLES = 256;
  static final String METRICS_SCOPE = "dispatcher";
  static final String ILLEGAL_TRANSITION_METRIC = "illegal-peer-transition";

  private final DispatcherConfig config;
  private final StageOne stageOne;
  /** Decoded hosts and scores of the global tables (shared by the instance's processors, fed by the global thread). */
  private final HostIndex index;
  private final Serializer<ScheduleRequest> requestSerializer;
  private final Serializer<PeerEvent> peerEventSerializer;
  private final Serializer<PieceEvent> pieceEventSerializer;
  private final AvroMessageSerde<ScheduleRequest> requestCodec = new AvroMessageSerde<>(ScheduleRequest.class);

  private ProcessorContext<Object, Object> context;
  private KeyValueStore<String, TaskState> tasks;
  private KeyValueStore<String, ScheduleDecision> decisions;
  private KeyValueStore<String, String> decisionExpiry;
  private KeyValueStore<String, PendingRequest> retries;
  private KeyValueStore<String, HostHealth> health;
  private KeyValueStore<String, LedgerEntry> ledger;

  /** Hosts quarantined now or before, with the time it ends: mirrors the health store's flags (set only by the patrol). */
  private Map<String, Long> quarantinedUntil;
  /** Ids of the tasks in this partition's task store, so the patrol need not decode every task to find them. */
  private NavigableSet<String> taskIds;

  private long lastRecordWallMs;
  private long lastPatrolAt = Long.MIN_VALUE;
  private long illegalTransitions;
  /** {@code stream-dispatcher-metrics}: {@code illegal-peer-transition-total} and {@code -rate}, per task (exported with every Streams metric). */
  private Sensor illegalTransitionSensor;

  DispatchProcessor(DispatcherConfig config, StageOne stageOne, HostIndex index, Serializer<ScheduleRequest> requestSerializer, Serializer<PeerEvent> peerEventSerializer,
      Serializer<PieceEvent> pieceEventSerializer) {
    this.config = config;
    this.stageOne = stageOne;
    this.index = index;
    this.requestSerializer = requestSerializer;
    this.peerEventSerializer = peerEventSerializer;
    this.pieceEventSerializer = pieceEventSerializer;
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    tasks = context.getStateStore(TASKS_STORE);
    decisions = context.getStateStore(DECISIONS_STORE);
    decisionExpiry = context.getStateStore(DECISION_EXPIRY_STORE);
    retries = context.getStateStore(RETRIES_STORE);
    health = context.getStateStore(HOST_HEALTH_STORE);
    ledger = context.getStateStore(LEDGER_STORE);
    lastRecordWallMs = context.currentSystemTimeMs();
    illegalTransitionSensor = context.metrics().addRateTotalSensor(METRICS_SCOPE, "task-" + context.taskId(),
        ILLEGAL_TRANSITION_METRIC, Sensor.RecordingLevel.INFO);
    context.schedule(config.tick(), PunctuationType.STREAM_TIME, this::onStreamTick);
    context.schedule(config.tick(), PunctuationType.WALL_CLOCK_TIME, this::onWallTick);
  }

  @Override
  public void process(Record<String, Object> record) {
    lastRecordWallMs = context.currentSystemTimeMs();
    long now = Math.max(context.currentStreamTimeMs(), record.timestamp());
    Object value = record.value();
    if (value instanceof ScheduleRequest req) {
      String badTime = RequestValidation.time(record.timestamp(), req.getTimestamp(), context.currentSystemTimeMs(),
          config.maxClockAhead(), config.maxRecordAge());
      if (badTime != null) {
        reject(req, badTime, Math.min(now, context.currentSystemTimeMs()));
        return;
      }
      onRequest(record.key(), req, now);
    } else if (value instanceof PeerEvent ev) {
      onPeerEvent(record, ev, now);
    } else if (value instanceof PieceEvent ev) {
      onPieceEvent(record, ev, now);
    } else if (value != null) {
      log.warn("Ignoring value of unexpected type {}", value.getClass().getName());
    } else {
      // a tombstone on an input stream means nothing here; it must not vanish without a trace
      deadLetter(record, "dispatcher-validate", "record has no value (a tombstone is not a request or event)", null);
    }
  }

  // ---------------------------------------------------------------- time

  private void onStreamTick(long streamTime) {
    advance(streamTime);
  }

  private void onWallTick(long wallNow) {
    if (!config.idleClockAdvance()) return;
    long idle = wallNow - lastRecordWallMs;
    long streamTime = context.currentStreamTimeMs();
    if (idle < config.idleClockAfter().toMillis() || streamTime < 0) return;
    advance(streamTime + idle);
  }

  private void advance(long now) {
    runDueRetries(now);
    if (lastPatrolAt == Long.MIN_VALUE || now - lastPatrolAt >= config.patrolInterval().toMillis()) {
      lastPatrolAt = now;
      patrol(now);
    }
  }

  // ---------------------------------------------------------------- requests

  private void onRequest(String key, ScheduleRequest req, long now) {
    String invalid = RequestValidation.validate(key, req);
    if (invalid != null) {
      reject(req, invalid, now);
      return;
    }
    String requestId = req.getRequestId();
    ScheduleDecision prior = decisions.get(requestId);
    if (prior != null) {
      // Idempotent by request id: the same decision again, never a new one.
      forwardDecision(prior, now);
      return;
    }
    TaskState task = loadTask(req.getTaskId());
    if (task.pending.containsKey(requestId)) {
      log.debug("Request {} is already being retried; its decision will come", requestId);
      return;
    }
    if (task.url.isEmpty() && !req.getUrl().isEmpty()) {
      task.url = req.getUrl();
      task.digest = req.getDigest();
    }
    PendingRequest p = new PendingRequest();
    p.taskId = req.getTaskId();
    p.requestId = requestId;
    p.request = requestCodec.encode(req);
    p.firstSeenAt = now;
    round(task, req, p, now);
    saveTask(task);
  }

  private void reject(ScheduleRequest req, String reason, long now) {
    String requestId = blankToEmpty(req.getRequestId());
    ScheduleDecision d = decision(req, DecisionOutcome.REJECTED, hostOrUnknown(req.getHostId()), reason, 1, now)
        .setDecisionId(decisionId(requestId.isEmpty() ? "rejected@" + now + "/" + req.getTaskId() + "/" + req.getPeerId() : requestId, "REJECTED"))
        .build();
    if (!requestId.isEmpty()) {
      ScheduleDecision prior = decisions.get(requestId);
      if (prior != null) {
        forwardDecision(prior, now);
        return;
      }
      remember(d, now);
    }
    forwardDecision(d, now);
  }

  /** One scheduling round: a terminal decision, or a retry scheduled for later. */
  private void round(TaskState task, ScheduleRequest req, PendingRequest p, long now) {
    p.reason = null;
    int rounds = roundsOf(p) + 1;
    Long deadline = req.getDeadline() == null ? null : req.getDeadline().toEpochMilli();
    if (deadline != null && now > deadline) {
      terminal(task, req, p, DecisionOutcome.FAILED, "DEADLINE_EXCEEDED", List.of(), null, rounds, now);
      return;
    }
    if (req.getJob() != null) {
      placeJob(task, req, p, rounds, now);
      return;
    }
    PeerRecord me = task.peers.get(req.getPeerId());
    if (me == null || me.status == PeerStatus.FAILED || me.status == PeerStatus.LEFT) {
      me = new PeerRecord(req.getPeerId(), req.getHostId(), now);
      task.peers.put(me.peerId, me);
    }
    if (req.getReschedule()) {
      me.parents.removeAll(req.getBlocklist());
    }
    if (req.getNeedBackToSource()) {
      backToSource(task, req, p, me, "NEED_BACK_TO_SOURCE", rounds, now);
      return;
    }
    Selection selection = stageOne.selectParents(req.getRequestId(), task, me.peerId,
        new HashSet<>(req.getBlocklist()), lookups(now), now);
    List<RankedParent> parents = selection.parents();
    if (!parents.isEmpty()) {
      // the decision's parents become the peer's in-edges (as core's ParentSelector.commit does)
      me.parents.clear();
      for (RankedParent rp : parents) {
        me.parents.add(rp.peerId());
        allocateUpload(rp.hostId(), now);
      }
      terminal(task, req, p, DecisionOutcome.PARENTS, null, parents, null, rounds, now);
      return;
    }
    if (!hasUsableHolder(task, me)) {
      if (seedStep(task, req, p, me, rounds, now)) return;
    }
    p.emptyRounds++;
    afterEmptyRound(task, req, p, me, rounds, now);
  }

  /** Core's RetryPolicy decides what an empty round leads to: another round, back to source, or FAILED. */
  private void afterEmptyRound(TaskState task, ScheduleRequest req, PendingRequest p, PeerRecord me, int rounds,
      long now) {
    long deadline = req.getDeadline() == null ? 0 : req.getDeadline().toEpochMilli();
    int backToSourceNow = task.backToSourceCount();
    RetryOutcome outcome = stageOne.retryPolicy().afterEmptyRound(req.getRequestId(), p.emptyRounds, now, deadline,
        backToSourceNow);
    if (outcome instanceof RetryOutcome.RetryAt at) {
      retryAt(task, p, at.reason(), at.atMillis());
    } else if (outcome instanceof RetryOutcome.BackToSource b) {
      backToSource(task, req, p, me, b.reason(), rounds, now);
    } else if (outcome instanceof RetryOutcome.Failed f) {
      String reason = f.reason();
      if (RetryOutcome.NO_CANDIDATES.equals(reason) && !stageOne.retryPolicy().backToSourceAllowed(backToSourceNow)) {
        reason = RetryOutcome.BACK_TO_SOURCE_LIMIT; // the more useful of the two: it could have gone to the origin
      }
      terminal(task, req, p, DecisionOutcome.FAILED, reason, List.of(), null, rounds, now);
    }
  }

  /**
   * The task has no peer that could give anything: trigger (or wait for) a seed. Returns false when
   * the seed has had its chance ({@code seed.wait-timeout}) and the request should count empty rounds.
   */
  private boolean seedStep(TaskState task, ScheduleRequest req, PendingRequest p, PeerRecord me, int rounds, long now) {
    boolean seedUsable = task.seedHostId != null
        && !seedFailedRecently(task, task.seedHostId, now)
        && isOnline(task.seedHostId)
        && !task.seedHostId.equals(req.getHostId());
    if (!seedUsable) {
      String seed = chooseSeed(task, req.getHostId(), now);
      if (seed == null) {
        backToSource(task, req, p, me, "NO_SEED", rounds, now);
        return true;
      }
      task.seedHostId = seed;
      task.seedTriggeredAt = now;
      ScheduleDecision trigger = decision(req, DecisionOutcome.SEED_TRIGGER, seed, "FIRST_DOWNLOAD", rounds, now)
          .setDecisionId(decisionId("seed/" + task.taskId + "/" + seed + "/" + now, "SEED_TRIGGER"))
          .setPeerId("")
          .build();
      forwardDecision(trigger, now);
      p.seedRounds++;
      retry(task, p, "WAITING_FOR_SEED", now);
      return true;
    }
    if (now - task.seedTriggeredAt < config.seedWaitTimeout().toMillis()) {
      p.seedRounds++;
      retry(task, p, "WAITING_FOR_SEED", now);
      return true;
    }
    return false;
  }

  private void backToSource(TaskState task, ScheduleRequest req, PendingRequest p, PeerRecord me, String reason,
      int rounds, long now) {
    if (stageOne.retryPolicy().backToSourceAllowed(task.backToSourceCount()) || me.status == PeerStatus.BACK_TO_SOURCE) {
      me.status = PeerStatus.BACK_TO_SOURCE;
      me.parents.clear();
      me.lastProgressAt = now;
      terminal(task, req, p, DecisionOutcome.BACK_TO_SOURCE, reason, List.of(), null, rounds, now);
      return;
    }
    // the task is at its back-to-source limit: the request waits, counted as an empty round
    p.emptyRounds++;
    afterEmptyRound(task, req, p, me, rounds, now);
  }

  private void placeJob(TaskState task, ScheduleRequest req, PendingRequest p, int rounds, long now) {
    List<HostView> workers = new ArrayList<>();
    for (HostView h : index.workers()) {
      workers.add(quarantined(h.hostId(), now) ? h.withQuarantined(true) : h);
    }
    Placement placement = stageOne.placeJob(req.getJob(), workers, ledger::get);
    if (placement.hostId().isPresent()) {
      String worker = placement.hostId().get();
      HostView h = index.host(worker);
      LedgerEntry e = ledgerEntry(worker);
      LedgerEntry.record(e.jobTimes, now, h == null ? Long.MIN_VALUE : h.lastSeenMillis());
      ledger.put(worker, e);
      terminal(task, req, p, DecisionOutcome.ASSIGNED, null, List.of(), worker, rounds, now);
      return;
    }
    p.emptyRounds++;
    if (p.emptyRounds >= config.jobMaxRounds()) {
      terminal(task, req, p, DecisionOutcome.FAILED, "NO_CAPACITY", List.of(), null, rounds, now);
    } else {
      retry(task, p, "NO_CAPACITY", now);
    }
  }

  private void terminal(TaskState task, ScheduleRequest req, PendingRequest p, DecisionOutcome outcome, String reason,
      List<RankedParent> parents, String worker, int rounds, long now) {
    String why = reason;
    if (p.origin != null) {
      why = outcome == DecisionOutcome.PARENTS || reason == null ? p.origin : p.origin + ":" + reason;
    }
    String target = outcome == DecisionOutcome.ASSIGNED ? worker : req.getHostId();
    List<ParentCandidate> ranked = new ArrayList<>();
    for (RankedParent rp : parents) {
      ScoreBreakdown b = rp.breakdown();
      ranked.add(ParentCandidate.newBuilder()
          .setPeerId(rp.peerId()).setHostId(rp.hostId()).setPieceServerAddress(rp.pieceServerAddress())
          .setTotalScore(b.totalScore()).setIdcAffinity(b.idcAffinity()).setLocationAffinity(b.locationAffinity())
          .setLoadQuality(b.loadQuality()).setHostTypeScore(b.hostTypeScore())
          .setPeakBandwidthUsage(b.peakBandwidthUsage()).setBandwidthDurationRatio(b.bandwidthDurationRatio())
          .setConcurrentEfficiency(b.concurrentEfficiency())
          .build());
    }
    ScheduleDecision d = decision(req, outcome, target, why, rounds, now)
        .setDecisionId(decisionId(req.getRequestId(), outcome.name()))
        .setParents(ranked)
        .setWorkerHostId(worker)
        .build();
    String retryKey = task.pending.remove(req.getRequestId());
    if (retryKey != null) retries.delete(retryKey);
    remember(d, now);
    forwardDecision(d, now);
  }

  private void retry(TaskState task, PendingRequest p, String reason, long now) {
    retryAt(task, p, reason, now + stageOne.retryPolicy().delayMillis(p.requestId, roundsOf(p) + 1));
  }

  private void retryAt(TaskState task, PendingRequest p, String reason, long dueAt) {
    p.reason = reason;
    p.rounds = roundsOf(p) + 1;
    p.dueAt = dueAt;
    String old = task.pending.get(p.requestId);
    if (old != null) retries.delete(old);
    String key = retryKey(p.dueAt, p.requestId);
    retries.put(key, p);
    task.pending.put(p.requestId, key);
  }

  private static int roundsOf(PendingRequest p) {
    return p.rounds;
  }

  private void runDueRetries(long now) {
    List<KeyValue<String, PendingRequest>> due = new ArrayList<>();
    try (KeyValueIterator<String, PendingRequest> it = retries.range("", retryKey(now, "\uffff"))) {
      while (it.hasNext()) due.add(it.next());
    }
    for (KeyValue<String, PendingRequest> kv : due) {
      PendingRequest p = kv.value;
      retries.delete(kv.key);
      TaskState task = loadTask(p.taskId);
      if (!kv.key.equals(task.pending.get(p.requestId))) continue; // stale entry
      task.pending.remove(p.requestId);
      round(task, requestCodec.decode(p.request), p, now);
      saveTask(task);
    }
  }

  static String retryKey(long dueAt, String requestId) {
    return String.format("%019d|%s", Math.max(0, dueAt), requestId);
  }

  // ---------------------------------------------------------------- selection inputs

  private StageOne.Lookups lookups(long now) {
    return new StageOne.Lookups(
        id -> {
          HostView h = index.host(id);
          if (h == null) return Optional.empty();
          return Optional.of(quarantined(id, now) ? h.withQuarantined(true) : h);
        },
        id -> Optional.ofNullable(index.score(id)),
        ledger::get);
  }

  private boolean quarantined(String hostId, long now) {
    Map<String, Long> q = quarantines();
    if (q.isEmpty()) return false;
    Long until = q.get(hostId);
    return until != null && until > now;
  }

  private Map<String, Long> quarantines() {
    if (quarantinedUntil == null) {
      quarantinedUntil = new HashMap<>();
      try (KeyValueIterator<String, HostHealth> it = health.all()) {
        while (it.hasNext()) {
          HostHealth hh = it.next().value;
          if (hh != null && hh.quarantinedUntil > 0) quarantinedUntil.put(hh.hostId, hh.quarantinedUntil);
        }
      }
    }
    return quarantinedUntil;
  }

  private void allocateUpload(String hostId, long now) {
    LedgerEntry e = ledgerEntry(hostId);
    ScoreView s = index.score(hostId);
    LedgerEntry.record(e.uploadTimes, now, s == null ? Long.MIN_VALUE : s.computedAtMillis());
    ledger.put(hostId, e);
  }

  private LedgerEntry ledgerEntry(String hostId) {
    LedgerEntry e = ledger.get(hostId);
    return e != null ? e : new LedgerEntry(hostId);
  }

  private boolean hasUsableHolder(TaskState task, PeerRecord me) {
    for (PeerRecord p : task.peers.values()) {
      if (p.peerId.equals(me.peerId)) continue;
      switch (p.status) {
        case BACK_TO_SOURCE, SUCCEEDED -> {
          return true;
        }
        case RUNNING -> {
          if (!p.parents.isEmpty() || isSeed(p.hostId)) return true;
        }
        default -> { }
      }
    }
    return false;
  }

  private String chooseSeed(TaskState task, String requesterHost, long now) {
    List<String> seeds = index.onlineSeedIds();
    Set<String> skip = new TreeSet<>();
    skip.add(requesterHost);
    for (String s : seeds) {
      if (quarantined(s, now)) skip.add(s);
    }
    return stageOne.chooseSeed(task, seeds, skip, now).orElse(null);
  }

  private boolean seedFailedRecently(TaskState task, String seedHost, long now) {
    Long failedAt = task.failedSeeds.get(seedHost);
    return failedAt != null && now - failedAt < config.seedFailureMemory().toMillis();
  }

  private boolean isOnline(String hostId) {
    HostView h = index.host(hostId);
    return h != null && h.liveness() == Liveness.ONLINE;
  }

  private boolean isSeed(String hostId) {
    HostView h = index.host(hostId);
    return h != null && h.type() == HostType.SUPER_SEED;
  }

  // ---------------------------------------------------------------- peer and piece events

  private void onPeerEvent(Record<String, Object> record, PeerEvent ev, long now) {
    String invalid = RequestValidation.validate(record.key(), ev);
    if (invalid == null) invalid = RequestValidation.time(record.timestamp(), ev.getTimestamp(), context.currentSystemTimeMs(),
        config.maxClockAhead(), config.maxRecordAge());
    if (invalid != null) {
      deadLetter(record, "peer-event-validate", invalid, peerEventSerializer.serialize(Topics.PEER_EVENTS.name(), ev));
      return;
    }
    TaskState task = loadTask(ev.getTaskId());
    PeerRecord peer = task.peers.get(ev.getPeerId());
    PeerEventType type = ev.getType();
    if (type == PeerEventType.FAILED || type == PeerEventType.LEFT) {
      if (type == PeerEventType.FAILED && (ev.getHostId().equals(task.seedHostId) || isSeed(ev.getHostId()))) {
        task.failedSeeds.put(ev.getHostId(), now);
        if (ev.getHostId().equals(task.seedHostId)) task.seedHostId = null;
      }
      if (peer != null) removePeer(task, peer.peerId, type == PeerEventType.FAILED ? "PEER_FAILED" : "PEER_LEFT", now);
      saveTask(task);
      return;
    }
    PeerStatus next = switch (type) {
      case RUNNING -> PeerStatus.RUNNING;
      case BACK_TO_SOURCE -> PeerStatus.BACK_TO_SOURCE;
      case SUCCEEDED -> PeerStatus.SUCCEEDED;
      default -> PeerStatus.PENDING;
    };
    if (peer == null) {
      // First sighting: the peer is in whatever state it reports (an agent may announce a finished task).
      peer = new PeerRecord(ev.getPeerId(), ev.getHostId(), now);
      peer.status = next;
      task.peers.put(peer.peerId, peer);
    }
    if (peer.status == next || PeerStateMachine.isLegal(PeerState.valueOf(peer.status.name()), PeerState.valueOf(next.name()))) {
      peer.status = next;
    } else {
      illegalTransitions++;
      illegalTransitionSensor.record();
      log.debug("Illegal transition {} -> {} of peer {} (task {}); {} so far", peer.status, next, peer.peerId,
          task.taskId, illegalTransitions);
    }
    peer.piecesFinished = Math.max(peer.piecesFinished, ev.getPiecesFinished());
    if (ev.getPieceCount() > 0) peer.pieceCount = ev.getPieceCount();
    peer.lastProgressAt = now;
    saveTask(task);
  }

  private void onPieceEvent(Record<String, Object> record, PieceEvent ev, long now) {
    String invalid = RequestValidation.validate(record.key(), ev);
    if (invalid == null) invalid = RequestValidation.time(record.timestamp(), ev.getTimestamp(), context.currentSystemTimeMs(),
        config.maxClockAhead(), config.maxRecordAge());
    if (invalid == null) invalid = RequestValidation.knownHost(ev.getHostId(), h -> index.host(h) != null);
    TaskState task = invalid == null ? loadTask(ev.getTaskId()) : null;
    PeerRecord peer = task == null ? null : task.peers.get(ev.getPeerId());
    if (invalid == null && peer != null) invalid = RequestValidation.pieceInTask(ev, peer.pieceCount);
    if (invalid != null) {
      deadLetter(record, "piece-event-validate", invalid, pieceEventSerializer.serialize(Topics.PIECE_EVENTS.name(), ev));
      return;
    }
    if (peer == null) {
      peer = new PeerRecord(ev.getPeerId(), ev.getHostId(), now);
      peer.status = PeerStatus.RUNNING;
      task.peers.put(peer.peerId, peer);
    }
    String parentHost = ev.getParentHostId();
    if (ev.getOutcome() == PieceOutcome.FINISHED) {
      peer.piecesFinished++;
      peer.lastProgressAt = now;
      peer.addPieceCost(ev.getCostMillis(), MAX_COST_SAMPLES);
      if (peer.status == PeerStatus.PENDING) peer.status = PeerStatus.RUNNING;
    }
    if (parentHost != null && !parentHost.isBlank()) {
      HostHealth hh = health.get(parentHost);
      if (hh == null) hh = new HostHealth(parentHost, now);
      if (ev.getOutcome() == PieceOutcome.FINISHED) hh.served++; else hh.failed++;
      health.put(parentHost, hh);
    }
    saveTask(task);
  }

  /** A peer is gone: drop it and its edges; its unfinished children get a fresh decision. */
  private void removePeer(TaskState task, String peerId, String why, long now) {
    PeerRecord gone = task.peers.remove(peerId);
    if (gone == null) return;
    for (PeerRecord child : task.childrenOf(peerId)) {
      child.parents.remove(peerId);
      if (child.status == PeerStatus.PENDING || child.status == PeerStatus.RUNNING) {
        parentLost(task, child, peerId, now);
      }
    }
    log.debug("Peer {} of task {} removed: {}", peerId, task.taskId, why);
  }

  private void parentLost(TaskState task, PeerRecord child, String lostParent, long now) {
    String requestId = "parent-lost/" + task.taskId + "/" + child.peerId + "/" + lostParent + "/" + now;
    if (decisions.get(requestId) != null || task.pending.containsKey(requestId)) return;
    ScheduleRequest req = ScheduleRequest.newBuilder()
        .setRequestId(requestId).setTaskId(task.taskId).setPeerId(child.peerId).setHostId(child.hostId)
        .setUrl(task.url).setDigest(task.digest).setBlocklist(List.of(lostParent)).setReschedule(true)
        .setTimestamp(java.time.Instant.ofEpochMilli(now))
        .build();
    PendingRequest p = new PendingRequest();
    p.taskId = task.taskId;
    p.requestId = requestId;
    p.request = requestCodec.encode(req);
    p.firstSeenAt = now;
    p.origin = "PARENT_LOST";
    round(task, req, p, now);
  }

  // ---------------------------------------------------------------- patrol

  private void patrol(long now) {
    long idleTimeout = config.peerIdleTimeout().toMillis();
    for (String taskId : new ArrayList<>(knownTaskIds())) {
      TaskState task = tasks.get(taskId);
      if (task == null) continue;
      boolean changed = task.failedSeeds.values().removeIf(at -> now - at >= config.seedFailureMemory().toMillis());
      Set<String> waiting = null; // peers whose own request is being retried are not idle; decoded once per task
      for (PeerRecord peer : new ArrayList<>(task.peers.values())) {
        if (!task.peers.containsKey(peer.peerId)) continue;
        HostView h = index.host(peer.hostId);
        if (h != null && h.liveness() == Liveness.OFFLINE) {
          leave(task, peer, "HOST_OFFLINE", now);
          changed = true;
        } else if (peer.active() && now - peer.lastProgressAt > idleTimeout) {
          if (waiting == null) waiting = waitingPeers(task);
          if (!waiting.contains(peer.peerId)) {
            leave(task, peer, "NO_PROGRESS", now);
            changed = true;
          }
        }
      }
      if (changed) saveTask(task);
    }
    patrolHostHealth(now);
    expireDecisions(now);
  }

  /** Peers of {@code task} with a request waiting for a retry. */
  private Set<String> waitingPeers(TaskState task) {
    Set<String> out = new HashSet<>();
    for (String key : task.pending.values()) {
      PendingRequest p = retries.get(key);
      if (p != null) out.add(requestCodec.decode(p.request).getPeerId());
    }
    return out;
  }

  private NavigableSet<String> knownTaskIds() {
    if (taskIds == null) {
      taskIds = new TreeSet<>();
      try (KeyValueIterator<String, TaskState> it = tasks.all()) {
        while (it.hasNext()) taskIds.add(it.next().key);
      }
    }
    return taskIds;
  }

  /** Patrol makes a peer leave: an event on the peer-events topic, then the same change locally. */
  private void leave(TaskState task, PeerRecord peer, String reason, long now) {
    PeerEvent left = PeerEvent.newBuilder()
        .setEventId("dispatcher/left/" + task.taskId + "/" + peer.peerId + "/" + now)
        .setTaskId(task.taskId).setPeerId(peer.peerId).setHostId(peer.hostId)
        .setType(PeerEventType.LEFT).setPiecesFinished(peer.piecesFinished).setPieceCount(peer.pieceCount)
        .setReason(reason).setTimestamp(java.time.Instant.ofEpochMilli(now))
        .build();
    context.forward(new Record<>(task.taskId, left, now), PEER_EVENTS_SINK);
    log.info("Patrol: peer {} of task {} leaves ({})", peer.peerId, task.taskId, reason);
    removePeer(task, peer.peerId, reason, now);
  }

  private void patrolHostHealth(long now) {
    List<KeyValue<String, HostHealth>> all = new ArrayList<>();
    try (KeyValueIterator<String, HostHealth> it = health.all()) {
      while (it.hasNext()) all.add(it.next());
    }
    long window = config.quarantineWindow().toMillis();
    for (KeyValue<String, HostHealth> kv : all) {
      HostHealth hh = kv.value;
      if (now - hh.windowStart < window) continue;
      long total = hh.served + hh.failed;
      if (total >= config.quarantineMinSamples() && (double) hh.failed / total > config.quarantineFailureRate()) {
        hh.quarantinedUntil = now + config.quarantineDuration().toMillis();
        quarantines().put(hh.hostId, hh.quarantinedUntil);
        log.info("Patrol: host {} quarantined until {} ({} of {} uploads failed)", hh.hostId, hh.quarantinedUntil,
            hh.failed, total);
      }
      if (total == 0 && hh.quarantinedUntil <= now) {
        quarantines().remove(hh.hostId);
        health.delete(kv.key);
        continue;
      }
      hh.served = 0;
      hh.failed = 0;
      hh.windowStart = now;
      health.put(kv.key, hh);
    }
  }

  private void expireDecisions(long now) {
    long cutoff = now - config.decisionRetention().toMillis();
    if (cutoff <= 0) return;
    List<KeyValue<String, String>> old = new ArrayList<>();
    try (KeyValueIterator<String, String> it = decisionExpiry.range("", retryKey(cutoff, "\uffff"))) {
      while (it.hasNext()) old.add(it.next());
    }
    for (KeyValue<String, String> kv : old) {
      decisions.delete(kv.value);
      decisionExpiry.delete(kv.key);
    }
  }

  // ---------------------------------------------------------------- output

  private ScheduleDecision.Builder decision(ScheduleRequest req, DecisionOutcome outcome, String target, String reason,
      int rounds, long now) {
    return ScheduleDecision.newBuilder()
        .setRequestId(blankToEmpty(req.getRequestId()))
        .setTaskId(blankToEmpty(req.getTaskId()))
        .setPeerId(blankToEmpty(req.getPeerId()))
        .setTargetHostId(target)
        .setRequesterHostId(hostOrUnknown(req.getHostId()))
        .setOutcome(outcome)
        .setParents(List.of())
        .setUrl(blankToEmpty(req.getUrl()))
        .setDigest(req.getDigest())
        .setReason(reason)
        .setAttempt(rounds)
        .setPolicyId(stageOne.policyId())
        .setDecidedAt(java.time.Instant.ofEpochMilli(now));
  }

  private void remember(ScheduleDecision d, long now) {
    decisions.put(d.getRequestId(), d);
    decisionExpiry.put(retryKey(now, d.getRequestId()), d.getRequestId());
  }

  private void forwardDecision(ScheduleDecision d, long now) {
    context.forward(new Record<>(d.getTargetHostId(), d, now), DECISIONS_SINK);
  }

  private void deadLetter(Record<String, Object> record, String stage, String reason, byte[] rawValue) {
    DeadLetter.Builder b = DeadLetter.builder(stage, reason)
        // the source record's bytes as read (issue 13, finding 7); the arguments only when Streams has none
        .rawKey(SourceBytes.key(context, record.key()))
        .rawValue(SourceBytes.value(context, rawValue))
        .headers(record.headers())
        .deadLetteredAtMs(context.currentSystemTimeMs());
    context.recordMetadata().ifPresent((RecordMetadata m) -> b.source(m.topic(), m.partition(), m.offset()));
    DeadLetter dl = b.build();
    log.warn("Dead-lettering record ({}): {}", stage, reason);
    context.forward(new Record<Object, Object>(dl.rawKey(), dl.rawValue(), record.timestamp(), dl.headers()),
        DEAD_LETTERS_SINK);
  }

  // ---------------------------------------------------------------- helpers

  private TaskState loadTask(String taskId) {
    TaskState t = tasks.get(taskId);
    return t != null ? t : new TaskState(taskId);
  }

  private void saveTask(TaskState task) {
    if (task.isEmpty()) {
      if (tasks.get(task.taskId) != null) tasks.delete(task.taskId);
      knownTaskIds().remove(task.taskId);
    } else {
      tasks.put(task.taskId, task);
      knownTaskIds().add(task.taskId);
    }
  }

  static String decisionId(String requestId, String outcome) {
    return UUID.nameUUIDFromBytes((requestId + "|" + outcome).getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String blankToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String hostOrUnknown(String hostId) {
    return hostId == null || hostId.isBlank() ? "unknown" : hostId;
  }

}
