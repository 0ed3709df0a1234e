package io.swarmsched.runtime.streams;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group session of a Streams service: as short as the cluster allows, at least {@link
 * #FLOOR_MS}. A killed instance is noticed after {@code session.timeout.ms}; a broker refuses a
 * member that asks for less than its {@code group.min.session.timeout.ms} (Kafka's default 6 s). So
 * unless the user set the session ({@code swarm.streams.session.timeout.ms}, or the consumer-
 * prefixed keys), {@link StreamsProps#base} marks the properties with {@link #AUTO_KEY} and {@link
 * StreamsService} asks the brokers at start-up (Admin {@code describeConfigs}) for their minimum:
 * the session becomes {@code max(FLOOR_MS, the largest minimum)} and the heartbeat a quarter of it
 * (unless the user set {@code heartbeat.interval.ms}). When the brokers cannot be asked (not up
 * within {@link #QUERY_TIMEOUT}, or no permission to describe their configuration) the {@link
 * StreamsProps#FAILOVER_DEFAULTS} stay: a 6 s session, which every broker accepts by default.
 *
 * <p>The local cluster and the chaos cluster allow 4 s; measured in docs/reliability.md ("Failover
 * of a killed dispatcher").
 */
public final class GroupSession {
  private GroupSession() {}

  private static final Logger log = LoggerFactory.getLogger(GroupSession.class);

  /** Marker (removed before Streams sees the properties): the session is ours to choose. */
  public static final String AUTO_KEY = "swarmsched.group.session.auto";

  /**
   * The shortest session chosen: below it a stall of a loaded machine (GC, CPU starvation of the
   * heartbeat thread) would evict a living member more often than it speeds up a failover.
   */
  public static final int FLOOR_MS = 4000;

  /** How long start-up waits for the brokers' answer before keeping the safe default. */
  public static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);

  /** The broker setting read. */
  public static final String BROKER_MIN_SESSION = "group.min.session.timeout.ms";

  /** Keys by which a user sets the session (any of them: we leave the session alone). */
  static final List<String> SESSION_KEYS =
      List.of(
          "session.timeout.ms", "consumer.session.timeout.ms", "main.consumer.session.timeout.ms");

  static final List<String> HEARTBEAT_KEYS =
      List.of(
          "heartbeat.interval.ms",
          "consumer.heartbeat.interval.ms",
          "main.consumer.heartbeat.interval.ms");

  /**
   * Whether the user's {@code swarm.streams.*} settings (prefix removed) leave the session open.
   */
  static boolean isAuto(Map<String, String> userStreamsSettings) {
    return SESSION_KEYS.stream().noneMatch(userStreamsSettings::containsKey);
  }

  /**
   * The session for brokers whose {@code group.min.session.timeout.ms} are {@code brokerMinimum}
   * (empty: unknown, then {@code fallbackMs}).
   */
  static int choose(OptionalInt brokerMinimum, int fallbackMs) {
    return brokerMinimum.isPresent() ? Math.max(FLOOR_MS, brokerMinimum.getAsInt()) : fallbackMs;
  }

  /**
   * If {@code props} carry {@link #AUTO_KEY}: removes it, asks the brokers and sets {@code
   * session.timeout.ms} (and {@code heartbeat.interval.ms}, a quarter of it, unless the user set
   * it). Otherwise leaves {@code props} as they are.
   */
  static void resolve(Properties props, String applicationId) {
    Object auto = props.remove(AUTO_KEY);
    if (auto == null || !Boolean.parseBoolean(auto.toString())) {
      return;
    }
    boolean userHeartbeat = Boolean.parseBoolean(String.valueOf(props.remove(HEARTBEAT_USER_KEY)));
    int fallback = Integer.parseInt(props.getProperty("session.timeout.ms", "6000"));
    long started = System.nanoTime();
    OptionalInt minimum = brokerMinimum(props, applicationId);
    int session = choose(minimum, fallback);
    props.put("session.timeout.ms", Integer.toString(session));
    if (!userHeartbeat) {
      props.put("heartbeat.interval.ms", Integer.toString(session / 4));
    }
    log.info(
        "{}: group session {} ms, heartbeat {} ms (brokers' {}: {}; asked in {} ms)",
        applicationId,
        session,
        props.get("heartbeat.interval.ms"),
        BROKER_MIN_SESSION,
        minimum.isPresent() ? minimum.getAsInt() + " ms" : "not known, the safe default kept",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /** Marker: the user set the heartbeat (removed with {@link #AUTO_KEY}). */
  static final String HEARTBEAT_USER_KEY = "swarmsched.group.heartbeat.user";

  /** The largest {@code group.min.session.timeout.ms} of the cluster's brokers, if they answer. */
  private static OptionalInt brokerMinimum(Properties props, String applicationId) {
    int timeoutMs = (int) QUERY_TIMEOUT.toMillis();
    Properties adminProps = adminProperties(props, applicationId + "-session", timeoutMs);
    long deadline = System.nanoTime() + QUERY_TIMEOUT.toNanos();
    Admin admin = Admin.create(adminProps);
    try {
      List<ConfigResource> brokers =
          admin
              .describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
              .nodes()
              .get(remaining(deadline), TimeUnit.MILLISECONDS)
              .stream()
              .map(Node::idString)
              .map(id -> new ConfigResource(ConfigResource.Type.BROKER, id))
              .collect(Collectors.toList());
      Map<ConfigResource, Config> configs =
          admin
              .describeConfigs(
                  brokers, new DescribeConfigsOptions().timeoutMs((int) remaining(deadline)))
              .all()
              .get(remaining(deadline), TimeUnit.MILLISECONDS);
      return configs.values().stream()
          .map(c -> c.get(BROKER_MIN_SESSION))
          .filter(e -> e != null && e.value() != null)
          .map(ConfigEntry::value)
          .mapToInt(Integer::parseInt)
          .max();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalInt.empty();
    } catch (Exception e) {
      log.warn(
          "{}: could not read the brokers' {} ({}); keeping the default session",
          applicationId,
          BROKER_MIN_SESSION,
          e.toString());
      return OptionalInt.empty();
    } finally {
      admin.close(Duration.ofSeconds(1));
    }
  }

  /**
   * Properties for a small admin client beside Streams: the Streams properties' admin keys
   * (bootstrap servers, security), {@code clientId}, and {@code timeoutMs} for each request and
   * call.
   */
  static Properties adminProperties(Properties streamsProps, String clientId, int timeoutMs) {
    Properties adminProps = new Properties();
    for (String name : AdminClientConfig.configNames()) {
      Object value = streamsProps.get(name);
      if (value != null) {
        adminProps.put(name, value);
      }
    }
    adminProps.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
    adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    return adminProps;
  }

  private static long remaining(long deadlineNanos) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }
}
