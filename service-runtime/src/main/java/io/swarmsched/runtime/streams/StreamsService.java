package io.swarmsched.runtime.streams;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.swarmsched.runtime.http.HealthCheck;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one Kafka Streams application: start, wait until RUNNING, health, metrics, close. A stream
 * thread that dies of an unexpected exception is replaced (REPLACE_THREAD), so one poison record
 * cannot stop the service; it is logged with the exception, and counted: a thread that keeps dying
 * makes {@link #healthCheck()} report down ({@link StreamsHealth}), as do the ERROR and
 * PENDING_ERROR states and a broker that a small admin client has not reached for the policy's
 * threshold.
 *
 * <pre>{@code
 * StreamsService service = new StreamsService(IngestTopology.build(settings), StreamsProps.base("heartbeat-ingest", settings));
 * service.start();
 * service.addShutdownHook();
 * api.registerHealthCheck("streams", service.healthCheck());
 * service.bindMetrics(api.meterRegistry());
 * }</pre>
 */
public final class StreamsService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamsService.class);
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaStreams streams;
  private final String applicationId;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile KafkaStreamsMetrics metrics;
  private final StreamsHealth health;
  private final Properties properties;
  private final Duration brokerProbeInterval;
  private ScheduledExecutorService brokerProbe;
  private Admin admin;

  /** Under exactly-once: aborts what a killed previous owner of a taken-over task left open. */
  private final ZombieTransactions zombies;

  private ScheduledExecutorService zombieWatch;

  public StreamsService(Topology topology, Properties properties) {
    this(topology, properties, StreamsHealth.Policy.defaults());
  }

  public StreamsService(
      Topology topology, Properties properties, StreamsHealth.Policy healthPolicy) {
    Objects.requireNonNull(topology, "topology");
    this.applicationId = properties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
    this.properties = properties;
    this.health = new StreamsHealth(healthPolicy, System::currentTimeMillis);
    // probe often enough that "unreachable for longer than the threshold" is seen within a third of
    // it
    this.brokerProbeInterval = healthPolicy.brokerUnreachableAfter().dividedBy(3);
    GroupSession.resolve(properties, applicationId);
    this.zombies =
        StreamsConfig.EXACTLY_ONCE_V2.equals(
                properties.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
            ? new ZombieTransactions(applicationId, topology, System::currentTimeMillis)
            : null;
    Properties streamsProperties = new Properties();
    streamsProperties.putAll(properties);
    if (zombies != null) {
      // the assignor (FailoverTaskAssignor, configured from the main consumer's configuration)
      // tells it who is in the group
      streamsProperties.put(
          StreamsConfig.mainConsumerPrefix(FailoverTaskAssignor.LISTENER_CONFIG), zombies);
    }
    this.streams = new KafkaStreams(topology, streamsProperties);
    if (zombies != null) {
      streams.setGlobalStateRestoreListener(zombies);
    }
    streams.setUncaughtExceptionHandler(
        exception -> {
          health.threadReplaced();
          log.error(
              "Stream thread of {} died ({} replaced so far); replacing it",
              applicationId,
              health.totalReplacements(),
              exception);
          return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    streams.setStateListener(
        (newState, oldState) -> log.info("{}: {} -> {}", applicationId, oldState, newState));
  }

  public StreamsService start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException(applicationId + " already started");
    }
    startBrokerProbe();
    streams.start();
    startZombieWatch();
    return this;
  }

  /**
   * Every half second, and at once when a store starts restoring: notes the tasks that arrived
   * here, and while one is new, fences what its killed previous owner left open ({@link
   * ZombieTransactions}).
   */
  private void startZombieWatch() {
    if (zombies == null) {
      return;
    }
    zombieWatch = daemonScheduler(applicationId + "-zombie-watch");
    zombieWatch.execute(
        () -> {
          while (!Thread.currentThread().isInterrupted()) {
            try {
              zombies.awaitWork(500);
              State state = streams.state();
              if (state == State.RUNNING || state == State.REBALANCING) {
                zombies.observe(ZombieTransactions.activeTasks(streams));
                zombies.lookOnce(admin, Duration.ofSeconds(5));
              }
            } catch (InterruptedException e) {
              return; // closing
            } catch (RuntimeException e) {
              log.debug("{}: zombie watch: {}", applicationId, e.toString());
            }
          }
        });
  }

  private static ScheduledExecutorService daemonScheduler(String threadName) {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, threadName);
          t.setDaemon(true);
          return t;
        });
  }

  /** Transactions of killed previous owners this instance fenced so far (0 unless exactly-once). */
  public long zombieTransactionsFenced() {
    return zombies == null ? 0 : zombies.fencedSoFar();
  }

  /** A daemon that asks the cluster for its nodes; each answer counts as "broker reached". */
  private void startBrokerProbe() {
    int timeoutMs = (int) Math.max(1, brokerProbeInterval.toMillis());
    Properties adminProps =
        GroupSession.adminProperties(properties, applicationId + "-health", timeoutMs);
    admin = Admin.create(adminProps);
    brokerProbe = daemonScheduler(applicationId + "-broker-probe");
    brokerProbe.scheduleWithFixedDelay(
        () -> {
          try {
            admin
                .describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                .nodes()
                .get(timeoutMs, TimeUnit.MILLISECONDS);
            health.brokerReached();
          } catch (Exception e) {
            if (e instanceof InterruptedException) {
              Thread.currentThread().interrupt();
            }
            log.debug("{}: broker not reached: {}", applicationId, e.toString());
          }
        },
        0,
        brokerProbeInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Blocks until the application is RUNNING; throws if it does not get there within {@code
   * timeout}.
   */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      KafkaStreams.State state = streams.state();
      if (state == KafkaStreams.State.RUNNING) {
        return;
      }
      if (state == KafkaStreams.State.ERROR
          || state == KafkaStreams.State.NOT_RUNNING
          || state == KafkaStreams.State.PENDING_SHUTDOWN
          || state == KafkaStreams.State.PENDING_ERROR) {
        throw new IllegalStateException(
            applicationId + " will not reach RUNNING: state is " + state);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            applicationId + " not RUNNING after " + timeout + ": state is " + state);
      }
      Thread.sleep(50);
    }
  }

  /**
   * Up while RUNNING or REBALANCING, no thread keeps dying and the broker answers ({@link
   * StreamsHealth}).
   */
  public boolean isHealthy() {
    return healthCheck().check().up();
  }

  public HealthCheck healthCheck() {
    return () -> health.status(streams.state(), applicationId);
  }

  /** Stream threads replaced since start (each after an exception no handler caught). */
  public long threadReplacements() {
    return health.totalReplacements();
  }

  /**
   * Binds Streams' client metrics (and its consumers', producers', RocksDB's) to {@code registry}.
   */
  public void bindMetrics(MeterRegistry registry) {
    KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
    binder.bindTo(registry);
    this.metrics = binder;
  }

  /** Closes this service when the JVM exits. */
  public StreamsService addShutdownHook() {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> close(DEFAULT_CLOSE_TIMEOUT), applicationId + "-shutdown"));
    return this;
  }

  public KafkaStreams streams() {
    return streams;
  }

  public String applicationId() {
    return applicationId;
  }

  /**
   * Closes, leaving the consumer group so the remaining instances take over this one's partitions
   * at once (instead of after the session timeout); waits up to {@code timeout}; returns whether
   * all threads stopped in time. Idempotent.
   */
  public boolean close(Duration timeout) {
    return close(timeout, true);
  }

  /**
   * Closes; {@code leaveGroup=false} keeps the membership for a quick restart of this same
   * instance.
   */
  public boolean close(Duration timeout, boolean leaveGroup) {
    if (!closed.compareAndSet(false, true)) {
      return true;
    }
    KafkaStreamsMetrics binder = metrics;
    if (binder != null) {
      binder.close();
    }
    if (zombieWatch != null) {
      zombieWatch.shutdownNow();
    }
    if (brokerProbe != null) {
      brokerProbe.shutdownNow();
      admin.close(Duration.ofSeconds(1));
    }
    boolean stopped =
        streams.close(
            CloseOptions.timeout(timeout)
                .withGroupMembershipOperation(
                    leaveGroup
                        ? CloseOptions.GroupMembershipOperation.LEAVE_GROUP
                        : CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));
    if (!stopped) {
      log.warn("{} did not stop within {}", applicationId, timeout);
    }
    return stopped;
  }

  @Override
  public void close() {
    close(DEFAULT_CLOSE_TIMEOUT);
  }
}
