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

  /**
   * The rounds it has waited through (on its input record, and retries in punctuations on the
   * stream-time or wall clock), oldest first: its terminal decision records them ({@code
   * provenance.earlier_rounds}), so a replay runs them where the live dispatcher did. Null in
   * entries stored before it was kept, and left out of the JSON while null (an added field, so the
   * format stays version 1: older builds ignore it).
   */
  @com.fasterxml.jackson.annotation.JsonInclude(
      com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  public java.util.List<Round> earlierRounds;

  /** One round: its time, the record it ran on, and where the inputs and tables stood. */
  public static final class Round {
    public long at;

    /** The input record it ran on (topic-partition@offset); null in a punctuation. */
    public String input;

    /** Input topic-partition → offset of its next record to process. */
    public java.util.Map<String, Long> inputPositions;

    public java.util.List<Long> hostsPositions;
    public java.util.List<Long> scoresPositions;

    public Round() {}
  }

  public PendingRequest() {}
}
