package io.swarmsched.replay;

import io.swarmsched.schemas.ParentCandidate;
import io.swarmsched.schemas.ScheduleDecision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code differences.jsonl}: every decision that differs, with both choices, their scores and the
 * cause, as a JSON line (report.json lists the first {@link Comparison#LISTED}).
 */
public final class DifferencesFile implements Consumer<Comparison.Difference>, AutoCloseable {
  public static final String NAME = "differences.jsonl";

  private final JsonLines out;

  DifferencesFile(Path dir) {
    out = new JsonLines(dir, NAME);
  }

  @Override
  public void accept(Comparison.Difference d) {
    out.write(map(d));
  }

  @Override
  public void close() {
    out.close();
  }

  /** A difference as report.json and differences.jsonl show it. */
  static Map<String, Object> map(Comparison.Difference d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("request_id", d.requestId());
    m.put("task_id", d.taskId());
    m.put("recorded", choice(d.recorded()));
    m.put("replayed", d.replayed() == null ? null : choice(d.replayed()));
    m.put("cause", d.cause());
    m.put("explained", d.explained());
    return m;
  }

  private static Map<String, Object> choice(ScheduleDecision d) {
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
}
