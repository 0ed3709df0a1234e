package io.swarmsched.bench;

import io.swarmsched.runtime.config.CommonKeys;
import io.swarmsched.runtime.config.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings for a service started in-process by a benchmark: the run's broker and registry,
 * ephemeral HTTP port, own state dir.
 */
public final class ServiceSettings {
  private ServiceSettings() {}

  /** The services' {@code commit.interval.ms} unless the run overrides it. */
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 100;

  /** The {@code -D} property that overrides any service key ({@code bench.set.<key>}). */
  static final String OVERRIDE_PREFIX = "bench.set.";

  /**
   * The services' {@code commit.interval.ms} in this run: {@link #DEFAULT_COMMIT_INTERVAL_MS} or
   * {@code -Dbench.set.swarm.streams.commit.interval.ms}.
   */
  public static long commitIntervalMs() {
    String key = OVERRIDE_PREFIX + CommonKeys.STREAMS_PREFIX + "commit.interval.ms";
    String set = System.getProperty(key);
    if (set == null) return DEFAULT_COMMIT_INTERVAL_MS;
    try {
      long ms = Long.parseLong(set.trim());
      if (ms > 0) return ms;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be a positive number of ms, was '" + set + "'");
  }

  /**
   * @param defaults the service's own defaults layer (may be empty)
   * @param values benchmark-specific keys, applied as flags (highest precedence)
   */
  public static Settings of(
      BenchContext ctx, Path stateDir, Map<String, String> defaults, Map<String, String> values) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put(CommonKeys.BOOTSTRAP_SERVERS, ctx.bootstrapServers());
    all.put(CommonKeys.SCHEMA_REGISTRY_URL, ctx.registryUrl());
    all.putAll(ctx.securitySettings());
    all.put(CommonKeys.HTTP_PORT, "0");
    all.put(CommonKeys.HTTP_HOST, "127.0.0.1");
    all.put(CommonKeys.STATE_DIR, stateDir.toString());
    // progress is read from committed offsets: commit often under either guarantee
    all.put(
        CommonKeys.STREAMS_PREFIX + "commit.interval.ms",
        Long.toString(DEFAULT_COMMIT_INTERVAL_MS));
    all.putAll(values);
    // -Dbench.set.<key>=<value> overrides any service key for experiments (e.g.
    // -Dbench.set.streams.processing.guarantee=at_least_once)
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith(OVERRIDE_PREFIX))
        .forEach(k -> all.put(k.substring(OVERRIDE_PREFIX.length()), System.getProperty(k)));
    List<String> args = new ArrayList<>();
    all.forEach((k, v) -> args.add("--" + k + "=" + v));
    return Settings.load(args.toArray(String[]::new), Map.of(), defaults);
  }
}
