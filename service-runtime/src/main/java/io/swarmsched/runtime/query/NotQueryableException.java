package io.swarmsched.runtime.query;

/**
 * The store cannot answer right now (rebalancing, restoring, not started); worth retrying briefly.
 */
public class NotQueryableException extends RuntimeException {
  public NotQueryableException(String message) {
    super(message);
  }

  public NotQueryableException(String message, Throwable cause) {
    super(message, cause);
  }
}
