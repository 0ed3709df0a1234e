package io.swarmsched.dispatcher.state;

/** A peer's state: PENDING -> RUNNING -> (BACK_TO_SOURCE) -> SUCCEEDED, FAILED, LEFT. */
public enum PeerStatus {
  PENDING, RUNNING, BACK_TO_SOURCE, SUCCEEDED, FAILED, LEFT
}
