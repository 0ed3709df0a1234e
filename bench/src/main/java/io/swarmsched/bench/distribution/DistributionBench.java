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
 * Benchmark 6: time for one file to reach every agent, beside the fluid lower bound {@code
 * max(F/u_s, F/d_min, N·F/(u_s + Σu_i))}, and the origin's egress, for the load-aware and the
 * random policy. Each policy runs {@link SwarmDemo#execute} once: the whole system (its OWN broker
 * and registry, ingest, scoring, dispatcher), an origin behind an egress limit and N rate-limited
 * agents, one a super seed. It is therefore independent of the run's shared broker and is run after
 * the broker-based benchmarks.
 *
 * <p>Progress over time is read from the demo's own progress lines ({@code [t s] k/n agents done,
 * swarm …, A of B}), which it prints every 5 s, plus the finishing point.
 */
public final class DistributionBench implements Benchmark {
  public static final String NAME = "distribution";
  static final List<String> POLICIES = List.of("load-aware", "random");
  private static final Pattern PROGRESS =
      Pattern.compile(
          "\\[\\s*([0-9.]+) s\\] (\\d+)/(\\d+) agents done, swarm [^,]+, ([0-9.]+ (?:B|KiB|MiB|GiB|TiB)) of "
              + "([0-9.]+ (?:B|KiB|MiB|GiB|TiB))");

  /**
   * The same figures as the demo draws them on a terminal: {@code swarm: R/s, A of B done, T s}.
   */
  private static final Pattern TTY_PROGRESS =
      Pattern.compile(
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

  /**
   * The swarm's shape for one run.
   *
   * @param fastAgents agents (never 0, the super seed) uploading at {@code fastUpload}
   */
  record Shape(
      String name,
      long size,
      int agents,
      long uploadLimit,
      long originLimit,
      int pieceLength,
      Duration timeout,
      List<Integer> fastAgents,
      long fastUpload) {
    Shape {
      fastAgents = List.copyOf(fastAgents);
      if (fastAgents.stream().anyMatch(a -> a < 1 || a >= agents)) {
        throw new IllegalArgumentException(
            "fast agents must be among agents 1.." + (agents - 1) + ": " + fastAgents);
      }
    }

    Shape(
        String name,
        long size,
        int agents,
        long uploadLimit,
        long originLimit,
        int pieceLength,
        Duration timeout) {
      this(name, size, agents, uploadLimit, originLimit, pieceLength, timeout, List.of(), 0);
    }

    String describe() {
      String fast =
          fastAgents.isEmpty()
              ? ""
              : " ("
                  + String.join(", ", fastAgents.stream().map(a -> "agent-" + a).toList())
                  + " "
                  + mib(fastUpload)
                  + " MiB/s)";
      return String.format(
          Locale.ROOT,
          "%s: %d MiB to %d agents (1 super seed), %s MiB/s upload each%s, origin %d MiB/s, "
              + "pieces of %d KiB",
          name,
          size / Records.MIB,
          agents,
          mib(uploadLimit),
          fast,
          originLimit / Records.MIB,
          pieceLength / 1024);
    }

    SwarmDemo.Options options(String policy, Path dir) {
      SwarmDemo.Options o =
          new SwarmDemo.Options(
              size, agents, uploadLimit, originLimit, policy, dir, pieceLength, timeout);
      for (int a : fastAgents) {
        o = o.withUploadLimit(a, fastUpload);
      }
      return o;
    }

    private static String mib(long bytes) {
      return String.format(Locale.ROOT, "%.0f", bytes / (double) Records.MIB);
    }
  }

  static Shape shape(BenchContext ctx) {
    return ctx.pick(
        new Shape(
            "uniform",
            32 * Records.MIB,
            6,
            4 * Records.MIB,
            8 * Records.MIB,
            1 << 20,
            Duration.ofSeconds(120)),
        new Shape(
            "uniform",
            256 * Records.MIB,
            8,
            32 * Records.MIB,
            64 * Records.MIB,
            4 << 20,
            Duration.ofSeconds(600)));
  }

  /**
   * The runs: the default swarm; a skewed-capacity swarm (one agent in eight uploads at 10x the
   * rest, where a load-aware choice of parents should pay); the same with 16 agents, two of them
   * fast, where each child has 8 parents of 15 and stage 1 has a choice to make; and one where the
   * CPU is not the limit (64 MiB to 8 agents at 4 MiB/s each, origin 8 MiB/s), so the time measures
   * the policy rather than this machine. The quick run keeps the default swarm alone.
   */
  static List<Shape> shapes(BenchContext ctx) {
    List<Shape> all = allShapes(ctx);
    String only = System.getProperty(SHAPES);
    if (only == null || only.isBlank()) return all;
    List<String> names = List.of(only.split(","));
    List<Shape> picked = all.stream().filter(s -> names.contains(s.name())).toList();
    if (picked.isEmpty()) {
      throw new IllegalArgumentException(
          SHAPES
              + "="
              + only
              + " names none of this run's swarms: "
              + all.stream().map(Shape::name).toList());
    }
    return picked;
  }

  /**
   * Runs only the named swarms (comma-separated, e.g. {@code skewed}; the full run's names), to
   * repeat one comparison: {@code -Dbench.distribution.shapes=skewed}.
   */
  static final String SHAPES = "bench.distribution.shapes";

  private static List<Shape> allShapes(BenchContext ctx) {
    List<Shape> shapes = new ArrayList<>();
    shapes.add(shape(ctx));
    if (ctx.pick(false, true)) {
      shapes.add(
          new Shape(
              "skewed",
              64 * Records.MIB,
              8,
              2 * Records.MIB,
              8 * Records.MIB,
              512 << 10,
              Duration.ofSeconds(300),
              List.of(1),
              20 * Records.MIB));
      // twice the agents of "skewed", so that stage 1 has a choice to make: with 8 agents and
      // swarm.agent.desired.parents 8 every child soon has every other agent as a parent whichever
      // policy ranks them; here a child has 8 of 15. One fast agent in each IDC (agents alternate)
      shapes.add(
          new Shape(
              "skewed-16",
              32 * Records.MIB,
              16,
              2 * Records.MIB,
              8 * Records.MIB,
              256 << 10,
              Duration.ofSeconds(300),
              List.of(1, 8),
              20 * Records.MIB));
      shapes.add(
          new Shape(
              "cpu-not-limiting",
              64 * Records.MIB,
              8,
              4 * Records.MIB,
              8 * Records.MIB,
              512 << 10,
              Duration.ofSeconds(300)));
    }
    return shapes;
  }

  @Override
  public BenchResult run(BenchContext ctx) throws Exception {
    BenchResult result = BenchResult.of(this);
    List<String> categories = new ArrayList<>();
    List<Double> elapsed = new ArrayList<>();
    List<Double> bounds = new ArrayList<>();
    Map<String, double[][]> curves = new LinkedHashMap<>();
    int ok = 0;
    for (Shape s : shapes(ctx)) {
      ctx.progress("%s", s.describe());
      result.note(s.describe());
      for (String policy : POLICIES) {
        String run = s.name() + "/" + policy;
        SwarmDemo.Summary summary = runOne(ctx, result, s, policy, run, curves);
        if (summary != null) {
          ok++;
          categories.add(run);
          elapsed.add(summary.elapsedSeconds());
          bounds.add(summary.boundSeconds());
        }
      }
    }
    if (ok == 0) {
      return BenchResult.notRun(
          this, "no policy's swarm ran: " + String.join("; ", result.getNotes()));
    }
    result.chart(
        Charts.lines(
            ctx,
            "distribution-progress",
            "distribution progress per swarm and policy",
            "seconds since the downloads started",
            "% of all bytes the agents need",
            curves));
    result.chart(
        Charts.bars(
            ctx,
            "distribution-elapsed",
            "time to reach every agent vs fluid lower bound",
            "seconds",
            categories,
            Map.of("elapsed", elapsed, "fluid lower bound", bounds)));
    result.note(
        "Each run is SwarmDemo with its OWN broker, registry and services (started and stopped per run, after "
            + "the shared broker's benchmarks), so start-up is not in the elapsed time: the clock starts when every agent is "
            + "ONLINE and scored. The bound max(F/u_s, F/d_min, N·F/(u_s+Σu_i)) takes N = all agents and Σu_i over all of "
            + "them (the fast agent's upload included).");
    result.note(
        "Progress points are the demo's own lines, printed every 5 s (bytes downloaded by the non-seed "
            + "agents over what they need in total).");
    return result;
  }

  /** One swarm run for one policy; null when the swarm did not run. */
  private SwarmDemo.Summary runOne(
      BenchContext ctx,
      BenchResult result,
      Shape s,
      String policy,
      String run,
      Map<String, double[][]> curves) {
    Path dir = ctx.newDir("swarm-" + s.name() + "-" + policy);
    ProgressTap tap = new ProgressTap(line -> ctx.progress("%s | %s", run, line));
    SwarmDemo.Summary summary;
    try (PrintStream out = new PrintStream(tap, true, StandardCharsets.UTF_8)) {
      summary = SwarmDemo.execute(s.options(policy, dir), out);
    } catch (Exception e) {
      result.note(
          run + ": the swarm did not run: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      ctx.progress("%s: the swarm did not run: %s", run, e.getMessage());
      return null;
    }
    double ratio =
        summary.boundSeconds() > 0 ? summary.elapsedSeconds() / summary.boundSeconds() : Double.NaN;
    ctx.progress(
        "%s: %.1f s (bound %.1f s, %.2fx), origin %.2fx the file, seed upload %.2fx the file, %d/%d verified, "
            + "decisions %s",
        run,
        summary.elapsedSeconds(),
        summary.boundSeconds(),
        ratio,
        summary.originBytes() / (double) s.size(),
        summary.seedUploadFiles(),
        summary.verified(),
        summary.agents(),
        summary.decisions());
    result.add(
        Measurement.against(
            run + ": time until every agent holds the file",
            summary.elapsedSeconds(),
            "s",
            "fluid lower bound max(F/u_s, F/d_min, N·F/(u_s+Σu_i))",
            summary.boundSeconds()));
    result.add(
        Measurement.against(
            run + ": origin egress",
            summary.originBytes() / (double) Records.MIB,
            "MiB",
            "file size",
            s.size() / (double) Records.MIB));
    result.add(
        Measurement.against(
            run + ": seed upload",
            summary.seedUploadBytes() / (double) Records.MIB,
            "MiB",
            "file size",
            s.size() / (double) Records.MIB));
    result.add(
        Measurement.against(
            run + ": peer-to-peer bytes",
            summary.peerBytes() / (double) Records.MIB,
            "MiB",
            "(agents−1) × file size",
            (s.agents() - 1) * s.size() / (double) Records.MIB));
    result.add(
        Measurement.of(run + ": verified copies", summary.verified(), "of " + summary.agents()));
    long parents = summary.decisions().getOrDefault(DecisionOutcome.PARENTS, 0L);
    long decisions = summary.decisions().values().stream().mapToLong(Long::longValue).sum();
    result.add(Measurement.of(run + ": decisions (PARENTS of all)", parents, "of " + decisions));
    result.add(
        Measurement.of(
            run + ": peers that went back to the origin", summary.backToSource(), "peers"));
    if (!summary.ok()) {
      result.note(
          run
              + ": only "
              + summary.verified()
              + " of "
              + summary.agents()
              + " agents held a verified copy before the "
              + s.timeout().toSeconds()
              + " s timeout");
    }
    result.data(
        run,
        Map.of(
            "elapsed_s",
            summary.elapsedSeconds(),
            "bound_s",
            summary.boundSeconds(),
            "origin_bytes",
            summary.originBytes(),
            "seed_upload_bytes",
            summary.seedUploadBytes(),
            "peer_bytes",
            summary.peerBytes(),
            "decisions",
            summary.decisions().toString(),
            "served_by_host",
            summary.servedByHost(),
            "progress",
            tap.points()));
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
    curves.put(run, xy);
    return summary;
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
      String text =
          line.toString(StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*[A-Za-z]", "").strip();
      line.reset();
      if (text.isEmpty()) {
        return;
      }
      boolean ttyLine = parse(text);
      if (ttyLine
          || text.startsWith("agent-")) { // a terminal redraw, every 500 ms: pass on one in 5 s
        long now = System.nanoTime();
        if (!ttyLine || now - lastForwarded < 5_000_000_000L) {
          return;
        }
        lastForwarded = now;
      }
      lines.accept(text);
    }

    /**
     * Keeps the progress point of a line, if it has one; true when it was a terminal redraw line.
     */
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
