package io.swarmsched.replay;

import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.ScheduleDecision;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** The what-if report's report.md: the comparison, the two sides side by side, the differences. */
final class ReportMarkdown {
  private ReportMarkdown() {}

  static String of(Replayer.Result r, Side a, Side b) {
    Comparison.Result c = r.comparison();
    StringBuilder md = new StringBuilder();
    md.append("# Replay report\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Replayed %s inputs (%s) through the dispatcher's topology on %d partition(s) in %.1f s"
                + " with policy `%s` (recorded: `%s`). Settings: %s.\n\n",
            r.inputsByTopic().values().stream().mapToLong(Long::longValue).sum(),
            r.inputsByTopic(),
            r.lanes(),
            r.seconds(),
            r.policyId(),
            Objects.toString(r.recordedPolicyId(), "no decisions recorded"),
            r.settingsSource()));
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
            c.different(),
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
    for (String k : ReportCharts.union(a.byOutcome().keySet(), b.byOutcome().keySet())) {
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
    for (String k : ReportCharts.union(a.byReason().keySet(), b.byReason().keySet())) {
      row(md, k, a.byReason().getOrDefault(k, 0L), b.byReason().getOrDefault(k, 0L));
    }
    md.append("\n## Parent slots per host\n\n| host | ")
        .append(a.label())
        .append(" | ")
        .append(b.label())
        .append(" |\n|---|---|---|\n");
    for (String h :
        ReportCharts.union(a.parentSlotsByHost().keySet(), b.parentSlotsByHost().keySet())) {
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
      if (c.different() > 500) {
        md.append("\n(first 500 of ").append(c.different()).append("; all in differences.jsonl)\n");
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
}
