package io.swarmsched.simulator;

import io.swarmsched.scheduling.evaluator.RandomEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Runs scenarios under policies and judges them: each row against its scenario's thresholds, and
 * the comparisons the targets name (a policy against {@code random} at p99 on {@code
 * skewed}, sampled stage 1 against a full scan, the DAG rule against the history DAG for the seed's
 * first child).
 */
public final class Simulation {

  /** Policies must be this much faster than random at p99 on the skewed swarm. */
  public static final double FASTER_THAN_RANDOM = 0.20;

  /**
   * Sampled stage 1 must be within this of a full scan at p99: at most this much slower (faster is
   * fine; the target is that sampling costs no quality).
   */
  public static final double SAMPLING_TOLERANCE = 0.05;

  /**
   * How much later than with the history DAG the seed's first child may finish with the DAG rule:
   * the check is that the rule does not starve it, and since rule 5 lets a requester take a
   * downstream peer with more pieces the two finish it within a few tenths of a second of each
   * other (10.7 and 10.5 s on the 8-host scenario), a difference a strict comparison would call a
   * failure.
   */
  public static final double FIRST_CHILD_TOLERANCE = 0.05;

  /** One run and its verdict. */
  public record Row(SimResult result, String variant, List<String> misses) {
    public boolean ok() {
      return misses.isEmpty();
    }
  }

  /** A target that compares two runs. */
  public record Comparison(String scenario, String text, boolean ok) {}

  public record Results(List<Row> rows, List<Comparison> comparisons) {
    public boolean allOk() {
      return rows.stream().allMatch(Row::ok) && comparisons.stream().allMatch(Comparison::ok);
    }
  }

  private Simulation() {}

  /**
   * @param progress told one line per run started (and the runs' own progress), may be null
   */
  public static Results run(
      List<Scenario> scenarios, List<String> policies, SimOptions base, Consumer<String> progress) {
    Consumer<String> say = progress == null ? s -> {} : progress;
    List<Row> rows = new ArrayList<>();
    List<Comparison> comparisons = new ArrayList<>();
    for (Scenario sc : scenarios) {
      switch (sc.name()) {
        case Scenarios.SAMPLING -> {
          for (String policy : policies) {
            Row sampled =
                one(
                    sc,
                    base.withCandidateLimit(base.candidateLimit() <= 0 ? 40 : base.candidateLimit())
                        .withPolicyOf(policy),
                    "sampled",
                    say);
            Row full = one(sc, base.withCandidateLimit(0).withPolicyOf(policy), "full scan", say);
            rows.add(sampled);
            rows.add(full);
            double diff = (sampled.result().p99() - full.result().p99()) / full.result().p99();
            comparisons.add(
                new Comparison(
                    sc.name(),
                    String.format(
                        Locale.ROOT,
                        "%s: sampled p99 %.2f s vs full scan %.2f s (%+.1f%%, target at most %.0f%% slower); "
                            + "%.1f vs %.1f candidates examined per request",
                        policy,
                        sampled.result().p99(),
                        full.result().p99(),
                        100 * diff,
                        100 * SAMPLING_TOLERANCE,
                        sampled.result().meanExamined(),
                        full.result().meanExamined()),
                    diff <= SAMPLING_TOLERANCE));
          }
        }
        case Scenarios.FIRST_CHILD -> {
          for (String policy : policies) {
            Row rule = one(sc, base.withHistoryDag(false).withPolicyOf(policy), "dag rule", say);
            Row history =
                one(sc, base.withHistoryDag(true).withPolicyOf(policy), "history dag", say);
            rows.add(rule);
            rows.add(history);
            comparisons.add(
                new Comparison(
                    sc.name(),
                    String.format(
                        Locale.ROOT,
                        "%s: seed's first child finished %s with the rule (%d of %d requests for more "
                            + "brought none), %s with the history DAG (%d of %d)",
                        policy,
                        rank(rule.result()),
                        rule.result().emptyMoreRequests(),
                        rule.result().requests(),
                        rank(history.result()),
                        history.result().emptyMoreRequests(),
                        history.result().requests()),
                    rule.result().firstChildSeconds()
                            <= history.result().firstChildSeconds() * (1 + FIRST_CHILD_TOLERANCE)
                        || Double.isNaN(history.result().firstChildSeconds())));
          }
        }
        default -> {
          List<Row> mine = new ArrayList<>();
          for (String policy : policies) {
            Row r = one(sc, base.withPolicyOf(policy), "", say);
            mine.add(r);
            rows.add(r);
          }
          if (sc.name().equals("skewed")) {
            Row random =
                mine.stream()
                    .filter(r -> r.result().policy().equals(RandomEvaluator.NAME))
                    .findFirst()
                    .orElse(null);
            for (Row r : mine) {
              if (random == null || r == random) {
                continue;
              }
              double faster = 1.0 - r.result().p99() / random.result().p99();
              comparisons.add(
                  new Comparison(
                      sc.name() + "/" + sc.hosts(),
                      String.format(
                          Locale.ROOT,
                          "%s vs random at p99: %.2f s vs %.2f s, %.0f%% faster (target >= %.0f%%)",
                          r.result().policy(),
                          r.result().p99(),
                          random.result().p99(),
                          100 * faster,
                          100 * FASTER_THAN_RANDOM),
                      faster >= FASTER_THAN_RANDOM));
            }
          }
        }
      }
    }
    return new Results(rows, comparisons);
  }

  private static String rank(SimResult r) {
    return r.firstChildRank() == 0
        ? "never"
        : String.format(Locale.ROOT, "#%d in %.1f s", r.firstChildRank(), r.firstChildSeconds());
  }

  private static Row one(Scenario sc, SimOptions o, String variant, Consumer<String> say) {
    say.accept(
        String.format(
            Locale.ROOT,
            "running %s (%d hosts, %s) with %s%s",
            sc.name(),
            sc.hosts(),
            Report.size(sc.fileBytes()),
            o.policy(),
            variant.isEmpty() ? "" : " (" + variant + ")"));
    SimResult r =
        new Swarm(sc, o, t -> say.accept(String.format(Locale.ROOT, "  ... %.0f s simulated", t)))
            .run();
    return new Row(r, variant, misses(sc, r));
  }

  /** The thresholds the run missed; empty when OK. */
  static List<String> misses(Scenario sc, SimResult r) {
    List<String> out = new ArrayList<>();
    if (r.unfinished() > 0) {
      out.add(r.unfinished() + " unfinished");
    }
    if (r.completions().length == 0) {
      out.add("nobody finished");
      return out;
    }
    if (r.p50() / r.bound() > sc.p50Max()) {
      out.add(String.format(Locale.ROOT, "p50 %.2fx > %.1fx", r.p50() / r.bound(), sc.p50Max()));
    }
    if (r.p99() / r.bound() > sc.p99Max()) {
      out.add(String.format(Locale.ROOT, "p99 %.2fx > %.1fx", r.p99() / r.bound(), sc.p99Max()));
    }
    if (sc.seedMaxFiles() >= 0 && r.seedFiles() > sc.seedMaxFiles()) {
      out.add(String.format(Locale.ROOT, "seed %.2fx > %.1fx", r.seedFiles(), sc.seedMaxFiles()));
    }
    return out;
  }
}
