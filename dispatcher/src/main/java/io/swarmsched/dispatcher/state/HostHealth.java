package io.swarmsched.dispatcher.state;

/**
 * Upload health of a host as seen from this instance's partitions: pieces it served and failed in
 * the current window, and until when it is quarantined.
 */
public final class HostHealth {
  public String hostId;
  public long windowStart;
  public long served;
  public long failed;
  public long quarantinedUntil;

  public HostHealth() {}

  public HostHealth(String hostId, long windowStart) {
    this.hostId = hostId;
    this.windowStart = windowStart;
  }
}
