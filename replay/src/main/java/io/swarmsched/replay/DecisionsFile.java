package io.swarmsched.replay;

import io.swarmsched.dispatcher.http.AvroJson;
import io.swarmsched.schemas.ScheduleDecision;
import java.nio.file.Path;

/** {@code decisions.jsonl}: each replayed decision as a JSON line, written as it is produced. */
public final class DecisionsFile implements ReplayOutput {
  public static final String NAME = "decisions.jsonl";

  private final JsonLines out;

  /** Opens {@code dir}/decisions.jsonl for writing (the directory is made when missing). */
  public DecisionsFile(Path dir) {
    out = new JsonLines(dir, NAME);
  }

  @Override
  public void decision(ScheduleDecision d) {
    out.write(AvroJson.toMap(d));
  }

  @Override
  public void close() {
    out.close();
  }
}
