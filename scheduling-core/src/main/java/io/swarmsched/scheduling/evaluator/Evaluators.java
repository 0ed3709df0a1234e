package io.swarmsched.scheduling.evaluator;

import java.util.List;
import java.util.Locale;

/** Chooses a policy by its configured name. */
public final class Evaluators {

    public static final List<String> NAMES = List.of(LoadAwareEvaluator.NAME, RandomEvaluator.NAME);

    private Evaluators() {
    }

    /**
     * @param name {@code load-aware} or {@code random}
     * @throws IllegalArgumentException naming the accepted values for anything else
     */
    public static Evaluator byName(String name, EvaluatorWeights weights) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case LoadAwareEvaluator.NAME -> new LoadAwareEvaluator(weights);
            case RandomEvaluator.NAME -> new RandomEvaluator();
            default -> throw new IllegalArgumentException("unknown evaluator policy '" + name + "', expected one of "
                    + NAMES);
        };
    }
}
