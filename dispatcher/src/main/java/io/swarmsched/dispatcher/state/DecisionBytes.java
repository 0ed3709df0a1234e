package io.swarmsched.dispatcher.state;

import io.swarmsched.schemas.ScheduleDecision;

/**
 * The Avro bytes of the decision last written to the decision store on this thread. A new decision
 * is stored and then sent to the decisions topic, on the same stream thread and as the same object
 * ({@code DecisionLog.remember}, then {@code forward}), so the topic's serializer finds here the
 * body the store's serializer has just encoded and need not encode it again: one Avro encode per
 * decision instead of two (issue 17). By identity: a decision is never changed after it is built,
 * and any other object is simply encoded.
 */
public final class DecisionBytes {
  /**
   * The header of Avro's single-object encoding: marker {@code C3 01}, then an 8-byte fingerprint.
   */
  public static final int SINGLE_OBJECT_HEADER = 10;

  private static final class Last {
    ScheduleDecision decision;
    byte[] singleObject;
  }

  private final ThreadLocal<Last> last = ThreadLocal.withInitial(Last::new);

  /** Remembers the single-object encoding of {@code decision}, just written on this thread. */
  void encoded(ScheduleDecision decision, byte[] singleObject) {
    Last l = last.get();
    l.decision = decision;
    l.singleObject = singleObject;
  }

  /**
   * The single-object encoding of {@code decision} if it is the decision last stored on this
   * thread; {@code null} otherwise.
   */
  public byte[] singleObject(ScheduleDecision decision) {
    Last l = last.get();
    return l.decision == decision ? l.singleObject : null;
  }
}
