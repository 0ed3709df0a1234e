package io.swarmsched.bench;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts of the report (XChart, headless). Every method returns the path relative to the output
 * directory.
 */
public final class Charts {
  private static final int WIDTH = 800;
  private static final int HEIGHT = 480;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /**
   * Latency against quantile, one line per series. The x axis is {@code 1/(1-q)} on a log scale, so
   * p50 sits at 2, p99 at 100 and p99.9 at 1000, and the tail is as readable as the median.
   */
  public static String latencyDistribution(
      BenchContext ctx, String file, String title, Map<String, Latencies> series) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("1/(1-q): 2 = p50, 10 = p90, 100 = p99, 1000 = p99.9")
            .yAxisTitle("latency (ms)")
            .build();
    style(chart);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(true);
    series.forEach(
        (name, lat) -> {
          if (lat.count() == 0) {
            return;
          }
          double[] x = new double[Latencies.QUANTILES.length];
          double[] y = new double[x.length];
          for (int i = 0; i < x.length; i++) {
            x[i] = 1.0 / (1.0 - Latencies.QUANTILES[i]);
            y[i] = Math.max(0.001, lat.millisAt(Latencies.QUANTILES[i]));
          }
          chart.addSeries(name, x, y);
        });
    return save(ctx, chart, file);
  }

  /** Achieved rate against offered rate; the diagonal is "keeps up". */
  public static String throughputVsOffered(
      BenchContext ctx, String file, String title, String unit, Map<String, double[][]> series) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("offered (" + unit + ")")
            .yAxisTitle("achieved (" + unit + ")")
            .build();
    style(chart);
    double max = 1;
    for (Map.Entry<String, double[][]> e : series.entrySet()) {
      chart.addSeries(e.getKey(), e.getValue()[0], e.getValue()[1]);
      for (double v : e.getValue()[0]) {
        max = Math.max(max, v);
      }
    }
    XYSeries diagonal =
        chart.addSeries("offered = achieved", new double[] {0, max}, new double[] {0, max});
    diagonal.setMarker(SeriesMarkers.NONE);
    diagonal.setLineColor(Color.LIGHT_GRAY);
    return save(ctx, chart, file);
  }

  /** Lines over time (e.g. distribution progress per policy). */
  public static String lines(
      BenchContext ctx,
      String file,
      String title,
      String xTitle,
      String yTitle,
      Map<String, double[][]> series) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    style(chart);
    series.forEach((name, xy) -> chart.addSeries(name, xy[0], xy[1]).setMarker(SeriesMarkers.NONE));
    return save(ctx, chart, file);
  }

  /** Grouped bars: one group per category, one bar per series. */
  public static String bars(
      BenchContext ctx,
      String file,
      String title,
      String yTitle,
      List<String> categories,
      Map<String, List<Double>> series) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("")
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    series.forEach((name, values) -> chart.addSeries(name, categories, values));
    return save(ctx, chart, file);
  }

  private static void style(XYChart chart) {
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setMarkerSize(6);
  }

  private static String save(
      BenchContext ctx, org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, String file) {
    Path target = ctx.chartsDir().resolve(file + ".png");
    try {
      BitmapEncoder.saveBitmap(chart, target.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ctx.outDir().relativize(target).toString();
  }
}
