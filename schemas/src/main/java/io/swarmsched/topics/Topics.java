package io.swarmsched.topics;

import io.swarmsched.schemas.HostHeartbeat;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.JobEvent;
import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.PieceEvent;
import io.swarmsched.schemas.ScheduleDecision;
import io.swarmsched.schemas.ScheduleRequest;
import io.swarmsched.schemas.TaskMetadata;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The catalog of every topic swarmsched reads or writes: the one place their names, keys, schemas,
 * partitions, cleanup policies and retention are written down.
 */
public final class Topics {
  private Topics() {}

  public static final int DEFAULT_PARTITIONS = 6;

  public static final Topic HOST_HEARTBEATS =
      events(
          "swarm.host-heartbeats.v1",
          "host id",
          HostHeartbeat.getClassSchema(),
          Duration.ofDays(1));
  public static final Topic HOSTS = table("swarm.hosts.v1", "host id", HostState.getClassSchema());
  public static final Topic HOST_SCORES =
      table("swarm.host-scores.v1", "host id", HostScore.getClassSchema());
  public static final Topic PIECE_EVENTS =
      events("swarm.piece-events.v1", "task id", PieceEvent.getClassSchema(), Duration.ofDays(7));
  public static final Topic PEER_EVENTS =
      events("swarm.peer-events.v1", "task id", PeerEvent.getClassSchema(), Duration.ofDays(7));
  public static final Topic TASK_METADATA =
      table("swarm.task-metadata.v1", "task id", TaskMetadata.getClassSchema());
  public static final Topic SCHEDULE_REQUESTS =
      events(
          "swarm.schedule-requests.v1",
          "task id",
          ScheduleRequest.getClassSchema(),
          Duration.ofDays(7));
  public static final Topic SCHEDULE_DECISIONS =
      events(
          "swarm.schedule-decisions.v1",
          "host id of the host that must act",
          ScheduleDecision.getClassSchema(),
          Duration.ofDays(7));

  /**
   * Job lifecycle events. One partition on purpose: the dispatcher's job pool reads it as the
   * single writer of every worker's running-job count, which is what keeps {@code max_tasks} a hard
   * limit across dispatcher instances (docs/design.md, "Worker pools").
   */
  public static final Topic JOB_EVENTS =
      new Topic(
          "swarm.job-events.v1",
          "job id",
          Optional.of(JobEvent.getClassSchema()),
          1,
          false,
          Duration.ofDays(7));

  public static final Topic DEAD_LETTERS =
      new Topic(
          "swarm.dead-letters.v1",
          "the original key",
          Optional.empty(),
          DEFAULT_PARTITIONS,
          false,
          Duration.ofDays(14));

  /** Every topic, in provisioning order. */
  public static final List<Topic> ALL =
      List.of(
          HOST_HEARTBEATS,
          HOSTS,
          HOST_SCORES,
          PIECE_EVENTS,
          PEER_EVENTS,
          TASK_METADATA,
          SCHEDULE_REQUESTS,
          SCHEDULE_DECISIONS,
          JOB_EVENTS,
          DEAD_LETTERS);

  private static Topic events(String name, String key, Schema schema, Duration retention) {
    return new Topic(name, key, Optional.of(schema), DEFAULT_PARTITIONS, false, retention);
  }

  private static Topic table(String name, String key, Schema schema) {
    return new Topic(name, key, Optional.of(schema), DEFAULT_PARTITIONS, true, Duration.ZERO);
  }

  /** The topic of that name, if it is in the catalog. */
  public static Optional<Topic> byName(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
