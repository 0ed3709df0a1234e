package io.swarmsched.replay;

import io.swarmsched.schemas.PeerEvent;
import io.swarmsched.schemas.ScheduleDecision;

/**
 * Where a replay's outputs go as they are produced (a file, topics under a replay prefix, a test's
 * list): a replay holds none of its decisions, so a long one runs in bounded memory.
 */
@FunctionalInterface
public interface ReplayOutput extends AutoCloseable {
  /** A replayed decision, in the order its partition produced it. */
  void decision(ScheduleDecision d);

  /** A peer event the replayed dispatcher wrote (its patrol's LEFT events). */
  default void peerEvent(String key, PeerEvent e) {}

  /** Everything written is where it goes (a file flushed, a producer's sends acknowledged). */
  @Override
  default void close() {}
}
