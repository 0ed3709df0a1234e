package io.swarmsched.scheduling.evaluator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The registry of scoring policies by name: adding a policy is one {@link Evaluator} class and one
 * {@link #register} line (the built-ins below). The dispatcher's {@code policy} key, the simulator
 * and the benchmarks all resolve names here, so any registered name is accepted everywhere.
 */
public final class Evaluators {

  /** Makes a policy from the configured TotalScore weights (a policy may ignore them). */
  @FunctionalInterface
  public interface Factory {
    Evaluator create(EvaluatorWeights weights);
  }

  private static final Map<String, Factory> REGISTRY = new LinkedHashMap<>();

  static {
    register(LoadAwareEvaluator.NAME, LoadAwareEvaluator::new);
    register(RandomEvaluator.NAME, w -> new RandomEvaluator());
    register(GiveAwareEvaluator.NAME, GiveAwareEvaluator::new);
    register(DragonflyEvaluator.NAME, w -> new DragonflyEvaluator());
    register(SeedLastEvaluator.NAME, SeedLastEvaluator::new);
    register(LoadAwareEvaluator.DESIGN_NAME, w -> new LoadAwareEvaluator(w, false));
  }

  /** The built-in policies, in registration order. */
  public static final List<String> NAMES = List.copyOf(REGISTRY.keySet());

  /**
   * The policy a deployment gets when it configures none: DESIGN's {@code load-aware} formula,
   * which the swarm simulator shows fastest of the registered policies on the uniform and skewed
   * swarms (docs/benchmarks.md, "Swarm simulator"; the policies favouring a candidate's progress,
   * {@code give-aware} and {@code dragonfly}, concentrate children on the few peers that started
   * early and are slower there). Change it here only.
   */
  public static final String DEFAULT = LoadAwareEvaluator.NAME;

  private Evaluators() {}

  /**
   * Registers a policy under a lower-case name.
   *
   * @throws IllegalArgumentException when the name is blank, not lower-case, or taken
   */
  public static synchronized void register(String name, Factory factory) {
    Objects.requireNonNull(factory, "factory");
    if (name == null || name.isBlank() || !name.equals(name.trim().toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(
          "policy name must be lower-case and non-blank, was '" + name + "'");
    }
    if (REGISTRY.putIfAbsent(name, factory) != null) {
      throw new IllegalArgumentException("policy '" + name + "' is registered already");
    }
  }

  /** Every registered name, built-ins first. */
  public static synchronized List<String> names() {
    return new ArrayList<>(REGISTRY.keySet());
  }

  public static synchronized boolean isRegistered(String name) {
    return name != null && REGISTRY.containsKey(name.trim().toLowerCase(Locale.ROOT));
  }

  /**
   * @param name a registered policy name (case and surrounding blanks ignored)
   * @throws IllegalArgumentException naming the accepted values for anything else
   */
  public static Evaluator byName(String name, EvaluatorWeights weights) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    Factory f;
    synchronized (Evaluators.class) {
      f = REGISTRY.get(n);
    }
    if (f == null) {
      throw new IllegalArgumentException(
          "unknown evaluator policy '" + name + "', expected one of " + names());
    }
    return f.create(Objects.requireNonNull(weights, "weights"));
  }
}
