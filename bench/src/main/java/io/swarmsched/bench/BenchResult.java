package io.swarmsched.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one benchmark produced: its figures, charts (file names relative to the output directory)
 * and notes.
 */
public final class BenchResult {
  public static final String OK = "ok";
  public static final String NOT_RUN = "not run";
  public static final String FAILED = "failed";

  private final String name;
  private final String title;
  private String status = OK;
  private String reason;
  private double seconds;
  private final List<Measurement> measurements = new ArrayList<>();
  private final List<String> charts = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Map<String, Object> data = new LinkedHashMap<>();

  public BenchResult(String name, String title) {
    this.name = name;
    this.title = title;
  }

  public static BenchResult of(Benchmark b) {
    return new BenchResult(b.name(), b.title());
  }

  public static BenchResult notRun(Benchmark b, String why) {
    BenchResult r = of(b);
    r.status = NOT_RUN;
    r.reason = why;
    return r;
  }

  public static BenchResult failed(Benchmark b, String why) {
    BenchResult r = of(b);
    r.status = FAILED;
    r.reason = why;
    return r;
  }

  public BenchResult add(Measurement m) {
    measurements.add(m);
    return this;
  }

  public BenchResult chart(String relativePath) {
    charts.add(relativePath);
    return this;
  }

  public BenchResult note(String note) {
    notes.add(note);
    return this;
  }

  /** Raw series or parameters kept in the JSON for later analysis. */
  public BenchResult data(String key, Object value) {
    data.put(key, value);
    return this;
  }

  void setSeconds(double seconds) {
    this.seconds = seconds;
  }

  public String getName() {
    return name;
  }

  public String getTitle() {
    return title;
  }

  public String getStatus() {
    return status;
  }

  public String getReason() {
    return reason;
  }

  public double getSeconds() {
    return seconds;
  }

  public List<Measurement> getMeasurements() {
    return measurements;
  }

  public List<String> getCharts() {
    return charts;
  }

  public List<String> getNotes() {
    return notes;
  }

  public Map<String, Object> getData() {
    return data;
  }
}
