package io.swarmsched.scheduling.seed;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/** When each seed last failed each task, to skip it for that task for a while. Not thread-safe. */
public final class SeedFailures {

  public static final long DEFAULT_WINDOW_MILLIS = 30 * 60 * 1000L;

  private final long windowMillis;

  /** "task\u0000seed" → last failure time. */
  private final Map<String, Long> lastFailure = new HashMap<>();

  public SeedFailures(long windowMillis) {
    if (windowMillis < 0) {
      throw new IllegalArgumentException("windowMillis must be >= 0, was " + windowMillis);
    }
    this.windowMillis = windowMillis;
  }

  public SeedFailures() {
    this(DEFAULT_WINDOW_MILLIS);
  }

  public long windowMillis() {
    return windowMillis;
  }

  public void record(String taskId, String seedHostId, long atMillis) {
    lastFailure.merge(key(taskId, seedHostId), atMillis, Math::max);
  }

  /** True when the seed failed the task within the window before {@code nowMillis}. */
  public boolean recentlyFailed(String taskId, String seedHostId, long nowMillis) {
    Long at = lastFailure.get(key(taskId, seedHostId));
    return at != null && nowMillis - at < windowMillis;
  }

  /** Forgets failures older than the window (memory bound). */
  public void expire(long nowMillis) {
    Iterator<Long> it = lastFailure.values().iterator();
    while (it.hasNext()) {
      if (nowMillis - it.next() >= windowMillis) {
        it.remove();
      }
    }
  }

  public int size() {
    return lastFailure.size();
  }

  private static String key(String taskId, String seedHostId) {
    return taskId + '\u0000' + seedHostId;
  }
}
