package io.swarmsched.bench;

/**
 * One figure of a run, with the baseline it is read against (measured in the same run) and the
 * ratio {@code value / baselineValue}.
 *
 * @param name what was measured, e.g. "ingest heartbeats/s (10k hosts)"
 * @param value the measurement
 * @param unit "records/s", "ms", "MiB", ...
 * @param baseline name of the baseline figure, or null when none applies
 * @param baselineValue the baseline's value in this run, or null
 * @param ratio value / baselineValue, or null
 */
public record Measurement(
    String name, double value, String unit, String baseline, Double baselineValue, Double ratio) {

  public static Measurement of(String name, double value, String unit) {
    return new Measurement(name, value, unit, null, null, null);
  }

  public static Measurement against(
      String name, double value, String unit, String baseline, double baselineValue) {
    Double ratio = baselineValue == 0 || Double.isNaN(baselineValue) ? null : value / baselineValue;
    return new Measurement(name, value, unit, baseline, baselineValue, ratio);
  }
}
