package io.swarmsched.dispatcher.topology;

import static io.swarmsched.dispatcher.topology.DispatcherTopology.DEAD_LETTERS_SINK;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.jobs.JobSubmission;
import io.swarmsched.dispatcher.selection.StageOne;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.runtime.deadletter.DeadLetterRouting;
import io.swarmsched.runtime.deadletter.SourceBytes;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.topics.Topics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The dispatcher's one processor per task partition, a thin adapter: schedule requests, peer events
 * and piece events of the same tasks arrive here as one {@link DispatchInput} stream
 * (co-partitioned by task id) and go to the part that owns them: {@link RequestRounds} (core's
 * scheduling round), {@link TaskMembership}, {@link HostHealthTracker}, {@link Patrol}, {@link
 * DecisionLog}, all sharing one {@link DispatchStores}.
 *
 * <p>Time: every decision uses the partition's stream time (the largest record timestamp seen), so
 * replaying the same topics reproduces the same decisions. Retries and patrol run on a STREAM_TIME
 * punctuator; a WALL_CLOCK punctuator only steps in when the partition has been idle for {@code
 * clock.idle-after} (then it advances a logical clock by the idle wall time) so that retries still
 * fire on a quiet partition. Turn {@code clock.idle-advance} off for bit-exact replays. Each round
 * that leaves a request waiting is recorded with its decision ({@code provenance.earlier_rounds}),
 * and a replay's {@link RoundClock} runs the recorded rounds in place of these clocks.
 */
final class DispatchProcessor implements Processor<String, DispatchInput, Object, Object> {
  static final String METRICS_SCOPE = "dispatcher";
  static final String ILLEGAL_TRANSITION_METRIC = "illegal-peer-transition";

  /** Dead-letter stages of records that may not speak for the host they name. */
  static final String STAGE_REQUEST_AUTH = "request-authenticate";

  static final String STAGE_PEER_EVENT_AUTH = "peer-event-authenticate";
  static final String STAGE_PIECE_EVENT_AUTH = "piece-event-authenticate";

  private final DispatcherConfig config;
  private final StageOne stageOne;
  private final HostIndex index;
  private final Serializer<PeerEvent> peerEventSerializer;
  private final Serializer<PieceEvent> pieceEventSerializer;

  private final HostAuthentication hostAuth;
  private ProcessorContext<Object, Object> context;
  private RequestRounds rounds;
  private TaskMembership membership;
  private Patrol patrol;
  private DecisionLog decisions;

  private long lastRecordWallMs;
  private long lastPatrolAt = Long.MIN_VALUE;
  private long lastAdvanceAt = Long.MIN_VALUE;
  private final PartitionClock partitionClock;

  /** A replay's rounds (null live: the processor's own clock). */
  private final RoundClock roundClock;

  DispatchProcessor(
      DispatcherConfig config,
      StageOne stageOne,
      HostIndex index,
      Serializer<PeerEvent> peerEventSerializer,
      Serializer<PieceEvent> pieceEventSerializer,
      RoundClock roundClock) {
    this.roundClock = roundClock;
    this.config = config;
    this.stageOne = stageOne;
    this.index = index;
    this.peerEventSerializer = peerEventSerializer;
    this.pieceEventSerializer = pieceEventSerializer;
    this.hostAuth =
        new HostAuthentication(index, config.signedReplayWindow(), config.principalSeal());
    this.partitionClock = new PartitionClock(config.maxClockAhead());
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    hostAuth.rememberIn(
        context.getStateStore(DispatcherTopology.SEEN_SIGNATURES_STORE),
        context.currentSystemTimeMs());
    DispatchStores stores = new DispatchStores(context, index, config.allocationTtl().toMillis());
    decisions =
        new DecisionLog(
            context,
            stores,
            stageOne.policyId(),
            config.policy(),
            config.decisionSettings(),
            config.decisionRetention().toMillis(),
            config.patrolInterval().toMillis(),
            DecisionWaiters.of(config.applicationId()));
    HostHealthTracker health = new HostHealthTracker(stores, stageOne.quarantine());
    rounds = new RequestRounds(stores, decisions, stageOne.round());
    Sensor illegal =
        context
            .metrics()
            .addRateTotalSensor(
                METRICS_SCOPE,
                "task-" + context.taskId(),
                ILLEGAL_TRANSITION_METRIC,
                Sensor.RecordingLevel.INFO);
    membership = new TaskMembership(stores, health, rounds::parentLost, illegal);
    rounds.enrolThrough(membership);
    rounds.submitJobsThrough(
        req -> {
          long at = context.currentSystemTimeMs();
          context.forward(
              new Record<Object, Object>(req.getTaskId(), JobSubmission.fromRequest(req, at), at),
              DispatcherTopology.JOB_EVENTS_SINK);
        });
    patrol =
        new Patrol(
            context,
            stores,
            membership,
            rounds,
            health,
            decisions,
            config.peerIdleTimeout().toMillis(),
            config.seedFailureMemory().toMillis());
    lastRecordWallMs = context.currentSystemTimeMs();
    context.schedule(
        config.tick(),
        PunctuationType.STREAM_TIME,
        t -> {
          if (roundClock == null || roundClock.ownRounds()) advance(Math.min(t, clock()));
        });
    context.schedule(config.tick(), PunctuationType.WALL_CLOCK_TIME, this::onWallTick);
  }

  @Override
  public void process(Record<String, DispatchInput> record) {
    // the decisions made on this record record how far each input partition had been taken
    decisions.taking();
    try {
      handle(record);
    } finally {
      decisions.took();
    }
  }

  private void handle(Record<String, DispatchInput> record) {
    lastRecordWallMs = context.currentSystemTimeMs();
    long now =
        partitionClock.observe(
            record.timestamp(), context.currentStreamTimeMs(), context.currentSystemTimeMs());
    if (context.currentStreamTimeMs() > clock()
        && (lastAdvanceAt == Long.MIN_VALUE || now - lastAdvanceAt >= config.tick().toMillis())) {
      // stream time was pushed ahead, so its punctuator is silent until then: the trusted clock
      // drives retries and patrol meanwhile
      advance(now);
    }
    DispatchInput input = record.value();
    if (input == null) {
      // a tombstone on an input stream means nothing here; it must not vanish without a trace
      deadLetter(
          record,
          "dispatcher-validate",
          "record has no value (a tombstone is not a request or event)",
          null);
    } else if (input instanceof DispatchInput.Request r) {
      String badTime =
          RequestValidation.time(
              record.timestamp(),
              r.request().getTimestamp(),
              context.currentSystemTimeMs(),
              config.maxClockAhead(),
              config.maxRecordAge());
      String forged =
          badTime != null
              ? null
              : authenticate(record, r.request().getHostId(), r.request().getTimestamp());
      if (badTime != null) {
        rounds.reject(r.request(), badTime, Math.min(now, context.currentSystemTimeMs()));
      } else if (forged != null) {
        // not a REJECTED decision: that would go to the named host, which did not ask
        deadLetter(record, STAGE_REQUEST_AUTH, forged, null);
      } else {
        rounds.onRequest(record.key(), r.request(), now);
      }
    } else if (input instanceof DispatchInput.PeerUpdate u) {
      String invalid = RequestValidation.validate(record.key(), u.event());
      if (invalid == null) {
        invalid =
            RequestValidation.time(
                record.timestamp(),
                u.event().getTimestamp(),
                context.currentSystemTimeMs(),
                config.maxClockAhead(),
                config.maxRecordAge());
      }
      String stage = "peer-event-validate";
      if (invalid == null) {
        invalid = authenticate(record, u.event().getHostId(), u.event().getTimestamp());
        stage = STAGE_PEER_EVENT_AUTH;
      }
      if (invalid != null) {
        deadLetter(
            record,
            stage,
            invalid,
            peerEventSerializer.serialize(Topics.PEER_EVENTS.name(), u.event()));
      } else {
        membership.onPeerEvent(u.event(), now);
      }
    } else if (input instanceof DispatchInput.PieceUpdate u) {
      PieceEvent ev = u.event();
      String invalid = RequestValidation.validate(record.key(), ev);
      if (invalid == null) {
        invalid =
            RequestValidation.time(
                record.timestamp(),
                ev.getTimestamp(),
                context.currentSystemTimeMs(),
                config.maxClockAhead(),
                config.maxRecordAge());
      }
      if (invalid == null) {
        invalid = RequestValidation.knownHost(ev.getHostId(), h -> index.host(h) != null);
      }
      if (invalid == null) {
        invalid = membership.pieceOutOfRange(ev);
      }
      String stage = "piece-event-validate";
      if (invalid == null) {
        invalid = authenticate(record, ev.getHostId(), ev.getTimestamp());
        stage = STAGE_PIECE_EVENT_AUTH;
      }
      if (invalid != null) {
        deadLetter(
            record, stage, invalid, pieceEventSerializer.serialize(Topics.PIECE_EVENTS.name(), ev));
      } else {
        membership.onPieceEvent(ev, now);
      }
    }
  }

  // ---------------------------------------------------------------- authentic hosts

  /** Null when the record may speak for {@code hostId} ({@link HostAuthentication}). */
  private String authenticate(
      Record<String, DispatchInput> record, String hostId, java.time.Instant timestamp) {
    return hostAuth.check(
        hostId,
        SourceBytes.value(context, null),
        record.headers(),
        timestamp,
        context.currentSystemTimeMs());
  }

  // ---------------------------------------------------------------- time

  private void onWallTick(long wallNow) {
    if (roundClock != null) {
      long at = roundClock.take();
      if (at != RoundClock.NONE) {
        advance(at); // a round the live dispatcher ran here, at its time
        return;
      }
      if (!roundClock.ownRounds()) return;
    }
    if (!config.idleClockAdvance()) return;
    long idle = wallNow - lastRecordWallMs;
    long streamTime = clock();
    if (idle < config.idleClockAfter().toMillis() || streamTime < 0) return;
    advance(streamTime + idle);
  }

  /** Stream time, less any jump that a record dated past the clock bound made. */
  private long clock() {
    return partitionClock.now(context.currentStreamTimeMs(), context.currentSystemTimeMs());
  }

  private void advance(long now) {
    lastAdvanceAt = now;
    rounds.runDue(now);
    if (lastPatrolAt == Long.MIN_VALUE
        || now - lastPatrolAt >= config.patrolInterval().toMillis()) {
      lastPatrolAt = now;
      patrol.run(now);
    }
  }

  // ---------------------------------------------------------------- dead letters

  private void deadLetter(
      Record<String, DispatchInput> record, String stage, String reason, byte[] rawValue) {
    // the source record's bytes as read (issue 13, finding 7); rawValue only when Streams has none
    DeadLetterRouting.forward(context, record, stage, reason, rawValue, DEAD_LETTERS_SINK);
  }
}
