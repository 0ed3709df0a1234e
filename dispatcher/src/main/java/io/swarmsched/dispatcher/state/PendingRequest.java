package io.swarmsched.dispatcher.state;

/**
 * A request the dispatcher retries itself: the original request (Avro single-object encoding) and
 * how many rounds it has spent.
 */
public final class PendingRequest {
  public String taskId;
  public String requestId;

  /** ScheduleRequest.toByteBuffer() bytes. */
  public byte[] request;

  /** Empty rounds so far (no candidate survived the filters). */
  public int emptyRounds;

  /** Rounds spent waiting for a triggered seed (not counted as empty rounds). */
  public int seedRounds;

  /** Rounds run so far (every kind). */
  public int rounds;

  public long firstSeenAt;
  public long dueAt;

  /** Why it waits: NO_CANDIDATES, WAITING_FOR_SEED, BACK_TO_SOURCE_LIMIT, NO_CAPACITY. */
  public String reason;

  /** Set for fresh decisions the dispatcher makes on its own (PARENT_LOST). */
  public String origin;

  public PendingRequest() {}
}
