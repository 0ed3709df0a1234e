package io.swarmsched.agent.storage;

/** A piece whose bytes do not match its digest (or its expected length); it was not written. */
public final class PieceVerificationException extends Exception {
  private final int piece;

  public PieceVerificationException(int piece, String message) {
    super("piece " + piece + ": " + message);
    this.piece = piece;
  }

  public int piece() {
    return piece;
  }
}
