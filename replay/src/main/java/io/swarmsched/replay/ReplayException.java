package io.swarmsched.replay;

/**
 * Bad input for a recording or a replay (unreadable file, empty range, unknown policy or setting):
 * the message is the one line the user sees.
 */
public final class ReplayException extends RuntimeException {
  public ReplayException(String message) {
    super(message);
  }

  public ReplayException(String message, Throwable cause) {
    super(message, cause);
  }
}
