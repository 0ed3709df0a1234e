package io.swarmsched.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a chaos run found. The counts come from one full {@code read_committed} pass over the
 * decisions topic after the run ({@link DecisionAudit}); recovery times from the decision tap.
 *
 * @param lost run requests on the requests topic without a terminal decision
 * @param decidedTwiceDifferently requests with two terminal decisions that differ (decision id,
 *     outcome, reason or parents)
 * @param deliveredTwice requests whose terminal decision a read_committed reader gets more than
 *     once
 * @param inputDuplicates requests that are on the requests topic more than once (the harness's
 *     producer is idempotent: expected 0)
 */
public record ChaosReport(
    Map<String, Object> setup,
    long requestsSent,
    long requestsOnTopic,
    long inputDuplicates,
    long decided,
    long lost,
    long decidedTwiceDifferently,
    long deliveredTwice,
    Map<String, Long> outcomes,
    long seedTriggers,
    long otherDecisions,
    List<Fault> faults,
    double sendSeconds,
    double drainSeconds,
    double totalSeconds,
    Map<String, Object> evidence) {

  /**
   * One fault and how long decisions took to come back after it (milliseconds from the fault to the
   * first decision a read_committed reader got; -1 when none came).
   *
   * @param target what was killed or restarted (name and pid)
   * @param atSecond seconds into the request stream
   * @param afterRequests requests sent when it happened
   * @param firstDecisionMs to the next decision of any task
   * @param allPartitionsMs until every request partition had a decision again
   * @param killedPartitions the killed dispatcher's request partitions (from its group's
   *     assignment), if known
   * @param killedPartitionsMs until each of those had a decision again
   * @param partitionsMs per request partition (index = partition), until it had a decision again
   *     (-1: none came)
   * @param detail anything else measured (e.g. replicas back in sync after a restart)
   */
  public record Fault(
      String kind,
      String target,
      double atSecond,
      long afterRequests,
      long firstDecisionMs,
      long allPartitionsMs,
      List<Integer> killedPartitions,
      long killedPartitionsMs,
      List<Long> partitionsMs,
      String detail) {}

  /**
   * 0 lost, 0 decided twice differently, 0 delivered twice, every sent request on the topic once.
   */
  public boolean passed() {
    return lost == 0
        && decidedTwiceDifferently == 0
        && deliveredTwice == 0
        && inputDuplicates == 0
        && requestsOnTopic == requestsSent;
  }

  public String table() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("%-44s %s%n", "setup", setup));
    row(b, "requests sent", requestsSent);
    row(b, "requests on the requests topic", requestsOnTopic);
    row(b, "  of them more than once (input duplicates)", inputDuplicates);
    row(b, "decided (a terminal decision, read_committed)", decided);
    row(b, "lost (no terminal decision)", lost);
    row(b, "decided twice differently", decidedTwiceDifferently);
    row(b, "delivered twice (same request id twice)", deliveredTwice);
    b.append(String.format("%-44s %s%n", "outcomes", outcomes));
    row(b, "seed triggers / other requests' decisions", seedTriggers + " / " + otherDecisions);
    b.append(
        String.format(
            "%-44s %.1f s sending, %.1f s draining, %.1f s in all%n",
            "time", sendSeconds, drainSeconds, totalSeconds));
    b.append(
        String.format(
            "%n%-18s %-26s %8s %9s %12s %14s %16s%n",
            "fault",
            "target",
            "at s",
            "after req",
            "first dec ms",
            "all parts ms",
            "killed parts ms"));
    for (Fault f : faults) {
      b.append(
          String.format(
              "%-18s %-26s %8.1f %9d %12s %14s %16s%n",
              f.kind(),
              f.target(),
              f.atSecond(),
              f.afterRequests(),
              ms(f.firstDecisionMs()),
              ms(f.allPartitionsMs()),
              f.killedPartitions().isEmpty()
                  ? "-"
                  : ms(f.killedPartitionsMs()) + " " + f.killedPartitions()));
      if (!f.partitionsMs().isEmpty()) {
        StringBuilder parts = new StringBuilder();
        for (int p = 0; p < f.partitionsMs().size(); p++) {
          parts
              .append(p == 0 ? "" : ", ")
              .append(p)
              .append(": ")
              .append(ms(f.partitionsMs().get(p)));
        }
        b.append("    ms per request partition until it decided again: ")
            .append(parts)
            .append('\n');
      }
      if (f.detail() != null && !f.detail().isEmpty()) {
        b.append("    ").append(f.detail()).append('\n');
      }
    }
    if (evidence.get("timeline") instanceof Map<?, ?> timeline
        && timeline.get("all") instanceof long[] all) {
      b.append(
          String.format(
              "%ndecisions per 10 s from the first request: %s%n", java.util.Arrays.toString(all)));
    }
    b.append(
        String.format(
            "%n%s%n",
            passed()
                ? "PASSED: nothing lost, nothing decided or delivered twice"
                : "FAILED: see evidence in report.json"));
    return b.toString();
  }

  private static String ms(long ms) {
    return ms < 0 ? "none" : Long.toString(ms);
  }

  private static void row(StringBuilder b, String label, Object value) {
    b.append(String.format("%-44s %s%n", label, value));
  }

  public String json() {
    try {
      return new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(
              new java.util.LinkedHashMap<>(Map.of("passed", passed(), "report", this)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the report as JSON: " + e.getMessage(), e);
    }
  }

  /** Writes report.json and report.txt into {@code dir}. */
  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("report.json"), json());
    Files.writeString(dir.resolve("report.txt"), table());
  }
}
