package io.swarmsched.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.swarmsched.dispatcher.http.AvroJson;
import io.swarmsched.schemas.DecisionOutcome;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.HostType;
import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.TaskMetadata;
import io.swarmsched.simulator.Scenario;
import io.swarmsched.simulator.Scenarios;
import io.swarmsched.simulator.SimOptions;
import io.swarmsched.simulator.SimResult;
import io.swarmsched.simulator.Swarm;
import java.awt.Color;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The replay's output directory: the replayed decisions ({@code decisions.jsonl}), the comparison
 * with the recorded ones, and the what-if report ({@code report.md}, {@code report.json}, PNG
 * charts) with, for the recorded and the replayed policy side by side: decisions by outcome and
 * reason, each parent host's share of the parent slots (how evenly load spread), seed and origin
 * load, back-to-source count, the decisions that differ with both choices and scores, and the
 * completion times the swarm simulator predicts for each policy.
 */
public final class WhatIfReport {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private WhatIfReport() {}

  /** Figures of one side (the recorded or the replayed decisions). */
  public record Side(
      String label,
      String policyId,
      int decisions,
      Map<String, Long> byOutcome,
      Map<String, Long> byReason,
      Map<String, Long> parentSlotsByHost,
      long parentSlots,
      double maxHostShare,
      double jainFairness,
      long seedParentSlots,
      long seedTriggers,
      long backToSource,
      long originFetches,
      Map<String, Double> predicted) {}

  /** What {@link #write} produced. */
  public record Written(Path dir, Side recorded, Side replayed, Comparison.Result comparison) {}

  /**
   * The figures of a set of decisions (terminal ones once per request, seed triggers once each).
   */
  public static Side side(
      String label, String policyId, List<ScheduleDecision> all, Map<String, HostState> hosts) {
    Map<String, ScheduleDecision> terminal = Comparison.byRequest(all);
    Map<String, Long> byOutcome = new TreeMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    Map<String, Long> slots = new TreeMap<>();
    long parentSlots = 0;
    long seedSlots = 0;
    long bts = 0;
    for (ScheduleDecision d : terminal.values()) {
      byOutcome.merge(d.getOutcome().name(), 1L, Long::sum);
      byReason.merge(
          d.getOutcome().name() + " " + Objects.toString(d.getReason(), "-"), 1L, Long::sum);
      if (d.getOutcome() == DecisionOutcome.BACK_TO_SOURCE) bts++;
      for (ParentCandidate p : d.getParents()) {
        slots.merge(p.getHostId(), 1L, Long::sum);
        parentSlots++;
        HostState h = hosts.get(p.getHostId());
        if (h != null && h.getType() == HostType.SUPER_SEED) seedSlots++;
      }
    }
    long seedTriggers =
        all.stream()
            .filter(d -> d.getOutcome() == DecisionOutcome.SEED_TRIGGER)
            .map(ScheduleDecision::getDecisionId)
            .distinct()
            .count();
    if (seedTriggers > 0) byOutcome.put(DecisionOutcome.SEED_TRIGGER.name(), seedTriggers);
    double max = 0;
    double sum = 0;
    double sumSq = 0;
    for (long n : slots.values()) {
      max = Math.max(max, n);
      sum += n;
      sumSq += (double) n * n;
    }
    return new Side(
        label,
        policyId,
        terminal.size(),
        byOutcome,
        byReason,
        slots,
        parentSlots,
        parentSlots == 0 ? 0 : max / parentSlots,
        slots.isEmpty() ? 1 : (sum * sum) / (slots.size() * sumSq),
        seedSlots,
        seedTriggers,
        bts,
        bts + seedTriggers, // each back-to-source peer and each triggered seed fetches from origin
        new LinkedHashMap<>());
  }

  /**
   * Writes everything into {@code dir}.
   *
   * @param simulate whether to run the simulator for each policy (seconds per policy)
   */
  public static Written write(Replayer.Result r, Comparison.Result c, Path dir, boolean simulate) {
    try {
      Files.createDirectories(dir);
      writeDecisions(dir.resolve("decisions.jsonl"), r.decisions());
      Side recorded =
          side(
              "recorded",
              Objects.toString(r.recordedPolicyId(), "none"),
              r.recordedDecisions(),
              r.hosts());
      Side replayed = side("replayed", r.policyId(), r.decisions(), r.hosts());
      if (simulate) {
        predict(r, recorded);
        predict(r, replayed);
      }
      charts(dir, recorded, replayed);
      writeJson(dir.resolve("report.json"), r, c, recorded, replayed);
      Files.writeString(dir.resolve("report.md"), markdown(r, c, recorded, replayed));
      return new Written(dir, recorded, replayed, c);
    } catch (IOException e) {
      throw new ReplayException("cannot write to " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void writeDecisions(Path file, List<ScheduleDecision> decisions)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (ScheduleDecision d : decisions) {
        w.write(json.writeValueAsString(AvroJson.toMap(d)));
        w.newLine();
      }
    }
  }

  /**
   * The simulator's completion times for the side's policy, on its uniform swarm shaped after the
   * recording (its number of hosts and the recorded task's size).
   */
  private static void predict(Replayer.Result r, Side side) {
    String policy = Replayer.policyName(side.policyId());
    if (policy == null || !io.swarmsched.scheduling.evaluator.Evaluators.isRegistered(policy)) {
      return;
    }
    int hosts = Math.max(2, Math.min(r.hosts().size(), 2000));
    long size =
        r.tasks().values().stream()
            .mapToLong(TaskMetadata::getContentLength)
            .max()
            .orElse(64L << 20);
    Scenario s = Scenarios.byName("uniform").withHosts(hosts).withSize(Math.max(size, 1L << 20));
    SimResult res = new Swarm(s, SimOptions.of(policy), p -> {}).run();
    side.predicted().put("hosts", (double) hosts);
    side.predicted().put("file_bytes", (double) s.fileBytes());
    side.predicted().put("bound_s", res.bound());
    side.predicted().put("p50_s", res.percentile(0.5));
    side.predicted().put("p99_s", res.percentile(0.99));
    side.predicted().put("origin_bytes", (double) res.originBytes());
  }

  private static void charts(Path dir, Side a, Side b) throws IOException {
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
    chart.getStyler().setXAxisLabelRotation(hostsRotation(chart));
  }

  private static int hostsRotation(CategoryChart chart) {
    return 45;
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

  private static <T extends Comparable<T>> Collection<T> union(Collection<T> a, Collection<T> b) {
    TreeSet<T> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }

  private static void writeJson(
      Path file, Replayer.Result r, Comparison.Result c, Side recorded, Side replayed)
      throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("policy", r.policy());
    root.put("policy_id", r.policyId());
    root.put("recorded_policy_id", r.recordedPolicyId());
    root.put("settings", r.settings());
    root.put("inputs_by_topic", r.inputsByTopic());
    root.put("patrol_events_skipped", r.patrolEventsSkipped());
    root.put("partitions", r.lanes());
    root.put("table_timing", r.tableTiming().name());
    root.put("table_records_retimed", r.tableRecordsRetimed());
    root.put("seconds", r.seconds());
    List<Map<String, String>> bad = new ArrayList<>();
    for (Replayer.Undecodable u : r.undecodable()) {
      bad.add(Map.of("record", u.coordinates(), "reason", u.reason()));
    }
    root.put("undecodable", bad);
    Map<String, Object> cmp = new LinkedHashMap<>();
    cmp.put("compared", c.compared());
    cmp.put("identical", c.identical());
    cmp.put("different", c.differences().size());
    cmp.put("unexplained", c.unexplained());
    cmp.put("recorded_only", c.recordedOnly());
    cmp.put("replayed_only", c.replayedOnly());
    cmp.put("recorded_seed_triggers", c.recordedSeedTriggers());
    cmp.put("replayed_seed_triggers", c.replayedSeedTriggers());
    root.put("comparison", cmp);
    root.put("recorded", recorded);
    root.put("replayed", replayed);
    List<Map<String, Object>> diffs = new ArrayList<>();
    for (Comparison.Difference d : c.differences()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("request_id", d.requestId());
      m.put("task_id", d.taskId());
      m.put("recorded", choiceMap(d.recorded()));
      m.put("replayed", d.replayed() == null ? null : choiceMap(d.replayed()));
      m.put("cause", d.cause());
      m.put("explained", d.explained());
      diffs.add(m);
    }
    root.put("differences", diffs);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }

  private static Map<String, Object> choiceMap(ScheduleDecision d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("outcome", d.getOutcome().name());
    m.put("reason", d.getReason());
    m.put("target_host_id", d.getTargetHostId());
    m.put("decided_at", d.getDecidedAt().toString());
    m.put("attempt", d.getAttempt());
    List<Map<String, Object>> parents = new ArrayList<>();
    for (ParentCandidate p : d.getParents()) {
      parents.add(
          Map.of(
              "peer_id", p.getPeerId(),
              "host_id", p.getHostId(),
              "total_score", p.getTotalScore(),
              "load_quality", p.getLoadQuality()));
    }
    m.put("parents", parents);
    return m;
  }

  static String markdown(Replayer.Result r, Comparison.Result c, Side a, Side b) {
    StringBuilder md = new StringBuilder();
    md.append("# Replay report\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Replayed %s inputs (%s) through the dispatcher's topology on %d partition(s) in %.1f s"
                + " with policy `%s` (recorded: `%s`).%s\n\n",
            r.inputsByTopic().values().stream().mapToLong(Long::longValue).sum(),
            r.inputsByTopic(),
            r.lanes(),
            r.seconds(),
            r.policyId(),
            Objects.toString(r.recordedPolicyId(), "no decisions recorded"),
            r.settings().isEmpty() ? "" : " Settings: " + r.settings() + "."));
    md.append(
        r.tableTiming() == Replayer.TableTiming.RECORDED
            ? String.format(
                Locale.ROOT,
                "Host and score records reached the replay's tables when they had reached the live"
                    + " dispatcher's, as its decisions' provenance shows (%d of them later than their"
                    + " timestamp).\n\n",
                r.tableRecordsRetimed())
            : "Host and score records reached the replay's tables in timestamp order.\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "**%d of %d decisions identical** (%.1f%%); %d differ, %d of them unexplained.\n\n",
            c.identical(),
            c.compared(),
            100 * c.identicalShare(),
            c.differences().size(),
            c.unexplained()));
    if (c.recordedOnly() > 0 || c.replayedOnly() > 0) {
      md.append(
          String.format(
              Locale.ROOT,
              "Not compared: %d recorded decisions whose request is not in the recording, %d"
                  + " replayed decisions with no recorded one.\n\n",
              c.recordedOnly(),
              c.replayedOnly()));
    }
    if (!r.undecodable().isEmpty()) {
      md.append("Records that did not decode (not replayed): ")
          .append(r.undecodable().size())
          .append("\n\n");
      r.undecodable().stream()
          .limit(50)
          .forEach(
              u ->
                  md.append("- `")
                      .append(u.coordinates())
                      .append("`: ")
                      .append(u.reason())
                      .append('\n'));
      md.append('\n');
    }
    md.append("## Side by side\n\n| | ")
        .append(a.label())
        .append(" (`")
        .append(a.policyId())
        .append("`) | ")
        .append(b.label())
        .append(" (`")
        .append(b.policyId())
        .append("`) |\n|---|---|---|\n");
    row(md, "terminal decisions", a.decisions(), b.decisions());
    for (String k : union(a.byOutcome().keySet(), b.byOutcome().keySet())) {
      row(md, k, a.byOutcome().getOrDefault(k, 0L), b.byOutcome().getOrDefault(k, 0L));
    }
    row(md, "back to source", a.backToSource(), b.backToSource());
    row(
        md,
        "origin fetches (back to source + seed triggers)",
        a.originFetches(),
        b.originFetches());
    row(md, "parent slots", a.parentSlots(), b.parentSlots());
    row(md, "parent slots on super seeds", a.seedParentSlots(), b.seedParentSlots());
    row(md, "largest host share of parent slots", pct(a.maxHostShare()), pct(b.maxHostShare()));
    row(
        md,
        "Jain fairness of parent slots (1 = even)",
        String.format(Locale.ROOT, "%.3f", a.jainFairness()),
        String.format(Locale.ROOT, "%.3f", b.jainFairness()));
    if (!a.predicted().isEmpty() || !b.predicted().isEmpty()) {
      for (String k : List.of("p50_s", "p99_s", "bound_s")) {
        row(
            md,
            "simulator: " + k.replace("_s", "") + " completion (s)",
            num(a.predicted().get(k)),
            num(b.predicted().get(k)));
      }
    }
    md.append('\n');
    if (!a.predicted().isEmpty()) {
      md.append(
          String.format(
              Locale.ROOT,
              "Simulator: its uniform swarm with the recording's %.0f hosts and a %.0f-byte file,"
                  + " per policy (`swarmsched simulate` for the scenarios).\n\n",
              a.predicted().get("hosts"),
              a.predicted().get("file_bytes")));
    }
    md.append(
        "![decisions by outcome](outcomes.png)\n\n![share of parent slots per host](upload-share.png)\n\n");
    md.append("## Decisions by outcome and reason\n\n| outcome reason | ")
        .append(a.label())
        .append(" | ")
        .append(b.label())
        .append(" |\n|---|---|---|\n");
    for (String k : union(a.byReason().keySet(), b.byReason().keySet())) {
      row(md, k, a.byReason().getOrDefault(k, 0L), b.byReason().getOrDefault(k, 0L));
    }
    md.append("\n## Parent slots per host\n\n| host | ")
        .append(a.label())
        .append(" | ")
        .append(b.label())
        .append(" |\n|---|---|---|\n");
    for (String h : union(a.parentSlotsByHost().keySet(), b.parentSlotsByHost().keySet())) {
      row(
          md,
          h,
          a.parentSlotsByHost().getOrDefault(h, 0L),
          b.parentSlotsByHost().getOrDefault(h, 0L));
    }
    md.append("\n## Decisions that differ\n\n");
    if (c.differences().isEmpty()) {
      md.append("None.\n");
    } else {
      md.append("| request | recorded | replayed | cause |\n|---|---|---|---|\n");
      c.differences().stream()
          .limit(500)
          .forEach(
              d ->
                  md.append("| `")
                      .append(d.requestId())
                      .append("` | ")
                      .append(withScores(d.recorded()))
                      .append(" | ")
                      .append(d.replayed() == null ? "none" : withScores(d.replayed()))
                      .append(" | ")
                      .append(d.cause().replace("|", "/"))
                      .append(" |\n"));
      if (c.differences().size() > 500) {
        md.append("\n(first 500 of ")
            .append(c.differences().size())
            .append("; all in report.json)\n");
      }
    }
    return md.toString();
  }

  private static String withScores(ScheduleDecision d) {
    StringBuilder b =
        new StringBuilder(d.getOutcome().name())
            .append(d.getReason() == null ? "" : " " + d.getReason());
    for (ParentCandidate p : d.getParents()) {
      b.append(String.format(Locale.ROOT, " %s (%.3f)", p.getHostId(), p.getTotalScore()));
    }
    return b.toString().replace("|", "/");
  }

  private static void row(StringBuilder md, String name, Object a, Object b) {
    md.append("| ").append(name).append(" | ").append(a).append(" | ").append(b).append(" |\n");
  }

  private static String pct(double x) {
    return String.format(Locale.ROOT, "%.1f%%", 100 * x);
  }

  private static String num(Double x) {
    return x == null ? "-" : String.format(Locale.ROOT, "%.1f", x);
  }

  static String write(Path file, String text) {
    try {
      Files.writeString(file, text);
      return file.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
