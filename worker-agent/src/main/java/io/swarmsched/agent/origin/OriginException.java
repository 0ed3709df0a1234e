package io.swarmsched.agent.origin;

import java.io.IOException;

/** The origin could not give what was asked: unreachable, an HTTP error, or a short body. */
public final class OriginException extends IOException {
  private final int status;

  public OriginException(String message, int status) {
    super(message);
    this.status = status;
  }

  public OriginException(String message, Throwable cause) {
    super(message, cause);
    this.status = -1;
  }

  /** The HTTP status, or -1 when the origin was not reached. */
  public int status() {
    return status;
  }
}
