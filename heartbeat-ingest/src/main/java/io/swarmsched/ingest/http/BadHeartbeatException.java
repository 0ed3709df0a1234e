package io.swarmsched.ingest.http;

/** A heartbeat body that cannot become a HostHeartbeat; names the field at fault. */
public final class BadHeartbeatException extends RuntimeException {
  private final String field;

  public BadHeartbeatException(String field, String reason) {
    super(field + ": " + reason);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
