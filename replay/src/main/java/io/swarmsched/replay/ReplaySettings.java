package io.swarmsched.replay;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.registry.client.MockSchemaRegistry;
import io.swarmsched.scheduling.evaluator.Evaluators;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.ScheduleDecision;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

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

  static String mostCommonPolicyId(Iterable<ScheduleDecision> recorded) {
    return StreamSupport.stream(recorded.spliterator(), false)
        .filter(d -> d.getOutcome() != DecisionOutcome.REJECTED)
        .collect(Collectors.groupingBy(ScheduleDecision::getPolicyId, Collectors.counting()))
        .entrySet()
        .stream()
        .max(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .orElse(null);
  }
}
