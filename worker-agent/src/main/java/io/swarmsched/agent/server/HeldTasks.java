package io.swarmsched.agent.server;

import io.swarmsched.agent.storage.PieceFile;
import java.util.Optional;

/** The tasks whose pieces an agent can serve, by task id. */
@FunctionalInterface
public interface HeldTasks {
  Optional<PieceFile> find(String taskId);
}
