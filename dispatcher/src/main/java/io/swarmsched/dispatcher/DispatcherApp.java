package io.swarmsched.dispatcher;

import io.swarmsched.dispatcher.http.DispatcherHttp;
import io.swarmsched.dispatcher.http.JobRoutes;
import io.swarmsched.dispatcher.http.TaskListRoutes;
import io.swarmsched.dispatcher.metrics.DecisionMetrics;
import io.swarmsched.dispatcher.metrics.JobMetrics;
import io.swarmsched.dispatcher.metrics.TaskGauges;
import io.swarmsched.dispatcher.state.HostIndex;
import io.swarmsched.dispatcher.topology.DispatcherTopology;
import io.swarmsched.runtime.auth.HostKeyPair;
import io.swarmsched.runtime.auth.ServiceKeys;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.query.AllInstances;
import io.swarmsched.runtime.query.KeyQueryRouter;
import io.swarmsched.runtime.streams.StreamsProps;
import io.swarmsched.runtime.streams.StreamsService;
import io.swarmsched.schemas.HostKey;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.serde.SpecificAvroSerde;
import io.swarmsched.topics.Topics;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher process: the Streams topology, its HTTP API (schedule, decisions, tasks, health,
 * metrics) and the producer behind POST /api/v1/schedule. {@link #start(Settings)} is what the CLI
 * and the local cluster call; {@link #main(String[])} runs it alone.
 */
public final class DispatcherApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DispatcherApp.class);

  private final DispatcherConfig config;
  private final StreamsService streams;
  private final HttpApi http;
  private final Producer<String, ScheduleRequest> producer;
  private final Producer<String, JobEvent> jobProducer;

  private DispatcherApp(
      DispatcherConfig config,
      StreamsService streams,
      HttpApi http,
      Producer<String, ScheduleRequest> producer,
      Producer<String, JobEvent> jobProducer) {
    this.config = config;
    this.streams = streams;
    this.http = http;
    this.producer = producer;
    this.jobProducer = jobProducer;
  }

  /**
   * Settings for a standalone process: {@link DispatcherConfig#SERVICE_DEFAULTS} under file, env
   * and flags.
   */
  public static Settings settings(String[] args) {
    return Settings.load(args, System.getenv(), DispatcherConfig.SERVICE_DEFAULTS);
  }

  public static void main(String[] args) {
    DispatcherApp app;
    try {
      app = start(settings(args));
    } catch (IllegalArgumentException e) {
      // ConfigException among them: the message names the key and where its value came from
      System.err.println("dispatcher: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      System.err.println("dispatcher: cannot start: " + e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "dispatcher-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The dispatcher's own Kafka Streams defaults, over the common ones ({@link
   * StreamsProps#FAILOVER_DEFAULTS}) and under the user's {@code swarm.streams.<key>}:
   *
   * <ul>
   *   <li>{@link StreamsProps#BACKLOG_FAIRNESS}: small polls and fetches, so that a survivor's
   *       taken-over backlog does not starve its own partitions;
   *   <li>{@code max.task.idle.ms} -1 (Streams: 0): a task processes what it has buffered without
   *       first learning whether its empty input partitions (requests, peer events, piece events of
   *       the same task partition) have data on the broker. With 0, a partition the dispatcher has
   *       just taken over is not processed until the consumer knows the lag of each of its empty
   *       partitions, and a stream thread asks only once per poll loop, which under load lasts a
   *       second or more: the survivor decided its first taken-over request 1.2-7.5 s after it was
   *       {@code RUNNING}, and a dispatcher kill took 7.0-14.4 s to recover; with -1, within
   *       0.1-0.6 s and 5.9-6.8 s (docs/reliability.md, "max.task.idle.ms -1"). What -1 gives up is
   *       timestamp order across a task's topics while one of them is behind: in the demo, where
   *       the dispatcher lags seconds behind the piece events, a request is decided 0.8-1.3 s
   *       sooner on what it has processed so far instead of after the older piece events, and more
   *       often finds nobody new ({@code FAILED NO_MORE_PARENTS}, which the agent asks again
   *       after). The decision clock never goes back ({@code PartitionClock}); {@code
   *       swarmsched_dispatch_inputs_total{order="behind"}} counts the records taken out of order.
   * </ul>
   */
  public static final java.util.Map<String, String> STREAMS_DEFAULTS;

  static {
    java.util.Map<String, String> m = new java.util.LinkedHashMap<>(StreamsProps.BACKLOG_FAIRNESS);
    m.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
    STREAMS_DEFAULTS = java.util.Collections.unmodifiableMap(m);
  }

  /**
   * Starts HTTP first (its port becomes application.server), then Streams; returns once both are
   * up.
   */
  public static DispatcherApp start(Settings settings) throws Exception {
    DispatcherConfig config = DispatcherConfig.from(settings);
    HttpApi http = HttpApi.create(settings).start();
    String advertised = StreamsProps.applicationServer(settings).orElse("localhost:" + http.port());

    // swarm.processing.guarantee is exactly_once_v2 unless set otherwise (CommonKeys): one decision
    // per request survives an instance's death only when outputs commit with their inputs
    // small polls and fetches, and no waiting for empty input partitions (STREAMS_DEFAULTS)
    Properties props = StreamsProps.base(config.applicationId(), settings, STREAMS_DEFAULTS);
    props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, advertised);
    props.put(
        DecisionMetrics.CONFIG_KEY,
        new DecisionMetrics(http.meterRegistry())); // read by ObservedDispatch
    // the dispatcher's own key, for the peer events it writes naming a host (patrol LEFT):
    // bound under a reserved service id so that they pass the host checks (docs/design.md,
    // "Security")
    HostKeyPair serviceKey =
        HostKeyPair.loadOrCreate(
            Path.of(
                    settings.string(
                        CommonKeys.STATE_DIR, CommonKeys.DEFAULTS.get(CommonKeys.STATE_DIR)))
                .resolve("dispatcher-service-key"));
    publishServiceKey(settings, config, serviceKey);
    props.put(JobMetrics.CONFIG_KEY, new JobMetrics(http.meterRegistry())); // read by the job pool
    HostIndex index = new HostIndex();
    StreamsService streams =
        new StreamsService(DispatcherTopology.build(config, index, serviceKey), props);

    Properties producerProps = new Properties();
    producerProps.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.string(CommonKeys.BOOTSTRAP_SERVERS));
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    producerProps.put(
        ProducerConfig.CLIENT_ID_CONFIG,
        config.applicationId() + "-http-" + CommonKeys.instanceId(settings));
    io.swarmsched.runtime.config.KafkaSecurity.apply(settings, producerProps);
    Producer<String, ScheduleRequest> producer =
        new KafkaProducer<>(
            producerProps,
            new StringSerializer(),
            // the gateway's principal header, sealed so the stream can tell it from a forged one
            config
                .principalSeal()
                .sealing(
                    SpecificAvroSerde.of(ScheduleRequest.class, config.serdeConfig())
                        .serializer()));

    Properties jobProducerProps = new Properties();
    jobProducerProps.putAll(producerProps);
    jobProducerProps.put(
        ProducerConfig.CLIENT_ID_CONFIG,
        producerProps.get(ProducerConfig.CLIENT_ID_CONFIG) + "-jobs");
    Producer<String, JobEvent> jobProducer =
        new KafkaProducer<>(
            jobProducerProps,
            new StringSerializer(),
            // HTTP submissions and cancels speak for a job's requester: signed by the service
            // key, which the job pool accepts for any host (docs/design.md, "Security")
            new io.swarmsched.runtime.auth.SigningSerializer<>(
                SpecificAvroSerde.of(JobEvent.class, config.serdeConfig()).serializer(),
                serviceKey));

    DispatcherApp app = new DispatcherApp(config, streams, http, producer, jobProducer);
    try {
      streams.start();
      streams.bindMetrics(http.meterRegistry());
      http.registerHealthCheck("streams", streams.healthCheck());
      new DispatcherHttp(
              config,
              KeyQueryRouter.create(streams.streams(), advertised),
              AllInstances.create(streams.streams(), advertised),
              producer,
              index::binding)
          .register(http);
      TaskListRoutes.register(http, streams.streams(), advertised);
      new JobRoutes(KeyQueryRouter.create(streams.streams(), advertised), index, jobProducer)
          .register(http);
      TaskGauges.bind(http.meterRegistry(), streams.streams(), advertised);
      log.info(
          "Dispatcher {} up: HTTP on {}, policy {}, {}",
          config.applicationId(),
          advertised,
          config.policy(),
          props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
      return app;
    } catch (Exception e) {
      app.close();
      throw e;
    }
  }

  /**
   * Binds {@code service:dispatcher:<key id>} to the key on swarm.host-keys.v1 (idempotent; the id
   * is per key, so instances never overwrite each other's). Without it the patrol's LEFT events for
   * bound hosts would be dead-lettered when they come back in: logged, not fatal.
   */
  private static void publishServiceKey(
      Settings settings, DispatcherConfig config, HostKeyPair key) {
    String id = ServiceKeys.bindingId("dispatcher", key.keyId());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.string(CommonKeys.BOOTSTRAP_SERVERS));
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-service-key");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    HostKey binding =
        HostKey.newBuilder()
            .setHostId(id)
            .setPublicKey(ByteBuffer.wrap(key.publicKey()))
            .setBoundAt(Instant.now())
            .setBoundBy("service")
            .build();
    try (Producer<String, HostKey> producer =
        new KafkaProducer<>(
            p,
            new StringSerializer(),
            SpecificAvroSerde.of(HostKey.class, config.serdeConfig()).serializer())) {
      producer
          .send(new ProducerRecord<>(Topics.HOST_KEYS.name(), id, binding))
          .get(30, TimeUnit.SECONDS);
      log.info("dispatcher service key {} bound as {}", key.keyId(), id);
    } catch (Exception e) {
      log.warn(
          "could not bind the dispatcher's service key as {} on {}: the patrol's LEFT events for"
              + " bound hosts will be dead-lettered",
          id,
          Topics.HOST_KEYS.name(),
          e);
    }
  }

  public DispatcherConfig config() {
    return config;
  }

  public StreamsService streams() {
    return streams;
  }

  public HttpApi http() {
    return http;
  }

  public String url() {
    return http.localUrl();
  }

  /** Waits until Streams is RUNNING. */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    streams.awaitRunning(timeout);
  }

  /**
   * Stops the way a killed process looks to the others: no leave-group, so they take over its
   * partitions only after the session times out. For failover tests.
   */
  public void crash() {
    try {
      http.close();
    } finally {
      try {
        streams.close(Duration.ofSeconds(30), false);
      } finally {
        producer.close(Duration.ZERO);
        jobProducer.close(Duration.ZERO);
      }
    }
  }

  @Override
  public void close() {
    try {
      http.close();
    } finally {
      try {
        streams.close(Duration.ofSeconds(30));
      } finally {
        producer.close(Duration.ofSeconds(5));
        jobProducer.close(Duration.ofSeconds(5));
      }
    }
  }
}
