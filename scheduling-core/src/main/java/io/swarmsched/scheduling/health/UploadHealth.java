package io.swarmsched.scheduling.health;

/**
 * A host's uploads in the current window as the dispatcher counted them from piece events: pieces
 * served and failed since {@code windowStartMillis}, and until when it is quarantined (0 for
 * never).
 */
public record UploadHealth(
    long windowStartMillis, long served, long failed, long quarantinedUntilMillis) {

  public UploadHealth {
    if (served < 0 || failed < 0) {
      throw new IllegalArgumentException(
          "served and failed must be >= 0, were " + served + " and " + failed);
    }
  }

  public long total() {
    return served + failed;
  }

  public boolean quarantinedAt(long nowMillis) {
    return quarantinedUntilMillis > nowMillis;
  }
}
