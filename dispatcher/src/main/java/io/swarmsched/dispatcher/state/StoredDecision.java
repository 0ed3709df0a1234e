package io.swarmsched.dispatcher.state;

import io.swarmsched.schemas.ScheduleDecision;

/**
 * A terminal decision as the decision store keeps it: when it was made, beside the decision. The
 * expiry sweep reads only the time; the decision itself is decoded on first use, so a sweep over
 * the store decodes no Avro.
 */
public final class StoredDecision {
  private final long decidedAt;
  private ScheduleDecision decision;
  private byte[] encoded;
  private final AvroMessageSerde<ScheduleDecision> avro;

  /** A decision made now, to be stored. */
  public StoredDecision(long decidedAt, ScheduleDecision decision) {
    this.decidedAt = decidedAt;
    this.decision = decision;
    this.avro = null;
  }

  /** A decision read from the store: {@code encoded} is decoded by {@code avro} when asked for. */
  StoredDecision(long decidedAt, byte[] encoded, AvroMessageSerde<ScheduleDecision> avro) {
    this.decidedAt = decidedAt;
    this.encoded = encoded;
    this.avro = avro;
  }

  /** When the decision was made (the dispatcher's stream time then), epoch milliseconds. */
  public long decidedAt() {
    return decidedAt;
  }

  public ScheduleDecision decision() {
    if (decision == null) {
      decision = avro.decode(encoded);
      encoded = null;
    }
    return decision;
  }

  /** The Avro bytes as read, if the decision has not been decoded (null otherwise). */
  byte[] encoded() {
    return encoded;
  }
}
