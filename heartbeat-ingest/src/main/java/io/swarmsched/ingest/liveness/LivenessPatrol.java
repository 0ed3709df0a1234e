package io.swarmsched.ingest.liveness;

import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.Liveness;
import java.time.Instant;

/**
 * The checker run on a wall-clock timer over every known host: decides, from how long a host has
 * been silent, whether its liveness changes or it is forgotten. Silence is measured from when
 * ingest last heard from the host (its own clock), not from the agent's timestamp, so an agent
 * whose clock lags does not look silent.
 */
public final class LivenessPatrol {

  /** What the patrol does to one host. */
  public sealed interface Verdict permits Unchanged, Transition, Expire {}

  /** Nothing to publish. */
  public record Unchanged() implements Verdict {}

  /** The host's liveness changed; publish the new state. */
  public record Transition(HostState state, Liveness from) implements Verdict {}

  /** OFFLINE longer than the TTL: publish a tombstone and forget the host. */
  public record Expire() implements Verdict {}

  private static final Unchanged UNCHANGED = new Unchanged();
  private final LivenessPolicy policy;

  public LivenessPatrol(LivenessPolicy policy) {
    this.policy = policy;
  }

  /**
   * @param state the host's current state
   * @param lastHeardMs when ingest last accepted a heartbeat from it (wall clock)
   * @param nowMs the wall clock now
   */
  public Verdict check(HostState state, long lastHeardMs, long nowMs) {
    Liveness current = state.getLiveness();
    if (current == Liveness.OFFLINE) {
      long offlineFor = nowMs - state.getLivenessChangedAt().toEpochMilli();
      return offlineFor >= policy.offlineTtl().toMillis() ? new Expire() : UNCHANGED;
    }
    Liveness due = policy.livenessAfterSilence(nowMs - lastHeardMs);
    if (due.ordinal() > current.ordinal()) {
      return new Transition(
          HostStates.withLiveness(state, due, Instant.ofEpochMilli(nowMs)), current);
    }
    return UNCHANGED;
  }

  public LivenessPolicy policy() {
    return policy;
  }
}
