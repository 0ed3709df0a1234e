package io.swarmsched.ingest;

import io.swarmsched.ingest.http.HeartbeatGateway;
import io.swarmsched.ingest.http.HostKeyView;
import io.swarmsched.ingest.http.HostQueryRoutes;
import io.swarmsched.ingest.observe.DeadLetterTail;
import io.swarmsched.ingest.observe.HostGauges;
import io.swarmsched.ingest.topology.IngestConfig;
import io.swarmsched.ingest.topology.IngestTopology;
import io.swarmsched.ingest.validation.HeartbeatValidator;
import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.streams.StreamsProps;
import io.swarmsched.runtime.streams.StreamsService;
import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.serde.SpecificAvroSerde;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat-ingest service: the {@link IngestTopology} in Kafka Streams, plus an HTTP API with
 * the heartbeat gateway, host queries, {@code /health} and {@code /metrics}.
 *
 * <p>Start it alone with {@code java -cp ... io.swarmsched.ingest.HeartbeatIngestApp [--config
 * FILE] [--swarm.key=value ...]}, or embed it with {@link #start(Settings)}.
 */
public final class HeartbeatIngestApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatIngestApp.class);

  private final IngestConfig config;
  private final HttpApi http;
  private final StreamsService streams;
  private final Producer<String, byte[]> producer;

  /** Serves /api/v1/dead-letters and counts dead letters (set once at start). */
  private DeadLetterTail deadLetterTail;

  private HostKeyView keyView;

  private HeartbeatIngestApp(
      IngestConfig config,
      HttpApi http,
      StreamsService streams,
      Producer<String, byte[]> producer) {
    this.config = config;
    this.http = http;
    this.streams = streams;
    this.producer = producer;
  }

  /**
   * Settings for a standalone process: {@link IngestSettings#SERVICE_DEFAULTS} under file, env and
   * flags.
   */
  public static Settings settings(String[] args) {
    return Settings.load(args, System.getenv(), IngestSettings.SERVICE_DEFAULTS);
  }

  /**
   * Starts the HTTP API first (so an ephemeral port is known and can be advertised to other
   * instances as {@code application.server}), then the stream. Does not wait for RUNNING.
   */
  public static HeartbeatIngestApp start(Settings settings) throws Exception {
    IngestConfig config = IngestSettings.config(settings);
    HttpApi http = HttpApi.create(settings);
    Producer<String, byte[]> producer = null;
    StreamsService streams = null;
    DeadLetterTail tail = null;
    HostKeyView keyView = null;
    try {
      http.start();
      Settings effective =
          settings.optional(CommonKeys.HTTP_ADVERTISED).isPresent()
              ? settings
              : settings.with(CommonKeys.HTTP_ADVERTISED, "localhost:" + http.port());
      Properties props = StreamsProps.base(config.applicationId(), effective);
      streams = new StreamsService(IngestTopology.build(config), props);
      producer =
          new KafkaProducer<>(
              producerProps(effective), new StringSerializer(), new ByteArraySerializer());

      keyView = HostKeyView.start(effective);
      HeartbeatGateway gateway =
          new HeartbeatGateway(
              producer,
              SpecificAvroSerde.of(HostHeartbeat.class, config.serdeConfig()).serializer(),
              new HeartbeatValidator(config.limits()),
              config.maxHttpBodyBytes(),
              Clock.systemUTC(),
              keyView,
              config.principalSeal());
      http.post(HeartbeatGateway.PATH, gateway);
      HostQueryRoutes.register(
          http, streams.streams(), StreamsProps.applicationServer(effective).orElseThrow());
      http.registerHealthCheck("streams", streams.healthCheck());
      streams.bindMetrics(http.meterRegistry());
      HostGauges.bind(
          http.meterRegistry(),
          streams.streams(),
          StreamsProps.applicationServer(effective).orElseThrow());
      tail = DeadLetterTail.start(effective, http);
      streams.start();
      log.info(
          "heartbeat-ingest {} started: http {}, application.server {}",
          config.applicationId(),
          http.port(),
          props.get("application.server"));
      HeartbeatIngestApp app = new HeartbeatIngestApp(config, http, streams, producer);
      app.deadLetterTail = tail;
      app.keyView = keyView;
      return app;
    } catch (Exception | Error e) {
      if (tail != null) {
        tail.close();
      }
      if (keyView != null) {
        keyView.close();
      }
      if (streams != null) {
        streams.close(Duration.ofSeconds(10));
      }
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
      http.close();
      throw e;
    }
  }

  private static Properties producerProps(Settings settings) {
    Properties props = new Properties();
    props.put(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.string(CommonKeys.BOOTSTRAP_SERVERS));
    props.put(
        ProducerConfig.CLIENT_ID_CONFIG, "heartbeat-gateway-" + CommonKeys.instanceId(settings));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
    io.swarmsched.runtime.config.KafkaSecurity.apply(settings, props);
    return props;
  }

  public static void main(String[] args) throws Exception {
    HeartbeatIngestApp app;
    try {
      Settings settings = settings(args);
      if (!settings.unparsedArguments().isEmpty()) {
        System.err.println(
            "heartbeat-ingest: unknown arguments "
                + settings.unparsedArguments()
                + "; use --config FILE and --swarm.key=value");
        System.exit(2);
        return;
      }
      app = start(settings);
    } catch (ConfigException e) {
      System.err.println("heartbeat-ingest: " + e.getMessage());
      System.exit(2);
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
                "heartbeat-ingest-shutdown"));
    stopped.await();
  }

  public IngestConfig config() {
    return config;
  }

  public int httpPort() {
    return http.port();
  }

  /** http://127.0.0.1:PORT */
  public String url() {
    return http.localUrl();
  }

  public StreamsService streams() {
    return streams;
  }

  @Override
  public void close() {
    if (keyView != null) {
      keyView.close();
    }
    if (deadLetterTail != null) {
      deadLetterTail.close();
    }
    http.close();
    streams.close(Duration.ofSeconds(30));
    producer.close(Duration.ofSeconds(5));
  }
}
