package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherTopology.DECISIONS_SINK;

import io.swarmsched.dispatcher.state.PendingRequest;
import io.swarmsched.dispatcher.state.StoredDecision;
import io.swarmsched.scheduling.RankedParent;
import io.swarmsched.scheduling.evaluator.ScoreBreakdown;
import io.swarmsched.scheduling.round.RoundOutcome;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.DecisionProvenance;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.ParentInput;
import io.swarmsched.schemas.RoundProvenance;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * The decisions: builds them from core's outcomes, remembers terminal ones by request id for {@code
 * decision.retention} (so a repeated request gets the same decision again) and wakes the HTTP
 * callers waiting for them, forwards them keyed by their target host, and expires old ones.
 */
final class DecisionLog {
  private final ProcessorContext<Object, Object> context;
  private final DispatchStores stores;
  private final String policyId;
  private final String policy;
  private final Map<String, String> settings;
  private final long retentionMillis;
  private final long patrolMillis;
  private final DecisionWaiters waiters;

  /** The first key the expiry sweep reads next; null: the store's first key. */
  private String sweepFrom;

  /**
   * Per input topic-partition of the task (key topic-partition): the offset of its next record to
   * process. Sorted, so that the same positions are the same bytes.
   */
  private final java.util.TreeMap<String, Long> inputPositions = new java.util.TreeMap<>();

  DecisionLog(
      ProcessorContext<Object, Object> context,
      DispatchStores stores,
      String policyId,
      String policy,
      Map<String, String> settings,
      long retentionMillis,
      long patrolMillis,
      DecisionWaiters waiters) {
    this.context = context;
    this.stores = stores;
    this.policyId = policyId;
    this.policy = policy;
    // sorted, not Map.copyOf: an immutable map's iteration order changes from JVM to JVM, and it
    // is the order the settings are encoded in, so the same decision would not be the same bytes
    this.settings = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(settings));
    this.retentionMillis = retentionMillis;
    this.patrolMillis = patrolMillis;
    this.waiters = waiters;
  }

  /** The terminal decision already made for {@code requestId}, or null. */
  ScheduleDecision prior(String requestId) {
    StoredDecision stored = stores.decisions.get(requestId);
    return stored == null ? null : stored.decision();
  }

  /**
   * The decision for a terminal outcome of {@code req}; {@code origin} names why the dispatcher
   * made the request itself (e.g. PARENT_LOST), else null; {@code earlier} are the rounds it waited
   * through in punctuations (null: none).
   */
  ScheduleDecision terminal(
      ScheduleRequest req,
      RoundOutcome.Terminal outcome,
      String origin,
      List<PendingRequest.Round> earlier,
      long now) {
    DecisionOutcome kind;
    String reason = null;
    List<RankedParent> parents = List.of();
    // Java 17: an instanceof chain over the sealed outcomes (pattern switches are a preview there)
    if (outcome instanceof RoundOutcome.Parents p) {
      kind = DecisionOutcome.PARENTS;
      parents = p.parents();
    } else if (outcome instanceof RoundOutcome.BackToSource b) {
      kind = DecisionOutcome.BACK_TO_SOURCE;
      reason = b.reason();
    } else if (outcome instanceof RoundOutcome.Failed f) {
      kind = DecisionOutcome.FAILED;
      reason = f.reason();
    } else {
      kind = DecisionOutcome.REJECTED;
      reason = ((RoundOutcome.Rejected) outcome).reason();
    }
    if (origin != null) {
      reason = kind == DecisionOutcome.PARENTS || reason == null ? origin : origin + ":" + reason;
    }
    DecisionProvenance provenance = provenance(parents);
    provenance.setEarlierRounds(earlierRounds(earlier));
    return builder(req, kind, req.getHostId(), reason, outcome.attempt(), now)
        .setDecisionId(decisionId(req.getRequestId(), kind.name()))
        .setParents(candidates(parents))
        .setProvenance(provenance)
        .build();
  }

  /**
   * This round, as a request that goes on waiting keeps it for its decision's {@code
   * earlier_rounds}: its time, the record it runs on (null in a punctuation) and where the inputs
   * and tables stand.
   */
  PendingRequest.Round round(long now) {
    PendingRequest.Round r = new PendingRequest.Round();
    r.at = now;
    r.input = input();
    r.inputPositions = new java.util.TreeMap<>(inputPositions);
    r.hostsPositions = stores.index.hostsPositions();
    r.scoresPositions = stores.index.scoresPositions();
    return r;
  }

  private static List<RoundProvenance> earlierRounds(List<PendingRequest.Round> rounds) {
    if (rounds == null || rounds.isEmpty()) return List.of();
    List<RoundProvenance> out = new ArrayList<>(rounds.size());
    for (PendingRequest.Round r : rounds) {
      out.add(
          RoundProvenance.newBuilder()
              .setAt(r.at)
              .setInput(r.input)
              .setInputPositions(
                  r.inputPositions == null ? Map.of() : new java.util.TreeMap<>(r.inputPositions))
              .setHostsPositions(r.hostsPositions == null ? List.of() : r.hostsPositions)
              .setScoresPositions(r.scoresPositions == null ? List.of() : r.scoresPositions)
              .build());
    }
    return out;
  }

  /** The REJECTED decision for a malformed request (its request id may be missing). */
  ScheduleDecision rejected(ScheduleRequest req, String reason, long now) {
    String requestId = blankToEmpty(req.getRequestId());
    String idSource =
        requestId.isEmpty()
            ? "rejected@" + now + "/" + req.getTaskId() + "/" + req.getPeerId()
            : requestId;
    return builder(req, DecisionOutcome.REJECTED, hostOrUnknown(req.getHostId()), reason, 1, now)
        .setDecisionId(decisionId(idSource, "REJECTED"))
        .build();
  }

  /**
   * The SEED_TRIGGER decision that asks {@code seed} to fetch the task (addressed to the seed, for
   * no peer).
   */
  ScheduleDecision seedTrigger(
      ScheduleRequest req, String taskId, String seed, int attempt, long now) {
    return builder(
            req, DecisionOutcome.SEED_TRIGGER, seed, RoundOutcome.FIRST_DOWNLOAD, attempt, now)
        .setDecisionId(decisionId("seed/" + taskId + "/" + seed + "/" + now, "SEED_TRIGGER"))
        .setPeerId("")
        .build();
  }

  void remember(ScheduleDecision d, long now) {
    stores.decisions.put(d.getRequestId(), new StoredDecision(now, d));
    waiters.decided(d); // after the put: a waiter that finds nothing in the store is woken by this
  }

  void forward(ScheduleDecision d, long now) {
    context.forward(new Record<>(d.getTargetHostId(), d, now), DECISIONS_SINK);
  }

  /**
   * Forgets decisions made more than {@code decision.retention} before {@code now}, by a sweep that
   * goes round the decision store: each call (a patrol) reads the stored times of the next part of
   * the store in key order, sized so that the whole store is read about every quarter of the
   * retention (at least {@link #MIN_SWEEP} entries a call). No decision is forgotten before the
   * retention ends, and each by about 1.25 times it. The sweep reads only the time in front of each
   * stored value ({@link StoredDecision}); where it stands is kept in memory (a restarted instance
   * begins again at the first key).
   */
  void expire(long now) {
    long cutoff = now - retentionMillis;
    if (cutoff <= 0) return;
    long entries = stores.decisions.approximateNumEntries();
    long roundsPerCycle = Math.max(1, (retentionMillis / 4) / Math.max(1, patrolMillis));
    long budget = Math.max(MIN_SWEEP, (entries + roundsPerCycle - 1) / roundsPerCycle);
    List<String> old = new ArrayList<>();
    String next = null;
    try (KeyValueIterator<String, StoredDecision> it =
        sweepFrom == null ? stores.decisions.all() : stores.decisions.range(sweepFrom, null)) {
      for (long seen = 0; it.hasNext(); seen++) {
        KeyValue<String, StoredDecision> kv = it.next();
        if (seen == budget) {
          next = kv.key;
          break;
        }
        if (kv.value.decidedAt() < cutoff) old.add(kv.key);
      }
    }
    sweepFrom = next;
    for (String requestId : old) stores.decisions.delete(requestId);
  }

  /** Entries the expiry sweep reads at least, per call. */
  static final int MIN_SWEEP = 1_000;

  private ScheduleDecision.Builder builder(
      ScheduleRequest req,
      DecisionOutcome outcome,
      String target,
      String reason,
      int attempt,
      long now) {
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
        .setAttempt(attempt)
        .setPolicyId(policyId)
        .setDecidedAt(Instant.ofEpochMilli(now))
        .setProvenance(provenance(List.of()));
  }

  /**
   * What the decision was made from: how far the global tables had got, and the versions of the
   * chosen parents' host and score records. Read from the instance's index, which the global thread
   * fills asynchronously, so it says what this decision saw (a replay explains a decision it does
   * not reproduce by it), and the policy and settings it was made with (a replay runs with them).
   */
  private DecisionProvenance provenance(List<RankedParent> parents) {
    List<ParentInput> inputs = new ArrayList<>(parents.size());
    for (RankedParent rp : parents) {
      inputs.add(
          ParentInput.newBuilder()
              .setHostId(rp.hostId())
              .setHostVersion(stores.index.hostVersion(rp.hostId()))
              .setScoreVersion(stores.index.scoreVersion(rp.hostId()))
              .build());
    }
    return DecisionProvenance.newBuilder()
        .setHostsAsOf(stores.index.hostsAsOf())
        .setScoresAsOf(stores.index.scoresAsOf())
        .setParentInputs(inputs)
        .setPolicy(policy)
        .setSettings(settings)
        .setHostsPositions(stores.index.hostsPositions())
        .setScoresPositions(stores.index.scoresPositions())
        .setInput(input())
        .setInputPositions(new java.util.TreeMap<>(inputPositions))
        .build();
  }

  /**
   * The record about to be processed is its partition's next: decisions made on it say so (with the
   * other partitions where they stand), so a replay feeds the same records before it.
   */
  void taking() {
    context
        .recordMetadata()
        .filter(m -> m.topic() != null && m.offset() >= 0)
        .ifPresent(m -> inputPositions.put(m.topic() + "-" + m.partition(), m.offset()));
  }

  /** The record being processed is done: its partition's next record is the one after it. */
  void took() {
    context
        .recordMetadata()
        .filter(m -> m.topic() != null && m.offset() >= 0)
        .ifPresent(m -> inputPositions.put(m.topic() + "-" + m.partition(), m.offset() + 1));
  }

  /** The record being processed, as topic-partition@offset; null in a punctuation. */
  private String input() {
    return context
        .recordMetadata()
        .filter(m -> m.topic() != null && m.offset() >= 0)
        .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
        .orElse(null);
  }

  private static List<ParentCandidate> candidates(List<RankedParent> parents) {
    List<ParentCandidate> ranked = new ArrayList<>(parents.size());
    for (RankedParent rp : parents) {
      ScoreBreakdown b = rp.breakdown();
      ranked.add(
          ParentCandidate.newBuilder()
              .setPeerId(rp.peerId())
              .setHostId(rp.hostId())
              .setPieceServerAddress(rp.pieceServerAddress())
              .setTotalScore(b.totalScore())
              .setIdcAffinity(b.idcAffinity())
              .setLocationAffinity(b.locationAffinity())
              .setLoadQuality(b.loadQuality())
              .setHostTypeScore(b.hostTypeScore())
              .setPeakBandwidthUsage(b.peakBandwidthUsage())
              .setBandwidthDurationRatio(b.bandwidthDurationRatio())
              .setConcurrentEfficiency(b.concurrentEfficiency())
              .build());
    }
    return ranked;
  }

  static String decisionId(String requestId, String outcome) {
    return UUID.nameUUIDFromBytes((requestId + "|" + outcome).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  static String blankToEmpty(String s) {
    return s == null ? "" : s;
  }

  static String hostOrUnknown(String hostId) {
    return hostId == null || hostId.isBlank() ? "unknown" : hostId;
  }
}
