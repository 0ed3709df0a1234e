package io.swarmsched.replay;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** The what-if report's PNG charts: decisions by outcome, and each host's share of parent slots. */
final class ReportCharts {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private ReportCharts() {}

  static void write(Path dir, Side a, Side b) throws IOException {
    List<String> outcomes = new ArrayList<>(union(a.byOutcome().keySet(), b.byOutcome().keySet()));
    CategoryChart byOutcome =
        new CategoryChartBuilder()
            .width(800)
            .height(480)
            .title("Decisions by outcome")
            .xAxisTitle("outcome")
            .yAxisTitle("decisions")
            .build();
    style(byOutcome);
    if (!outcomes.isEmpty()) {
      byOutcome.addSeries(a.label() + " (" + a.policyId() + ")", outcomes, counts(a, outcomes));
      byOutcome.addSeries(b.label() + " (" + b.policyId() + ")", outcomes, counts(b, outcomes));
      BitmapEncoder.saveBitmap(
          byOutcome, dir.resolve("outcomes.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
    List<String> hosts =
        new ArrayList<>(union(a.parentSlotsByHost().keySet(), b.parentSlotsByHost().keySet()));
    if (!hosts.isEmpty()) {
      CategoryChart share =
          new CategoryChartBuilder()
              .width(Math.max(800, 40 * hosts.size()))
              .height(480)
              .title("Share of parent slots per host")
              .xAxisTitle("parent host")
              .yAxisTitle("share of parent slots (%)")
              .build();
      style(share);
      share.addSeries(a.label(), hosts, shares(a, hosts));
      share.addSeries(b.label(), hosts, shares(b, hosts));
      BitmapEncoder.saveBitmap(
          share, dir.resolve("upload-share.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
  }

  private static void style(CategoryChart chart) {
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisLabelRotation(45);
  }

  private static List<Number> counts(Side s, List<String> keys) {
    List<Number> out = new ArrayList<>();
    for (String k : keys) out.add(s.byOutcome().getOrDefault(k, 0L));
    return out;
  }

  private static List<Number> shares(Side s, List<String> keys) {
    List<Number> out = new ArrayList<>();
    for (String k : keys) {
      out.add(
          s.parentSlots() == 0
              ? 0.0
              : 100.0 * s.parentSlotsByHost().getOrDefault(k, 0L) / s.parentSlots());
    }
    return out;
  }

  static <T extends Comparable<T>> Collection<T> union(Collection<T> a, Collection<T> b) {
    TreeSet<T> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }
}
