package io.swarmsched.simulator;

import java.util.List;
import java.util.Locale;

/** The simulator's table and JSON. */
public final class Report {

  private Report() {}

  public static String size(long bytes) {
    if (bytes % Scenarios.GIB == 0) {
      return bytes / Scenarios.GIB + " GiB";
    }
    if (bytes % Scenarios.MIB == 0) {
      return bytes / Scenarios.MIB + " MiB";
    }
    return bytes + " B";
  }

  public static String table(Simulation.Results report) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            Locale.ROOT,
            "%-12s %6s %-24s %7s %7s %7s %7s %6s %6s %6s %6s %5s %5s %5s %6s  %s%n",
            "scenario",
            "hosts",
            "policy",
            "bound s",
            "p50 s",
            "p99 s",
            "max s",
            "p50/b",
            "p99/b",
            "origin",
            "seed",
            "b2s",
            "cand",
            "give",
            "wall s",
            "verdict"));
    for (Simulation.Row row : report.rows()) {
      SimResult r = row.result();
      String policy = r.policy() + (row.variant().isEmpty() ? "" : " (" + row.variant() + ")");
      b.append(
          String.format(
              Locale.ROOT,
              "%-12s %6d %-24s %7.1f %7.1f %7.1f %7.1f %6.2f %6.2f %5.2fx %5.2fx %5d %5.1f %5.2f %6.1f  %s%n",
              r.scenario(),
              r.hosts(),
              policy,
              r.bound(),
              r.p50(),
              r.p99(),
              r.max(),
              r.p50() / r.bound(),
              r.p99() / r.bound(),
              r.originFiles(),
              r.seedFiles(),
              r.backToSource(),
              r.meanExamined(),
              r.meanParentGive(),
              r.wallMillis() / 1000.0,
              row.ok() ? "OK" : "FAIL (" + String.join(", ", row.misses()) + ")"));
    }
    for (Simulation.Comparison c : report.comparisons()) {
      b.append(
          String.format(
              Locale.ROOT, "%-4s %s: %s%n", c.ok() ? "OK" : "FAIL", c.scenario(), c.text()));
    }
    return b.toString();
  }

  public static String json(Simulation.Results report) {
    StringBuilder b = new StringBuilder("{\n  \"runs\": [\n");
    List<Simulation.Row> rows = report.rows();
    for (int i = 0; i < rows.size(); i++) {
      SimResult r = rows.get(i).result();
      b.append(
          String.format(
              Locale.ROOT,
              "    {\"scenario\": \"%s\", \"hosts\": %d, \"policy\": \"%s\", \"variant\": \"%s\", "
                  + "\"fileBytes\": %d, \"pieces\": %d, \"boundSeconds\": %.3f, \"p50Seconds\": %.3f, "
                  + "\"p99Seconds\": %.3f, \"maxSeconds\": %.3f, \"originFiles\": %.3f, "
                  + "\"seedFiles\": %.3f, \"backToSource\": %d, \"unfinished\": %d, "
                  + "\"requests\": %d, \"candidatesPerRequest\": %.2f, \"parentGive\": %.3f, "
                  + "\"ok\": %s}%s%n",
              r.scenario(),
              r.hosts(),
              r.policy(),
              rows.get(i).variant(),
              r.fileBytes(),
              r.pieceCount(),
              r.bound(),
              r.p50(),
              r.p99(),
              r.max(),
              r.originFiles(),
              r.seedFiles(),
              r.backToSource(),
              r.unfinished(),
              r.requests(),
              r.meanExamined(),
              r.meanParentGive(),
              rows.get(i).ok(),
              i + 1 < rows.size() ? "," : ""));
    }
    b.append("  ],\n  \"comparisons\": [\n");
    List<Simulation.Comparison> cs = report.comparisons();
    for (int i = 0; i < cs.size(); i++) {
      b.append(
          String.format(
              Locale.ROOT,
              "    {\"scenario\": \"%s\", \"text\": \"%s\", \"ok\": %s}%s%n",
              cs.get(i).scenario(),
              cs.get(i).text().replace("\"", "'"),
              cs.get(i).ok(),
              i + 1 < cs.size() ? "," : ""));
    }
    return b.append("  ]\n}\n").toString();
  }
}
