package io.swarmsched.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a chaos run does.
 *
 * @param requests schedule requests to send (each with its own request id)
 * @param rate requests per second
 * @param hosts hosts that heartbeat (every 3 s, from before the first request to the end)
 * @param tasks tasks the requests are spread over (round robin), so every partition gets requests
 * @param dispatchers dispatcher processes (one of them is killed)
 * @param killDispatcherAt share of the requests sent when a dispatcher is killed ({@code kill -9})
 * @param killBrokerAt share of the requests sent when a broker is killed ({@code kill -9})
 * @param brokerDownFor how long the killed broker stays down before it is restarted
 * @param drainTimeout how long to wait, after the last request, for every decision
 * @param workDir broker data, service state and logs (a fresh directory per run)
 * @param outDir where report.json and report.txt go, if anywhere
 * @param serviceSettings extra {@code swarm.*} settings for every service (e.g. failover tuning)
 * @param seed seeds the choice of requesting hosts
 */
public record ChaosOptions(
    int requests,
    int rate,
    int hosts,
    int tasks,
    int dispatchers,
    double killDispatcherAt,
    double killBrokerAt,
    Duration brokerDownFor,
    Duration drainTimeout,
    Path workDir,
    Optional<Path> outDir,
    Map<String, String> serviceSettings,
    long seed) {
  /** Requests per second of a run unless told otherwise. */
  public static final int DEFAULT_RATE = 150;

  public static final int BROKERS = 3;
  public static final int REPLICATION = 3;
  public static final int MIN_INSYNC = 2;

  public ChaosOptions {
    require(requests >= 100, "--requests must be at least 100, not " + requests);
    require(rate >= 1, "--rate must be positive, not " + rate);
    require(hosts >= 2, "--hosts must be at least 2, not " + hosts);
    require(tasks >= 1, "--tasks must be positive, not " + tasks);
    require(
        dispatchers >= 2 && dispatchers <= 5,
        "--dispatchers must be 2 to 5 (one is killed), not " + dispatchers);
    require(
        killDispatcherAt > 0 && killDispatcherAt < 1,
        "the dispatcher kill must come mid-stream (0 < share < 1)");
    require(
        killBrokerAt > 0 && killBrokerAt < 1,
        "the broker kill must come mid-stream (0 < share < 1)");
    require(!brokerDownFor.isNegative(), "--broker-down must not be negative");
    require(drainTimeout.toSeconds() >= 1, "--drain-timeout must be at least 1 s");
    serviceSettings = Map.copyOf(new LinkedHashMap<>(serviceSettings));
    serviceSettings
        .keySet()
        .forEach(
            k -> require(k.startsWith("swarm."), "service settings are swarm.* keys, not " + k));
    workDir = workDir.toAbsolutePath().normalize();
  }

  /**
   * 100,000 requests at 150/s from 500 hosts over 1,000 tasks, three dispatchers. 150/s is what the
   * two dispatchers left after the kill carry, exactly-once, beside three brokers on a 2-core
   * machine; at 300/s they fall behind after the kill and every later recovery is measured on a
   * backlog (docs/reliability.md, "Chaos run").
   */
  public static ChaosOptions defaults(Path workDir) {
    return new ChaosOptions(
        100_000,
        DEFAULT_RATE,
        500,
        1_000,
        3,
        0.3,
        0.6,
        Duration.ofSeconds(20),
        Duration.ofSeconds(300),
        workDir,
        Optional.empty(),
        Map.of(),
        42);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
