package io.swarmsched.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a run's {@code results.json} and {@code report.md}. */
public final class Report {
  private Report() {}

  /** The machine the run is on: cores, memory, Java, OS. */
  public static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("memory_total_mib", memTotalMib());
    m.put(
        "java",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    m.put("cpu", cpuModel());
    m.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    m.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
    return m;
  }

  public static void write(
      Path outDir,
      Instant started,
      List<String> args,
      boolean quick,
      Map<String, Double> baselines,
      List<BenchResult> results)
      throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("started", started.toString());
    root.put("finished", Instant.now().toString());
    root.put("quick", quick);
    root.put("args", args);
    root.put("machine", machine());
    root.put("baselines", new java.util.TreeMap<>(baselines));
    root.put("results", results);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    mapper.writeValue(outDir.resolve("results.json").toFile(), root);
    Files.writeString(outDir.resolve("report.md"), markdown(started, args, quick, results));
  }

  static String markdown(
      Instant started, List<String> args, boolean quick, List<BenchResult> results) {
    StringBuilder md = new StringBuilder();
    md.append("# swarmsched benchmark run\n\n");
    md.append("- started: ").append(started).append('\n');
    md.append("- mode: ")
        .append(quick ? "--quick" : "full")
        .append("; args: `")
        .append(String.join(" ", args))
        .append("`\n");
    machine().forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append('\n');
    md.append("| benchmark | status | seconds |\n|---|---|---:|\n");
    for (BenchResult r : results) {
      md.append("| ")
          .append(r.getName())
          .append(" | ")
          .append(r.getStatus())
          .append(r.getReason() == null ? "" : ": " + r.getReason().replace('|', '/'))
          .append(" | ")
          .append(fmt(r.getSeconds()))
          .append(" |\n");
    }
    for (BenchResult r : results) {
      md.append("\n## ").append(r.getName()).append(" — ").append(r.getTitle()).append("\n\n");
      if (!BenchResult.OK.equals(r.getStatus())) {
        md.append("**").append(r.getStatus()).append("**: ").append(r.getReason()).append("\n\n");
      }
      if (!r.getMeasurements().isEmpty()) {
        md.append(table(r.getMeasurements()));
      }
      for (String note : r.getNotes()) {
        md.append("\n- ").append(note);
      }
      if (!r.getNotes().isEmpty()) {
        md.append('\n');
      }
      for (String chart : r.getCharts()) {
        md.append("\n![").append(chart).append("](").append(chart).append(")\n");
      }
    }
    return md.toString();
  }

  /** The measurement table: figure, value, unit, baseline, baseline value, ratio. */
  public static String table(List<Measurement> ms) {
    StringBuilder md = new StringBuilder();
    md.append("| figure | value | unit | baseline (same run) | baseline value | ratio |\n");
    md.append("|---|---:|---|---|---:|---:|\n");
    for (Measurement m : ms) {
      md.append("| ")
          .append(m.name())
          .append(" | ")
          .append(fmt(m.value()))
          .append(" | ")
          .append(m.unit())
          .append(" | ")
          .append(m.baseline() == null ? "—" : m.baseline())
          .append(" | ")
          .append(m.baselineValue() == null ? "—" : fmt(m.baselineValue()))
          .append(" | ")
          .append(m.ratio() == null ? "—" : String.format(Locale.ROOT, "%.3f", m.ratio()))
          .append(" |\n");
    }
    return md.toString();
  }

  public static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    if (a >= 0.1) {
      return String.format(Locale.ROOT, "%.3f", v);
    }
    return String.format(Locale.ROOT, "%.4g", v);
  }

  private static long memTotalMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "unknown";
  }
}
