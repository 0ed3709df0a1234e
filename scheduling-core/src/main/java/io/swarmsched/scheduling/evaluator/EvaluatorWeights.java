package io.swarmsched.scheduling.evaluator;

/**
 * Weights of TotalScore = idc·IDCAffinity + location·LocationAffinity + loadQuality·LoadQuality +
 * hostType·HostType. Each in [0, 1]; they must add up to 1 so scores stay in [0, 1].
 */
public record EvaluatorWeights(double idc, double location, double loadQuality, double hostType) {

  public static final EvaluatorWeights DEFAULT = new EvaluatorWeights(0.2, 0.1, 0.6, 0.1);

  public EvaluatorWeights {
    unit("idc", idc);
    unit("location", location);
    unit("loadQuality", loadQuality);
    unit("hostType", hostType);
    double sum = idc + location + loadQuality + hostType;
    if (Math.abs(sum - 1.0) > 1e-6) {
      throw new IllegalArgumentException(
          "evaluator weights idc + location + loadQuality + hostType must be 1, was " + sum);
    }
  }

  private static void unit(String name, double v) {
    if (!(v >= 0.0 && v <= 1.0)) {
      throw new IllegalArgumentException(
          "evaluator weight " + name + " must be in [0, 1], was " + v);
    }
  }

  public String describe() {
    return "idc=" + idc + ",loc=" + location + ",lq=" + loadQuality + ",type=" + hostType;
  }
}
