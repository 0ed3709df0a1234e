package io.swarmsched.dtask;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.ConfigException;
import io.swarmsched.runtime.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Where the dtask API answers and which services stand behind it; built once from {@link Settings}
 * and validated, so a wrong value fails naming its key.
 *
 * @param ingestUrl heartbeat-ingest (heartbeats in, the host table out)
 * @param dispatcherUrl the dispatcher (its native jobs API places each schedule)
 * @param scheduleWait how long {@code POST /api/v1/schedule} waits for the placement before it
 *     answers 503 (3.5 s: a dtask client gives up after 5 s)
 * @param jobTimeout how long a placement is counted against its worker by the dispatcher. dtask
 *     workers report no job events: dtask counts a placement optimistically until the worker's next
 *     heartbeat (3 s) reports its real count. Here the placement is held this long (default 10 s,
 *     three heartbeats), after which the worker's own {@code current_tasks} is what counts.
 */
public record DtaskApiConfig(
    String host,
    int port,
    String ingestUrl,
    String dispatcherUrl,
    Duration scheduleWait,
    Duration jobTimeout) {

  public static final String PREFIX = "swarm.dtask.";
  public static final String INGEST_URL = PREFIX + "ingest.url";
  public static final String DISPATCHER_URL = PREFIX + "dispatcher.url";
  public static final String SCHEDULE_WAIT = PREFIX + "schedule.wait";
  public static final String JOB_TIMEOUT = PREFIX + "job.timeout";

  /** Beside the services' 8081–8084; dtask's own default, 8080, is the dashboard's in `up`. */
  public static final int DEFAULT_HTTP_PORT = 8085;

  public static final Map<String, String> SERVICE_DEFAULTS =
      Map.of(CommonKeys.HTTP_PORT, Integer.toString(DEFAULT_HTTP_PORT));

  public static DtaskApiConfig from(Settings s) {
    return new DtaskApiConfig(
        s.string(CommonKeys.HTTP_HOST, CommonKeys.DEFAULTS.get(CommonKeys.HTTP_HOST)),
        s.integer(CommonKeys.HTTP_PORT, DEFAULT_HTTP_PORT, 0, 65535),
        url(s, INGEST_URL, "http://127.0.0.1:8082"),
        url(s, DISPATCHER_URL, "http://127.0.0.1:8084"),
        s.duration(
            SCHEDULE_WAIT, Duration.ofMillis(3500), Duration.ofMillis(1), Duration.ofMinutes(1)),
        s.duration(JOB_TIMEOUT, Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofDays(7)));
  }

  private static String url(Settings s, String key, String dflt) {
    String v = s.string(key, dflt).strip();
    while (v.endsWith("/")) {
      v = v.substring(0, v.length() - 1);
    }
    try {
      URI u = URI.create(v);
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        throw new ConfigException(
            key, "must be an http(s) URL such as " + dflt + ", was '" + v + "'");
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          key, "must be an http(s) URL such as " + dflt + ", was '" + v + "'");
    }
    return v;
  }
}
