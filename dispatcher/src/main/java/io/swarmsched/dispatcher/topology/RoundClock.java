package io.swarmsched.dispatcher.topology;

/**
 * When a replay's dispatch processor runs its scheduling rounds (the retries and the patrol), in
 * place of the live clock: the live dispatcher runs them on stream time and, on a quiet partition,
 * on its wall clock, whose rounds cannot be derived from the inputs. A replay that knows where the
 * live dispatcher ran them (its decisions' {@code provenance.earlier_rounds}) offers each such
 * round at its place in the inputs and steps the driver's wall clock: the processor's wall-clock
 * punctuation then runs it at the recorded time. Live topologies have none (null).
 */
public interface RoundClock {
  /** No round offered. */
  long NONE = Long.MIN_VALUE;

  /**
   * Whether the processor also runs rounds on its own clock (stream time, the idle wall clock); a
   * same-policy replay turns that off while it offers the recorded rounds.
   */
  boolean ownRounds();

  /** The time of the round offered now (taken: the next call says {@link #NONE}), or NONE. */
  long take();
}
