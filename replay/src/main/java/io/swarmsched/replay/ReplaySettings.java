package io.swarmsched.replay;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.scheduling.evaluator.Evaluators;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.DecisionProvenance;
import io.swarmsched.schemas.ScheduleDecision;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/** The policy and dispatcher settings a replay runs with, checked before anything is read. */
public final class ReplaySettings {
  private ReplaySettings() {}

  /** Keys a replay sets itself; {@code --set} may not. */
  static final Set<String> RESERVED =
      Set.of(DispatcherConfig.APPLICATION_ID, DispatcherConfig.SCHEMA_REGISTRY_URL);

  /** The policy name that produced a recorded policy id ("load-aware[...]/top4" → load-aware). */
  public static String policyName(String policyId) {
    if (policyId == null) return null;
    int cut = policyId.length();
    for (char c : new char[] {'[', '/'}) {
      int i = policyId.indexOf(c);
      if (i >= 0) cut = Math.min(cut, i);
    }
    return policyId.substring(0, cut);
  }

  /** The configuration a replay runs with; a wrong policy or key is a {@link ReplayException}. */
  public static DispatcherConfig config(String policy, Map<String, String> settings) {
    Set<String> known = DispatcherConfig.defaults().asMap().keySet();
    for (String key : settings.keySet()) {
      if (RESERVED.contains(key)) {
        throw new ReplayException("--set " + key + ": set by the replay itself");
      }
      if (!known.contains(key)) {
        throw new ReplayException(
            "unknown setting '"
                + key
                + "' (a dispatcher key such as "
                + DispatcherConfig.CANDIDATE_LIMIT
                + " or "
                + DispatcherConfig.WEIGHT_LOAD_QUALITY
                + "; see dispatcher/README.md)");
      }
    }
    if (policy != null && !Evaluators.isRegistered(policy)) {
      throw new ReplayException(
          "unknown policy '" + policy + "', expected one of " + Evaluators.names());
    }
    Map<String, String> values = new LinkedHashMap<>(settings);
    if (policy != null) values.put(DispatcherConfig.POLICY, policy.trim().toLowerCase(Locale.ROOT));
    values.put(DispatcherConfig.APPLICATION_ID, "swarmsched-replay");
    values.put(
        DispatcherConfig.SCHEMA_REGISTRY_URL,
        MockSchemaRegistry.MOCK_URL_PREFIX + "replay-" + UUID.randomUUID());
    try {
      return DispatcherConfig.from(values);
    } catch (RuntimeException e) {
      throw new ReplayException(e.getMessage(), e);
    }
  }

  /** Long enough for any request waiting at the end to fail or go back to source. */
  static Duration defaultDrain(DispatcherConfig c) {
    long rounds = (long) c.failAfterRounds() + 1;
    long retries = (long) (c.retryInterval().toMillis() * (1 + c.retryJitter()) * rounds);
    return Duration.ofMillis(Math.max(retries, c.seedWaitTimeout().toMillis()) + 2_000);
  }

  /**
   * What the recorded decisions say the live dispatcher ran with: the most common policy id, and
   * the policy and settings its decisions recorded in their provenance; for decisions from a
   * dispatcher that did not record them, the policy inferred from the policy id ({@code inferred}).
   */
  public record Recorded(
      String policyId, String policy, Map<String, String> settings, boolean inferred) {
    /** One sentence for the report: where the replay's settings came from. */
    public String describe(Map<String, String> overrides) {
      String set = overrides.isEmpty() ? "" : "; --set " + overrides + " on top";
      if (policyId == null) return "no decisions recorded: this version's defaults" + set;
      if (inferred) {
        return "not recorded with the decisions (made by a dispatcher from before they were):"
            + " policy "
            + policy
            + " inferred from the policy id "
            + policyId
            + ", this version's defaults for the rest"
            + set;
      }
      return "as the live dispatcher ran, recorded with its decisions: policy "
          + policy
          + ", "
          + settings
          + set;
    }
  }

  static Recorded recorded(Iterable<ScheduleDecision> decisions) {
    Map<String, Long> ids = new HashMap<>();
    Map<List<Object>, Long> runs = new HashMap<>();
    for (ScheduleDecision d : decisions) {
      if (d.getOutcome() == DecisionOutcome.REJECTED) continue; // made before any policy ran
      ids.merge(d.getPolicyId(), 1L, Long::sum);
      DecisionProvenance p = d.getProvenance();
      if (p != null && p.getPolicy() != null) {
        runs.merge(List.of(p.getPolicy(), new TreeMap<>(p.getSettings())), 1L, Long::sum);
      }
    }
    String policyId = mostCommon(ids);
    List<Object> run = mostCommon(runs);
    if (run == null) return new Recorded(policyId, policyName(policyId), Map.of(), true);
    @SuppressWarnings("unchecked")
    Map<String, String> settings = (Map<String, String>) run.get(1);
    return new Recorded(policyId, (String) run.get(0), settings, false);
  }

  /**
   * The settings a replay runs with: the recorded ones this version knows, then {@code overrides}
   * (--set) on top.
   */
  static Map<String, String> withRecorded(Recorded recorded, Map<String, String> overrides) {
    Set<String> known = DispatcherConfig.defaults().asMap().keySet();
    Map<String, String> out = new TreeMap<>();
    recorded
        .settings()
        .forEach(
            (k, v) -> {
              if (known.contains(k) && !RESERVED.contains(k)) out.put(k, v);
            });
    out.putAll(overrides);
    return out;
  }

  private static <K> K mostCommon(Map<K, Long> counts) {
    return counts.entrySet().stream()
        .max(
            Map.Entry.<K, Long>comparingByValue()
                .thenComparing(e -> e.getKey().toString())) // ties: the same answer every time
        .map(Map.Entry::getKey)
        .orElse(null);
  }
}
