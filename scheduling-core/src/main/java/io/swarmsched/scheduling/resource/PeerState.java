package io.swarmsched.scheduling.resource;

/**
 * States of a peer: {@code PENDING → RUNNING → (BACK_TO_SOURCE) → SUCCEEDED}, {@code FAILED},
 * {@code LEFT}.
 */
public enum PeerState {
  PENDING,
  RUNNING,
  BACK_TO_SOURCE,
  SUCCEEDED,
  FAILED,
  LEFT;

  /** A peer in one of these states may serve pieces to children (filter rule 3). */
  public boolean canServe() {
    return this == RUNNING || this == BACK_TO_SOURCE || this == SUCCEEDED;
  }

  /** No further download progress is expected. */
  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == LEFT;
  }
}
