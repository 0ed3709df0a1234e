package io.swarmsched.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.swarmsched.scheduling.evaluator.Evaluators;
import io.swarmsched.schemas.TaskMetadata;
import io.swarmsched.simulator.Scenario;
import io.swarmsched.simulator.Scenarios;
import io.swarmsched.simulator.SimOptions;
import io.swarmsched.simulator.SimResult;
import io.swarmsched.simulator.Swarm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The what-if report in the replay's output directory (beside the {@code decisions.jsonl} and
 * {@code differences.jsonl} the replay wrote as it went): {@code report.md} ({@link
 * ReportMarkdown}), {@code report.json} and PNG charts ({@link ReportCharts}) with, for the
 * recorded and the replayed policy side by side: decisions by outcome and reason, each parent
 * host's share of the parent slots (how evenly load spread), seed and origin load, back-to-source
 * count, the decisions that differ with both choices and scores, and the completion times the swarm
 * simulator predicts for each policy.
 */
public final class WhatIfReport {
  private WhatIfReport() {}

  /** What {@link #write} produced. */
  public record Written(Path dir, Side recorded, Side replayed, Comparison.Result comparison) {}

  /**
   * Writes the report into {@code dir}.
   *
   * @param simulate whether to run the simulator for each policy (seconds per policy)
   */
  public static Written write(Replayer.Result r, Path dir, boolean simulate) {
    try {
      Files.createDirectories(dir);
      Side recorded = r.recorded();
      Side replayed = r.replayed();
      if (simulate) {
        predict(r, recorded);
        predict(r, replayed);
      }
      ReportCharts.write(dir, recorded, replayed);
      writeJson(dir.resolve("report.json"), r, recorded, replayed);
      Files.writeString(dir.resolve("report.md"), ReportMarkdown.of(r, recorded, replayed));
      return new Written(dir, recorded, replayed, r.comparison());
    } catch (IOException e) {
      throw new ReplayException("cannot write to " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The simulator's completion times for the side's policy, on its uniform swarm shaped after the
   * recording (its number of hosts and the recorded task's size).
   */
  private static void predict(Replayer.Result r, Side side) {
    String policy = ReplaySettings.policyName(side.policyId());
    if (policy == null || !Evaluators.isRegistered(policy)) return;
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

  private static void writeJson(Path file, Replayer.Result r, Side recorded, Side replayed)
      throws IOException {
    Comparison.Result c = r.comparison();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("policy", r.policy());
    root.put("policy_id", r.policyId());
    root.put("recorded_policy_id", r.recordedPolicyId());
    root.put("settings", r.settings());
    root.put("settings_source", r.settingsSource());
    root.put("recorded_policy", r.recordedSettings().policy());
    root.put("recorded_settings", r.recordedSettings().settings());
    root.put("recorded_settings_inferred", r.recordedSettings().inferred());
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
    cmp.put("different", c.different());
    cmp.put("unexplained", c.unexplained());
    cmp.put("recorded_only", c.recordedOnly());
    cmp.put("replayed_only", c.replayedOnly());
    cmp.put("recorded_seed_triggers", c.recordedSeedTriggers());
    cmp.put("replayed_seed_triggers", c.replayedSeedTriggers());
    root.put("comparison", cmp);
    root.put("recorded", recorded);
    root.put("replayed", replayed);
    List<Map<String, Object>> diffs = new ArrayList<>();
    for (Comparison.Difference d : c.differences()) diffs.add(DifferencesFile.map(d));
    root.put("differences", diffs); // the first Comparison.LISTED; all in differences.jsonl
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
  }
}
