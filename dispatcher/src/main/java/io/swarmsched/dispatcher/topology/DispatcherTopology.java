package io.swarmsched.dispatcher.topology;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.dispatcher.jobs.JobRecord;
import io.swarmsched.dispatcher.metrics.ObservedDispatch;
import io.swarmsched.dispatcher.selection.StageOne;
import io.swarmsched.dispatcher.state.DecisionBytes;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.dispatcher.state.StoredTaskSerde;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.SigningSerializer;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;

/**
 * The dispatcher's topology, a pure function of its configuration.
 *
 * <pre>
 *  schedule-requests ─┐  (each wrapped as a
 *  peer-events ───────┼─▶ DispatchInput) ─▶ dispatcher-dispatch ─┬─▶ schedule-decisions (key: target host)
 *  piece-events ──────┘                     (task state stores)  ├─▶ peer-events (LEFT from patrol)
 *  hosts, host-scores, ─▶ global stores                          ├─▶ dead-letters (invalid, forged
 *  host-keys                                                     │                  or replayed input)
 *                        + HostIndex (decoded host and score views, └─▶ job-events (SUBMITTED, one per
 *                          online seeds, workers)                       job request)
 *
 *  job-events (1 partition) ─▶ dispatcher-job-pool ─┬─▶ schedule-decisions (ASSIGNED, CANCELLED to
 *                              (dispatcher-jobs)    │   the worker; QUEUED, FAILED to the requester)
 *                                                   └─▶ dead-letters (invalid job events)
 * </pre>
 *
 * <p>The job pool reads the one partition of swarm.job-events.v1, so a single task in the whole
 * application owns every worker's job count: the capacity invariant of docs/design.md, "Worker
 * pools".
 *
 * <p>Every source, processor, sink and store is named here; tests reuse these constants.
 */
public final class DispatcherTopology {
  private DispatcherTopology() {}

  public static final String REQUESTS_SOURCE = "dispatcher-requests-source";
  public static final String PEER_EVENTS_SOURCE = "dispatcher-peer-events-source";
  public static final String PIECE_EVENTS_SOURCE = "dispatcher-piece-events-source";
  public static final String HOSTS_SOURCE = "dispatcher-hosts-source";
  public static final String HOST_SCORES_SOURCE = "dispatcher-host-scores-source";
  public static final String HOST_KEYS_SOURCE = "dispatcher-host-keys-source";

  /** Global-store processors: write the global stores and keep the instance's {@link HostIndex}. */
  public static final String HOSTS_INDEXER = "dispatcher-hosts-indexer";

  public static final String HOST_SCORES_INDEXER = "dispatcher-host-scores-indexer";

  public static final String HOST_KEYS_INDEXER = "dispatcher-host-keys-indexer";

  /**
   * One per source: wraps its records as the dispatch processor's one input type ({@link
   * DispatchInput}).
   */
  public static final String REQUESTS_AS_INPUT = "dispatcher-requests-as-input";

  public static final String PEER_EVENTS_AS_INPUT = "dispatcher-peer-events-as-input";
  public static final String PIECE_EVENTS_AS_INPUT = "dispatcher-piece-events-as-input";
  public static final String DISPATCH_PROCESSOR = "dispatcher-dispatch";
  public static final String DECISIONS_SINK = "dispatcher-decisions-sink";
  public static final String PEER_EVENTS_SINK = "dispatcher-peer-events-sink";
  public static final String DEAD_LETTERS_SINK = "dispatcher-dead-letters-sink";
  public static final String JOB_EVENTS_SOURCE = "dispatcher-job-events-source";
  public static final String JOB_EVENTS_SINK = "dispatcher-job-events-sink";
  public static final String JOB_POOL_PROCESSOR = "dispatcher-job-pool";

  /**
   * The job pool's own sinks: a sink shared with the dispatch processor would join the two into one
   * sub-topology, i.e. six job pools (one per request partition), of which only the one holding the
   * job-events partition gets jobs while all six publish the job gauges.
   */
  public static final String JOB_DECISIONS_SINK = "dispatcher-job-decisions-sink";

  public static final String JOB_DEAD_LETTERS_SINK = "dispatcher-job-dead-letters-sink";

  /** Job id -> the job ({@link JobRecord}: state, worker, attempts, history), kept as JSON. */
  public static final String JOBS_STORE = "dispatcher-jobs";

  /** Signatures the dispatch processor accepted within the replay window (HostAuthentication). */
  public static final String SEEN_SIGNATURES_STORE = "dispatcher-seen-signatures";

  /** Signatures the job pool accepted within the replay window. */
  public static final String JOB_SEEN_SIGNATURES_STORE = "dispatcher-job-seen-signatures";

  /**
   * Task id -> core's task (peers, states, DAG, piece-cost statistics), seeds, pending retries
   * ({@link StoredTaskSerde}).
   */
  public static final String TASKS_STORE = "dispatcher-tasks";

  /** Request id -> its terminal decision, kept {@code decision.retention}. */
  public static final String DECISIONS_STORE = "dispatcher-decisions";

  /** "dueAt|requestId" -> request waiting for its next round. */
  public static final String RETRIES_STORE = "dispatcher-retries";

  /** Host id -> upload successes/failures in the window, quarantine. */
  public static final String HOST_HEALTH_STORE = "dispatcher-host-health";

  /**
   * Host id -> children assigned since its last score (optimistic allocation, core's
   * HostAllocations).
   */
  public static final String LEDGER_STORE = "dispatcher-ledger";

  /** Global table of swarm.hosts.v1. */
  public static final String HOSTS_STORE = "dispatcher-hosts-global";

  /** Global table of swarm.host-scores.v1. */
  public static final String HOST_SCORES_STORE = "dispatcher-host-scores-global";

  /** Global table of swarm.host-keys.v1: what each host id is bound to. */
  public static final String HOST_KEYS_STORE = "dispatcher-host-keys-global";

  /**
   * Decoded tasks kept in memory per processor (tasks, health and ledger stores are write-behind
   * caches).
   */
  static final int CACHED_TASKS = 10_000;

  /** Decoded host health and ledger entries kept in memory per processor. */
  static final int CACHED_HOSTS = 100_000;

  public static Topology build(DispatcherConfig config) {
    return build(config, new HostIndex());
  }

  /**
   * The topology with {@code index} as the instance's decoded view of the global tables: build one
   * topology (and one index) per application instance.
   */
  public static Topology build(DispatcherConfig config, HostIndex index) {
    return build(config, index, null, "", false);
  }

  /**
   * As {@link #build(DispatcherConfig, HostIndex)}, signing the peer events the dispatcher writes
   * itself (the patrol's LEFT) with {@code serviceKey} (null: unsigned), so that they may speak for
   * bound hosts when they come back in ({@link HostAuthentication}).
   */
  public static Topology build(DispatcherConfig config, HostIndex index, HostKeyPair serviceKey) {
    return build(config, index, serviceKey, "", false);
  }

  /**
   * The topology whose sinks (decisions, the patrol's peer events, dead letters) write to the live
   * topic names prefixed by {@code outputPrefix}: a replay (the replay module) writes under a
   * namespace of its own, never into the live topics, and its patrol's LEFT events do not loop back
   * into its input. The sources keep the live names. An empty prefix is the live topology.
   */
  public static Topology build(DispatcherConfig config, HostIndex index, String outputPrefix) {
    return build(config, index, null, outputPrefix, false);
  }

  /**
   * As above; with {@code inMemoryStores} every store is in memory instead of RocksDB (same key
   * order, same contents) and has no changelog: a replay on a TopologyTestDriver commits after
   * every record, and a RocksDB flush per record made it a thousand records a second.
   */
  public static Topology build(
      DispatcherConfig config, HostIndex index, String outputPrefix, boolean inMemoryStores) {
    return build(config, index, null, outputPrefix, inMemoryStores);
  }

  /**
   * A replay's topology: as {@link #build(DispatcherConfig, HostIndex, String, boolean)}, with its
   * scheduling rounds run when {@code rounds} says (see {@link RoundClock}).
   */
  public static Topology build(
      DispatcherConfig config,
      HostIndex index,
      String outputPrefix,
      boolean inMemoryStores,
      RoundClock rounds) {
    return build(config, index, null, outputPrefix, inMemoryStores, rounds);
  }

  /** Every option: the service key, the output prefix and in-memory stores (see above). */
  public static Topology build(
      DispatcherConfig config,
      HostIndex index,
      HostKeyPair serviceKey,
      String outputPrefix,
      boolean inMemoryStores) {
    return build(config, index, serviceKey, outputPrefix, inMemoryStores, null);
  }

  private static Topology build(
      DispatcherConfig config,
      HostIndex index,
      HostKeyPair serviceKey,
      String outputPrefix,
      boolean inMemoryStores,
      RoundClock rounds) {
    String out = outputPrefix == null ? "" : outputPrefix;
    boolean mem = inMemoryStores;
    var serdeConfig = config.serdeConfig();
    Serde<ScheduleRequest> requests = SpecificAvroSerde.of(ScheduleRequest.class, serdeConfig);
    Serde<PeerEvent> peerEvents = SpecificAvroSerde.of(PeerEvent.class, serdeConfig);
    Serde<PieceEvent> pieceEvents = SpecificAvroSerde.of(PieceEvent.class, serdeConfig);
    Serde<ScheduleDecision> decisions = SpecificAvroSerde.of(ScheduleDecision.class, serdeConfig);
    Serde<HostState> hosts = SpecificAvroSerde.of(HostState.class, serdeConfig);
    Serde<HostScore> scores = SpecificAvroSerde.of(HostScore.class, serdeConfig);
    Serde<HostKey> hostKeys = SpecificAvroSerde.of(HostKey.class, serdeConfig);
    Serde<JobEvent> jobEvents = SpecificAvroSerde.of(JobEvent.class, serdeConfig);
    Serde<String> keys = Serdes.String();

    Topology topology = new Topology();
    HostTables.addTo(topology, hosts, scores, hostKeys, index, mem);

    topology.addSource(
        REQUESTS_SOURCE,
        keys.deserializer(),
        requests.deserializer(),
        Topics.SCHEDULE_REQUESTS.name());
    topology.addSource(
        PEER_EVENTS_SOURCE,
        keys.deserializer(),
        peerEvents.deserializer(),
        Topics.PEER_EVENTS.name());
    topology.addSource(
        PIECE_EVENTS_SOURCE,
        keys.deserializer(),
        pieceEvents.deserializer(),
        Topics.PIECE_EVENTS.name());
    topology.addProcessor(
        REQUESTS_AS_INPUT,
        () -> new DispatchInput.Wrap<ScheduleRequest>(DispatchInput.Request::new),
        REQUESTS_SOURCE);
    topology.addProcessor(
        PEER_EVENTS_AS_INPUT,
        () -> new DispatchInput.Wrap<PeerEvent>(DispatchInput.PeerUpdate::new),
        PEER_EVENTS_SOURCE);
    topology.addProcessor(
        PIECE_EVENTS_AS_INPUT,
        () -> new DispatchInput.Wrap<PieceEvent>(DispatchInput.PieceUpdate::new),
        PIECE_EVENTS_SOURCE);
    topology.addProcessor(
        DISPATCH_PROCESSOR,
        () ->
            ObservedDispatch.observe(
                new DispatchProcessor(
                    config,
                    new StageOne(config),
                    index,
                    peerEvents.serializer(),
                    pieceEvents.serializer(),
                    rounds), // metrics from what it forwards
                in -> in instanceof DispatchInput.Request r ? r.request() : null),
        REQUESTS_AS_INPUT,
        PEER_EVENTS_AS_INPUT,
        PIECE_EVENTS_AS_INPUT);
    // a new decision's Avro body, encoded for the decision store, is reused for the topic
    DecisionBytes storedDecisions = new DecisionBytes();
    DispatchStores.addTo(topology, DISPATCH_PROCESSOR, mem, storedDecisions);

    JobPoolTopology.addTo(topology, config, index, jobEvents, decisions, out, mem);
    // the signatures the processor accepted within the replay window (HostAuthentication), so
    // that a restart does not forget them
    topology.addStateStore(
        DispatchStores.store(SEEN_SIGNATURES_STORE, mem, Serdes.Long()), DISPATCH_PROCESSOR);

    topology.addSink(
        DECISIONS_SINK,
        out + Topics.SCHEDULE_DECISIONS.name(),
        keys.serializer(),
        new DecisionSerializer(decisions.serializer(), storedDecisions),
        DISPATCH_PROCESSOR);
    topology.addSink(
        JOB_EVENTS_SINK,
        Topics.JOB_EVENTS.name(),
        keys.serializer(),
        // the SUBMITTED events of accepted job requests name their (authenticated) requester:
        // signed by the service key, they pass the job pool's host check
        serviceKey == null
            ? jobEvents.serializer()
            : new SigningSerializer<>(jobEvents.serializer(), serviceKey),
        DISPATCH_PROCESSOR);
    topology.addSink(
        PEER_EVENTS_SINK,
        out + Topics.PEER_EVENTS.name(),
        keys.serializer(),
        serviceKey == null
            ? peerEvents.serializer()
            : new SigningSerializer<>(peerEvents.serializer(), serviceKey),
        DISPATCH_PROCESSOR);
    topology.addSink(
        DEAD_LETTERS_SINK,
        out + Topics.DEAD_LETTERS.name(),
        new ByteArraySerializer(),
        new ByteArraySerializer(),
        DISPATCH_PROCESSOR);
    return topology;
  }
}
