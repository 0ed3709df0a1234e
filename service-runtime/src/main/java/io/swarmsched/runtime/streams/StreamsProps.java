package io.swarmsched.runtime.streams;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.deadletter.DeadLetterDeserializationHandler;
import io.swarmsched.runtime.deadletter.DeadLetterProcessingHandler;
import io.swarmsched.topics.Topics;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/** The Streams configuration every swarmsched service starts from. */
public final class StreamsProps {
  private StreamsProps() {}

  /** Confluent's key, so configured serdes find the registry in the Streams config too. */
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";

  /**
   * Common Properties for application {@code applicationId}:
   *
   * <ul>
   *   <li>bootstrap servers, state dir, processing guarantee ({@code swarm.processing.guarantee}),
   *       client id {@code <appId>-<instance id>};
   *   <li>{@code ensure.explicit.internal.resource.naming=true};
   *   <li>{@code schema.registry.url} from {@code swarm.schema.registry.url};
   *   <li>dead letters: {@link DeadLetterDeserializationHandler}, {@link
   *       DeadLetterProcessingHandler} and {@code errors.dead.letter.queue.topic.name} = {@code
   *       Topics.DEAD_LETTERS}; the processing handler also for global stores ({@code
   *       processing.exception.handler.global.enabled=true});
   *   <li>{@code application.server} from {@code swarm.http.advertised}, else {@code
   *       localhost:<swarm.http.port>} when the port is fixed (not 0);
   *   <li>{@link BoundedMemoryRocksDBConfig} with {@code swarm.rocksdb.memory.bytes};
   *   <li>{@link #FAILOVER_DEFAULTS}: session timeout, heartbeat, one standby replica, transaction
   *       timeout, the producer's retry backoff; {@link #DEFAULT_COMMIT_INTERVAL_MS};
   *   <li>the Kafka security keys of {@link io.swarmsched.runtime.config.KafkaSecurity};
   *   <li>last, every {@code swarm.streams.<key>} as {@code <key>} (e.g. num.standby.replicas).
   * </ul>
   */
  public static Properties base(String applicationId, Settings settings) {
    return base(applicationId, settings, java.util.Map.of());
  }

  /**
   * {@link #base(String, Settings)} with a service's own Streams defaults (e.g. {@link
   * #BACKLOG_FAIRNESS}), applied after the common ones and before the user's {@code
   * swarm.streams.<key>}, which still win.
   */
  public static Properties base(
      String applicationId, Settings settings, java.util.Map<String, String> serviceDefaults) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(
        StreamsConfig.CLIENT_ID_CONFIG, applicationId + "-" + CommonKeys.instanceId(settings));
    props.put(
        StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.string(CommonKeys.BOOTSTRAP_SERVERS));
    props.put(
        StreamsConfig.STATE_DIR_CONFIG,
        settings.string(CommonKeys.STATE_DIR, CommonKeys.DEFAULTS.get(CommonKeys.STATE_DIR)));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, CommonKeys.processingGuarantee(settings));
    props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
    settings
        .optional(CommonKeys.SCHEMA_REGISTRY_URL)
        .ifPresent(url -> props.put(SCHEMA_REGISTRY_URL, url));

    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterDeserializationHandler.class.getName());
    props.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProcessingHandler.class.getName());
    props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DEAD_LETTERS.name());
    // The processing handler also covers global stores' processors (the dispatcher's host tables).
    // Left at Streams 4.x's default (false), an exception there would bypass the handler, stop the
    // global thread and with it the whole client; and StreamsConfig warns "Processing exception
    // handler is not enabled for the GlobalThread" each time it is built (every service start).
    // Streams 5.0 makes true the default. Streams cannot send dead letters from a global
    // processor yet: it logs the record's context and resumes (DeadLetterProcessingHandler).
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // Streams' partition assignor builds a second StreamsConfig from the main consumer's config
    // (AssignorConfiguration), which carries only the keys Streams copies into it: without this
    // the same WARN comes once more per stream thread. The consumer itself ignores the key (Kafka
    // lists unused keys at INFO).
    props.put(
        StreamsConfig.mainConsumerPrefix(
            StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG),
        true);

    applicationServer(settings)
        .ifPresent(server -> props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, server));

    long rocksBytes =
        settings.bytes(
            CommonKeys.ROCKSDB_MEMORY_BYTES,
            CommonKeys.DEFAULT_ROCKSDB_MEMORY_BYTES,
            1024 * 1024,
            Long.MAX_VALUE);
    props.put(CommonKeys.ROCKSDB_MEMORY_BYTES, Long.toString(rocksBytes));
    props.put(
        StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG,
        BoundedMemoryRocksDBConfig.class.getName());

    FAILOVER_DEFAULTS.forEach(props::put);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(DEFAULT_COMMIT_INTERVAL_MS));
    serviceDefaults.forEach(props::put);

    // TLS and SCRAM for every client Streams makes (consumer, producers, admin, restore).
    io.swarmsched.runtime.config.KafkaSecurity.apply(settings, props);
    org.slf4j.LoggerFactory.getLogger(StreamsProps.class)
        .info(
            "Security posture of {}: {} (the HTTP API logs its own)",
            applicationId,
            io.swarmsched.runtime.config.KafkaSecurity.describe(settings));

    Map<String, String> user = settings.withPrefix(CommonKeys.STREAMS_PREFIX);
    if (GroupSession.isAuto(user)) {
      // StreamsService asks the brokers how short a session they allow (GroupSession)
      props.put(GroupSession.AUTO_KEY, "true");
      props.put(
          GroupSession.HEARTBEAT_USER_KEY,
          Boolean.toString(GroupSession.HEARTBEAT_KEYS.stream().anyMatch(user::containsKey)));
    }
    props.putAll(user);
    if (props.getProperty(StreamsConfig.TASK_ASSIGNOR_CLASS_CONFIG, "x").isBlank()) {
      // swarm.streams.task.assignor.class= (empty): Streams' own default assignor
      props.remove(StreamsConfig.TASK_ASSIGNOR_CLASS_CONFIG);
    }
    return props;
  }

  /**
   * Failover in about 7-15 s rather than about 50 s (issue 13; measured in docs/reliability.md): a
   * killed instance is noticed after {@code session.timeout.ms} (6 s here, the broker's default
   * minimum; Kafka's default is 45 s; {@link GroupSession} shortens it to 4 s at start-up where the
   * brokers allow it, unless the user set it); {@link FailoverTaskAssignor} hands its tasks to the
   * survivors holding their standbys in that one rebalance; and a transaction it left open, which
   * holds back read_committed restores and readers of the partitions it wrote, is fenced by the
   * group leader as soon as the assignment leaves its process out, or by a survivor that starts
   * restoring one of its tasks ({@link ZombieTransactions}), not left to {@code
   * transaction.timeout.ms}. So the timeout (10 s, Streams' exactly-once default) only bounds
   * transactions nobody fences, and above all must outlast a broker failover: a living instance's
   * transaction held up by one is otherwise aborted and its producer fenced, and every task of the
   * instance is closed and restored. Measured on the chaos cluster (docs/reliability.md, "Chaos
   * run", "The services' own task assignor"): with 5 s a broker kill took 17.2 s in one run of four
   * (and 13.4 s in one of seven the day before), both times because living instances were fenced;
   * with 10 s, 4.4-7.0 s in four of four, while the dispatcher kill took 6.9-11.9 s with 5 s and
   * 7.2-14.4 s with 10 s, the time going after the survivor is RUNNING, not into the dead
   * transaction (the dispatcher's {@code max.task.idle.ms} -1 took that away: {@code
   * DispatcherApp.STREAMS_DEFAULTS}).
   *
   * <p>The producer retries after 10 ms, backing off to at most 100 ms (Kafka: 100 ms up to 1 s).
   * Under exactly-once a transaction's first write or offset commit is answered {@code
   * CONCURRENT_TRANSACTIONS} until the markers of the previous transaction (or of the one a killed
   * instance left open) are written, usually within milliseconds; the default backoff turned each
   * of those waits into 100 ms to 1 s inside the commit. On the loaded machine a survivor then
   * decided its first taken-over request 1-3 s after it was RUNNING instead of 4-8 s (two runs
   * each); on a quieter one it made no measurable difference. A retry is idempotent, so this
   * changes pacing only, not what is written.
   *
   * <p>Tasks are assigned by {@link FailoverTaskAssignor}: a killed instance's tasks go to the
   * survivors holding their standbys in the first rebalance, and nothing else moves unless the load
   * is out of balance (Streams' default assignor reshuffled the survivors' own tasks over several
   * rebalances).
   *
   * <p>The dispatcher adds {@link #BACKLOG_FAIRNESS}.
   *
   * <p>Each is overridable with {@code swarm.streams.<key>}.
   */
  public static final java.util.Map<String, String> FAILOVER_DEFAULTS =
      java.util.Map.of(
          "session.timeout.ms",
          "6000",
          "heartbeat.interval.ms",
          "1500",
          StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG,
          "1",
          "transaction.timeout.ms",
          "10000",
          StreamsConfig.producerPrefix("retry.backoff.ms"),
          "10",
          StreamsConfig.producerPrefix("retry.backoff.max.ms"),
          "100",
          StreamsConfig.TASK_ASSIGNOR_CLASS_CONFIG,
          FailoverTaskAssignor.class.getName());

  /**
   * The dispatcher's main consumer hands a stream thread at most 100 records per poll and at most
   * 16 KiB (about 65 schedule requests) per partition per fetch (Kafka Streams: 1,000 records, 1
   * MiB). A stream thread polls again only once it has processed everything it holds, and the
   * consumer hands out fetched data one partition's fetch after the other. With 1 MiB (about 4,300
   * schedule requests) and a backlog, e.g. on the partitions a survivor takes over after a kill,
   * the thread processed those alone for 16-27 s while its other partitions, with requests waiting
   * on the broker, decided nothing (the chaos run, docs/reliability.md); and a survivor rejoins a
   * rebalance only from poll(), so the group waited seconds for it. With these a thread polls after
   * at most 100 records, and a partition's new data waits behind at most one small fetch of each
   * other partition. Only the main consumer gets them: restoring a store still fetches in 1 MiB
   * chunks.
   *
   * <p>Only the dispatcher uses them: they cost heartbeat-ingest about a fifth of its throughput
   * (10,000 hosts, exactly-once, four interleaved pairs on a quiet machine: 6,200-10,100 against
   * 10,300-11,000 heartbeats/s; docs/benchmarks.md), and the failover target is the dispatcher's.
   * Overridable as {@code swarm.streams.main.consumer.max.poll.records} and {@code
   * swarm.streams.main.consumer.max.partition.fetch.bytes}.
   */
  public static final java.util.Map<String, String> BACKLOG_FAIRNESS =
      java.util.Map.of(
          StreamsConfig.mainConsumerPrefix("max.poll.records"),
          "100",
          StreamsConfig.mainConsumerPrefix("max.partition.fetch.bytes"),
          "16384");

  /**
   * {@code commit.interval.ms} for every service and either guarantee, overridable with {@code
   * swarm.streams.commit.interval.ms}: the latency/throughput trade-off users choose. Under
   * exactly-once an output is visible to read_committed readers when its transaction commits, so a
   * longer interval means fewer transactions per record (throughput) and later visibility
   * (latency). 100 ms is the knee of the curve measured in docs/benchmarks.md ("commit.interval.ms:
   * the latency/throughput trade-off"): heartbeat-ingest drained 1.6-1.8 times as fast as at 50 ms,
   * and 500 ms had 2-3 times its latency for at best 1.3 times the throughput. Set here (it is
   * Streams' own exactly-once default) so that at-least-once, whose Streams default is 30 s, does
   * not silently trade 30 s of reprocessing after a crash for it.
   */
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 100;

  /** host:port for {@code application.server}, if this instance's HTTP address is known. */
  public static Optional<String> applicationServer(Settings settings) {
    Optional<String> advertised = settings.optional(CommonKeys.HTTP_ADVERTISED);
    if (advertised.isPresent()) {
      String value = advertised.get();
      int colon = value.lastIndexOf(':');
      if (colon <= 0 || colon == value.length() - 1) {
        throw new io.swarmsched.runtime.config.ConfigException(
            CommonKeys.HTTP_ADVERTISED, "'" + value + "' is not host:port");
      }
      try {
        int port = Integer.parseInt(value.substring(colon + 1));
        if (port <= 0 || port > 65535) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new io.swarmsched.runtime.config.ConfigException(
            CommonKeys.HTTP_ADVERTISED, "'" + value + "' has no valid port");
      }
      return advertised;
    }
    int port = settings.integer(CommonKeys.HTTP_PORT, 0, 0, 65535);
    return port == 0 ? Optional.empty() : Optional.of("localhost:" + port);
  }
}
