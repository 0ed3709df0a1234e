package io.swarmsched.bench.distribution;

import io.swarmsched.bench.BenchContext;
import io.swarmsched.bench.BenchResult;
import io.swarmsched.bench.Benchmark;
import io.swarmsched.bench.Charts;
import io.swarmsched.bench.Measurement;
import io.swarmsched.bench.Records;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.swarm.SwarmDemo;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark 6: time for one file to reach every agent, beside the fluid lower bound
 * {@code max(F/u_s, F/d_min, N·F/(u_s + Σu_i))}, and the origin's egress, for the load-aware and the random
 * policy. Each policy runs {@link SwarmDemo#execute} once: the whole system (its OWN broker and registry,
 * ingest, scoring, dispatcher), an origin behind an egress limit and N rate-limited agents, one a super seed.
 * It is therefore independent of the run's shared broker and is run after the broker-based benchmarks.
 *
 * <p>Progress over time is read from the demo's own progress lines ({@code [t s] k/n agents done, swarm …,
 * A of B}), which it prints every 5 s, plus the finishing point.
 */
public final class DistributionBench implements Benchmark {
  public static final String NAME = "distribution";
  static final List<String> POLICIES = List.of("load-aware", "random");
  private static final Pattern PROGRESS = Pattern.compile(
      "\\[\\s*([0-9.]+) s\\] (\\d+)/(\\d+) agents done, swarm [^,]+, ([0-9.]+ (?:B|KiB|MiB|GiB|TiB)) of "
          + "([0-9.]+ (?:B|KiB|MiB|GiB|TiB))");
  /** The same figures as the demo draws them on a terminal: {@code swarm: R/s, A of B done, T s}. */
  private static final Pattern TTY_PROGRESS = Pattern.compile(
      "swarm: [^,]+, ([0-9.]+ (?:B|KiB|MiB|GiB|TiB)) of ([0-9.]+ (?:B|KiB|MiB|GiB|TiB)) done, ([0-9.]+) s");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String title() {
    return "time to distribute one file to N rate-limited agents vs the fluid lower bound, load-aware and random";
  }

  @Override
  public boolean needsBroker() {
    return false; // SwarmDemo starts a broker of its own
  }

  /** The swarm's shape for this run. */
  record Shape(long size, int agents, long uploadLimit, long originLimit, int pieceLength, Duration timeout) {}

  static Shape shape(BenchContext ctx) {
    return ctx.pick(
        new Shape(32 * Records.MIB, 6, 4 * Records.MIB, 8 * Records.MIB, 1 << 20, Duration.ofSeconds(120)),
        new Shape(256 * Records.MIB, 8, 32 * Records.MIB, 64 * Records.MIB, 4 << 20, Duration.ofSeconds(600)));
  }

  @Override
  public BenchResult run(BenchContext ctx) throws Exception {
    BenchResult result = BenchResult.of(this);
    Shape s = shape(ctx);
    ctx.progress("%d MiB to %d agents (1 super seed), %d MiB/s upload each, origin %d MiB/s, pieces of %d KiB",
        s.size() / Records.MIB, s.agents(), s.uploadLimit() / Records.MIB, s.originLimit() / Records.MIB,
        s.pieceLength() / 1024);
    List<String> categories = new ArrayList<>();
    List<Double> elapsed = new ArrayList<>();
    List<Double> bounds = new ArrayList<>();
    Map<String, double[][]> curves = new LinkedHashMap<>();
    int ok = 0;
    for (String policy : POLICIES) {
      Path dir = ctx.newDir("swarm-" + policy);
      ProgressTap tap = new ProgressTap(line -> ctx.progress("%s | %s", policy, line));
      SwarmDemo.Summary summary;
      try (PrintStream out = new PrintStream(tap, true, StandardCharsets.UTF_8)) {
        summary = SwarmDemo.execute(new SwarmDemo.Options(s.size(), s.agents(), s.uploadLimit(), s.originLimit(),
            policy, dir, s.pieceLength(), s.timeout()), out);
      } catch (Exception e) {
        result.note(policy + ": the swarm did not run: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        ctx.progress("%s: the swarm did not run: %s", policy, e.getMessage());
        continue;
      }
      ok++;
      double ratio = summary.boundSeconds() > 0 ? summary.elapsedSeconds() / summary.boundSeconds() : Double.NaN;
      ctx.progress("%s: %.1f s (bound %.1f s, %.2fx), origin %.2fx the file, %d/%d verified, decisions %s", policy,
          summary.elapsedSeconds(), summary.boundSeconds(), ratio, summary.originBytes() / (double) s.size(),
          summary.verified(), summary.agents(), summary.decisions());
      result.add(Measurement.against(policy + ": time until every agent holds the file", summary.elapsedSeconds(), "s",
          "fluid lower bound max(F/u_s, F/d_min, N·F/(u_s+Σu_i))", summary.boundSeconds()));
      result.add(Measurement.against(policy + ": origin egress", summary.originBytes() / (double) Records.MIB, "MiB",
          "file size", s.size() / (double) Records.MIB));
      result.add(Measurement.against(policy + ": peer-to-peer bytes", summary.peerBytes() / (double) Records.MIB, "MiB",
          "(agents−1) × file size", (s.agents() - 1) * s.size() / (double) Records.MIB));
      result.add(Measurement.of(policy + ": verified copies", summary.verified(), "of " + summary.agents()));
      long parents = summary.decisions().getOrDefault(DecisionOutcome.PARENTS, 0L);
      long decisions = summary.decisions().values().stream().mapToLong(Long::longValue).sum();
      result.add(Measurement.of(policy + ": decisions (PARENTS of all)", parents, "of " + decisions));
      result.add(Measurement.of(policy + ": peers that went back to the origin", summary.backToSource(), "peers"));
      if (!summary.ok()) {
        result.note(policy + ": only " + summary.verified() + " of " + summary.agents()
            + " agents held a verified copy before the " + s.timeout().toSeconds() + " s timeout");
      }
      result.data(policy, Map.of("elapsed_s", summary.elapsedSeconds(), "bound_s", summary.boundSeconds(),
          "origin_bytes", summary.originBytes(), "peer_bytes", summary.peerBytes(),
          "decisions", summary.decisions().toString(), "served_by_host", summary.servedByHost(),
          "progress", tap.points()));
      List<double[]> pts = new ArrayList<>(tap.points());
      pts.add(0, new double[] {0, 0});
      if (summary.ok()) {
        pts.add(new double[] {summary.elapsedSeconds(), 100});
      }
      double[][] xy = new double[2][pts.size()];
      for (int i = 0; i < pts.size(); i++) {
        xy[0][i] = pts.get(i)[0];
        xy[1][i] = pts.get(i)[1];
      }
      curves.put(policy, xy);
      categories.add(policy);
      elapsed.add(summary.elapsedSeconds());
      bounds.add(summary.boundSeconds());
    }
    if (ok == 0) {
      return BenchResult.notRun(this, "no policy's swarm ran: " + String.join("; ", result.getNotes()));
    }
    if (!bounds.isEmpty()) {
      double bound = bounds.get(0);
      curves.put(String.format(Locale.ROOT, "fluid lower bound (%.1f s)", bound),
          new double[][] {{0, bound, bound}, {0, 100, 100}});
    }
    result.chart(Charts.lines(ctx, "distribution-progress", "distribution progress per policy",
        "seconds since the downloads started", "% of all bytes the agents need", curves));
    result.chart(Charts.bars(ctx, "distribution-elapsed", "time to reach every agent vs fluid lower bound", "seconds",
        categories, Map.of("elapsed", elapsed, "fluid lower bound", bounds)));
    result.note(String.format(Locale.ROOT, "%d MiB file, %d agents (1 super seed + %d downloaders), upload limit "
            + "%d MiB/s each, origin egress %d MiB/s, pieces of %d KiB. Each policy runs SwarmDemo with its OWN broker, "
            + "registry and services (started and stopped per policy, after the shared broker's benchmarks), so "
            + "start-up is not in the elapsed time: the clock starts when every agent is ONLINE and scored. The bound "
            + "takes N = all agents and Σu_i over all of them.", s.size() / Records.MIB, s.agents(), s.agents() - 1,
        s.uploadLimit() / Records.MIB, s.originLimit() / Records.MIB, s.pieceLength() / 1024));
    result.note("Progress points are the demo's own lines, printed every 5 s (bytes downloaded by the non-seed "
        + "agents over what they need in total).");
    return result;
  }

  /** An output stream that passes each line on and keeps the progress points it can parse. */
  static final class ProgressTap extends OutputStream {
    private final java.util.function.Consumer<String> lines;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final List<double[]> points = new ArrayList<>();
    private long lastForwarded;

    ProgressTap(java.util.function.Consumer<String> lines) {
      this.lines = lines;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        flushLine();
      } else {
        line.write(b);
      }
    }

    private void flushLine() {
      String text = line.toString(StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*[A-Za-z]", "").strip();
      line.reset();
      if (text.isEmpty()) {
        return;
      }
      boolean ttyLine = parse(text);
      if (ttyLine || text.startsWith("agent-")) { // a terminal redraw, every 500 ms: pass on one in 5 s
        long now = System.nanoTime();
        if (!ttyLine || now - lastForwarded < 5_000_000_000L) {
          return;
        }
        lastForwarded = now;
      }
      lines.accept(text);
    }

    /** Keeps the progress point of a line, if it has one; true when it was a terminal redraw line. */
    boolean parse(String text) {
      Matcher m = PROGRESS.matcher(text);
      if (m.find()) {
        add(Double.parseDouble(m.group(1)), bytes(m.group(4)), bytes(m.group(5)));
        return false;
      }
      Matcher t = TTY_PROGRESS.matcher(text);
      if (t.find()) {
        add(Double.parseDouble(t.group(3)), bytes(t.group(1)), bytes(t.group(2)));
        return true;
      }
      return false;
    }

    private void add(double seconds, double done, double total) {
      if (total > 0) {
        points.add(new double[] {seconds, Math.min(100, 100 * done / total)});
      }
    }

    synchronized List<double[]> points() {
      return List.copyOf(points);
    }

    @Override
    public synchronized void close() {
      if (line.size() > 0) {
        flushLine();
      }
    }

    static double bytes(String s) {
      String[] parts = s.trim().split(" ");
      double v = Double.parseDouble(parts[0]);
      return switch (parts[1]) {
        case "KiB" -> v * 1024;
        case "MiB" -> v * 1024 * 1024;
        case "GiB" -> v * 1024 * 1024 * 1024;
        case "TiB" -> v * 1024 * 1024 * 1024 * 1024;
        default -> v;
      };
    }
  }
}
