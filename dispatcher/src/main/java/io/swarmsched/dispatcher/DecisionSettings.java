package io.swarmsched.dispatcher;

import static io.swarmsched.dispatcher.DispatcherConfig.APPLICATION_ID;
import static io.swarmsched.dispatcher.DispatcherConfig.CANDIDATE_LIMIT;
import static io.swarmsched.dispatcher.DispatcherConfig.HTTP_DECISION_WAIT;
import static io.swarmsched.dispatcher.DispatcherConfig.MAX_PARENTS;
import static io.swarmsched.dispatcher.DispatcherConfig.POLICY;
import static io.swarmsched.dispatcher.DispatcherConfig.SCHEMA_REGISTRY_URL;
import static io.swarmsched.dispatcher.DispatcherConfig.WEIGHT_HOST_TYPE;
import static io.swarmsched.dispatcher.DispatcherConfig.WEIGHT_IDC;
import static io.swarmsched.dispatcher.DispatcherConfig.WEIGHT_LOAD_QUALITY;
import static io.swarmsched.dispatcher.DispatcherConfig.WEIGHT_LOCATION;

import io.swarmsched.runtime.config.LoadQualitySettings;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a decision records of the dispatcher's settings (docs/design.md, "Replay, what-if and
 * simulation").
 */
final class DecisionSettings {
  private DecisionSettings() {}

  /** Recorded with every decision whatever their value: the policy's weights and limits. */
  static final Set<String> ALWAYS_RECORDED =
      Set.of(
          WEIGHT_IDC,
          WEIGHT_LOCATION,
          WEIGHT_LOAD_QUALITY,
          WEIGHT_HOST_TYPE,
          LoadQualitySettings.WEIGHT_PEAK,
          LoadQualitySettings.WEIGHT_DURATION,
          LoadQualitySettings.WEIGHT_CONCURRENCY,
          CANDIDATE_LIMIT,
          MAX_PARENTS);

  /** Settings that do not change what is decided: identity, wiring, an HTTP caller's wait. */
  private static final Set<String> NOT_DECIDING =
      Set.of(APPLICATION_ID, POLICY, SCHEMA_REGISTRY_URL, HTTP_DECISION_WAIT);

  /**
   * The settings each decision records in its provenance, so that a replay runs with what the live
   * dispatcher ran with (docs/design.md, "Replay, what-if and simulation"): {@link
   * #ALWAYS_RECORDED}, and every other setting that affects decisions when it is not its default
   * (all of them on every decision would make each decision several times larger).
   */
  static Map<String, String> of(DispatcherConfig config) {
    Map<String, String> defaults = DispatcherConfig.defaults().asMap();
    Map<String, String> out = new TreeMap<>();
    config
        .asMap()
        .forEach(
            (k, v) -> {
              if (NOT_DECIDING.contains(k)) return;
              if (ALWAYS_RECORDED.contains(k) || !v.equals(defaults.get(k))) out.put(k, v);
            });
    return out;
  }
}
