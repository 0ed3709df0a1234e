package io.swarmsched.agent.server;

import io.swarmsched.agent.storage.PieceFile;
import java.util.Optional;

/** The tasks whose pieces an agent can serve, by task id. */
@FunctionalInterface
public interface HeldTasks {
  Optional<PieceFile> find(String taskId);

  /**
   * True when this agent's copy of the task is a source: the host is a super seed, or its copy came
   * from the origin. Children ask a source only for pieces no other parent holds (docs/design.md,
   * "Stage 2"), so the copy from the origin is uploaded about once and the peers carry the rest.
   */
  default boolean source(String taskId) {
    return false;
  }
}
