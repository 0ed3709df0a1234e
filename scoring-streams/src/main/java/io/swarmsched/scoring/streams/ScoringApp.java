package io.swarmsched.scoring.streams;

import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import io.swarmsched.runtime.http.HttpApi;
import io.swarmsched.runtime.streams.StreamsProps;
import io.swarmsched.runtime.streams.StreamsService;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring-streams process: the {@link ScoringTopology} run by a {@link StreamsService}, plus
 * the score queries over HTTP. {@link #main} runs it alone; the CLI calls {@link #start(Settings)}.
 */
public final class ScoringApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ScoringApp.class);

  private final ScoringConfig config;
  private final StreamsService streams;
  private final HttpApi api;

  private ScoringApp(ScoringConfig config, StreamsService streams, HttpApi api) {
    this.config = config;
    this.streams = streams;
    this.api = api;
  }

  /**
   * Builds and starts the application: the HTTP API first (so an ephemeral port is known and can be
   * advertised as {@code application.server}), then Streams.
   */
  public static ScoringApp start(Settings settings) throws IOException {
    ScoringConfig config = ScoringSettings.config(settings);
    Properties props = StreamsProps.base(ScoringSettings.applicationId(settings), settings);
    checkCoPartitioning(config, props);
    HttpApi api = HttpApi.create(settings).start();
    try {
      String advertised =
          StreamsProps.applicationServer(settings).orElse("localhost:" + api.port());
      props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, advertised);
      StreamsService service = new StreamsService(ScoringTopology.build(config), props);
      service.bindMetrics(api.meterRegistry());
      api.registerHealthCheck("streams", service.healthCheck());
      ScoreQueries.register(api, service.streams(), advertised);
      service.start();
      log.info(
          "scoring-streams started: application {}, policy {}, HTTP on {}",
          service.applicationId(),
          config.policyId(),
          advertised);
      return new ScoringApp(config, service, api);
    } catch (RuntimeException e) {
      api.close();
      throw e;
    }
  }

  /**
   * The served-bytes repartition topic and the hosts topic must have the same number of partitions,
   * or a host's served bytes and its state would meet in different tasks. Checked against the
   * broker when the hosts topic exists; an unreachable broker is left to Streams to report.
   */
  static void checkCoPartitioning(ScoringConfig config, Properties props) {
    Map<String, Object> adminProps = new java.util.HashMap<>();
    // the Streams properties carry the security keys (KafkaSecurity); the admin needs them too
    for (String name : AdminClientConfig.configNames()) {
      if (props.get(name) != null) {
        adminProps.put(name, props.get(name));
      }
    }
    adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (Admin admin = Admin.create(adminProps)) {
      TopicDescription hosts =
          admin
              .describeTopics(java.util.List.of(config.hostsTopic()))
              .allTopicNames()
              .get()
              .get(config.hostsTopic());
      int partitions = hosts.partitions().size();
      if (partitions != config.repartitionPartitions()) {
        throw new ConfigException(
            ScoringSettings.REPARTITION_PARTITIONS,
            config.repartitionPartitions()
                + " differs from the "
                + partitions
                + " partitions of "
                + config.hostsTopic()
                + "; they must be equal so served bytes and host states are co-partitioned");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      log.warn(
          "could not check the partitions of {}: {}", config.hostsTopic(), e.getCause().toString());
    }
  }

  public ScoringConfig config() {
    return config;
  }

  public StreamsService streams() {
    return streams;
  }

  public int httpPort() {
    return api.port();
  }

  public void awaitRunning(Duration timeout) throws InterruptedException {
    streams.awaitRunning(timeout);
  }

  @Override
  public void close() {
    api.close();
    streams.close(StreamsService.DEFAULT_CLOSE_TIMEOUT);
  }

  /**
   * Settings for a standalone process: {@link ScoringSettings#SERVICE_DEFAULTS} under file, env and
   * flags.
   */
  public static Settings settings(String[] args) {
    return Settings.load(args, System.getenv(), ScoringSettings.SERVICE_DEFAULTS);
  }

  public static void main(String[] args) throws InterruptedException {
    Settings settings;
    ScoringApp app;
    try {
      settings = settings(args);
      app = start(settings);
    } catch (ConfigException e) {
      System.err.println("scoring-streams: " + e.getMessage());
      System.exit(2);
      return;
    } catch (IOException e) {
      System.err.println("scoring-streams: cannot start the HTTP API: " + e.getMessage());
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
                "scoring-shutdown"));
    stopped.await();
  }
}
