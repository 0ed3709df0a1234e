package io.swarmsched.scheduling.stats;

/**
 * The bad-parent rule of docs/design.md (filter rule 4, after Dragonfly's {@code IsBadParent}):
 * with fewer than {@code normalDistributionSamples} piece costs, a peer is bad when its last cost
 * exceeds {@code smallSampleFactor}× the mean of the earlier ones; with that many or more, when it
 * exceeds mean + {@code sigmas}·σ of the earlier ones (population σ). A peer with fewer than two
 * samples has nothing to compare and is never bad.
 */
public record BadParentRule(
    int normalDistributionSamples, double smallSampleFactor, double sigmas) {

  public static final BadParentRule DEFAULT = new BadParentRule(30, 20.0, 3.0);

  public BadParentRule {
    if (normalDistributionSamples < 2) {
      throw new IllegalArgumentException(
          "normalDistributionSamples must be >= 2, was " + normalDistributionSamples);
    }
    if (!(smallSampleFactor > 0) || Double.isInfinite(smallSampleFactor)) {
      throw new IllegalArgumentException(
          "smallSampleFactor must be positive, was " + smallSampleFactor);
    }
    if (!(sigmas >= 0) || Double.isInfinite(sigmas)) {
      throw new IllegalArgumentException("sigmas must be >= 0, was " + sigmas);
    }
  }

  public boolean isBad(PieceCostStats costs) {
    if (costs.samples() < 2) {
      return false;
    }
    double last = costs.last();
    if (costs.samples() < normalDistributionSamples) {
      return last > smallSampleFactor * costs.earlierMean();
    }
    return last > costs.earlierMean() + sigmas * costs.earlierStdDev();
  }

  /** Human-readable reason for a decision's drop list. */
  public String explain(PieceCostStats costs) {
    if (costs.samples() < normalDistributionSamples) {
      return "last piece cost "
          + costs.last()
          + " ms > "
          + smallSampleFactor
          + " x mean "
          + round(costs.earlierMean())
          + " ms ("
          + costs.samples()
          + " samples)";
    }
    return "last piece cost "
        + costs.last()
        + " ms > mean "
        + round(costs.earlierMean())
        + " + "
        + sigmas
        + " x sd "
        + round(costs.earlierStdDev())
        + " ms ("
        + costs.samples()
        + " samples)";
  }

  private static String round(double v) {
    return String.valueOf(Math.round(v * 100.0) / 100.0);
  }
}
