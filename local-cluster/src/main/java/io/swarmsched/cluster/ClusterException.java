package io.swarmsched.cluster;

/**
 * The local cluster could not start or stop; the message says why in one line a user can act on.
 */
public class ClusterException extends RuntimeException {
  public ClusterException(String message) {
    super(message);
  }

  public ClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
