package io.swarmsched.agent.download;

import io.swarmsched.agent.AgentConfig;
import io.swarmsched.agent.origin.OriginClient;
import io.swarmsched.agent.server.ParentClient;
import io.swarmsched.agent.storage.PieceFile;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.TaskMetadata;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What a download needs from the agent that runs it. */
public interface DownloadContext {
  AgentConfig config();

  OriginClient origin();

  ParentClient parents();

  /** Publishes the request and completes with the decision for its request id. */
  CompletableFuture<ScheduleDecision> schedule(ScheduleRequest request);

  void publish(PeerEvent event);

  void publish(PieceEvent event);

  void publish(TaskMetadata metadata);

  Optional<TaskMetadata> awaitMetadata(String taskId, Duration timeout) throws InterruptedException;

  /** The newest task metadata known, without waiting; its piece digests may still be partial. */
  Optional<TaskMetadata> metadata(String taskId);

  /** From now on the verified pieces of this file are served to children. */
  void hold(String taskId, String peerId, PieceFile file, boolean cacheOwned);

  /**
   * Marks a held task's copy as fetched from the origin: children ask it only for pieces no other
   * parent holds.
   */
  void servesAsSource(String taskId);

  /** Marks a held task finished, so seeding time and quota start counting. */
  void completed(String taskId);

  /** Stops serving the task, for a download that failed. */
  void drop(String taskId);
}
