package io.swarmsched.scheduling.resource;

/** The outcome of asking a peer to change state. */
public sealed interface TransitionResult {

  /** True unless the transition was illegal. */
  default boolean accepted() {
    return !(this instanceof IllegalTransition);
  }

  /** The state changed. */
  record Applied(String peerId, PeerState from, PeerState to) implements TransitionResult {}

  /** Already in the target state: nothing changed (a redelivered event is harmless). */
  record Unchanged(String peerId, PeerState state) implements TransitionResult {}

  /** Rejected: the state machine has no such edge. The peer keeps its state. */
  record IllegalTransition(String peerId, PeerState from, PeerState to)
      implements TransitionResult {
    public String reason() {
      return "illegal peer transition " + from + " -> " + to + " for peer " + peerId;
    }
  }
}
