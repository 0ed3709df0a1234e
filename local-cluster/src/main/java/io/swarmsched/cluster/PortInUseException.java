package io.swarmsched.cluster;

/** A port the local cluster needs is already taken by another process. */
public final class PortInUseException extends ClusterException {
  private final int port;
  private final String purpose;

  public PortInUseException(String purpose, int port, String flag) {
    super(
        "Port "
            + port
            + " ("
            + purpose
            + ") is already in use. Stop whatever is listening on it, "
            + "or choose another port with "
            + flag
            + ".");
    this.port = port;
    this.purpose = purpose;
  }

  public int port() {
    return port;
  }

  public String purpose() {
    return purpose;
  }
}
