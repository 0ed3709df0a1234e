package io.swarmsched.dispatcher.state;

import java.util.Map;
import java.util.TreeMap;

/**
 * What one peer has received, by who served it: bytes and pieces of its finished pieces per parent
 * peer, and from the origin (back to source). Summed from the task's piece events.
 *
 * <p>Unlike the peer's in-edges in core's DAG, which say who feeds whom now and are cleared when
 * the peer finishes, this is the history of the download: the dashboard draws it on the DAG's edges
 * ("who served how much", docs/design.md, "Observability"), so it stays after the peer has finished
 * and after a parent has left.
 *
 * <p>Bounded: a peer keeps at most {@link #MAX_PARENTS} parents by name (a reschedule brings a few
 * new ones; hundreds would be a misbehaving agent), and what further parents serve is summed in
 * {@link #unlisted}, so the task store cannot grow without limit and no byte goes uncounted. Kept
 * per peer in {@link StoredTask}, written by {@link StoredTaskSerde} (version 3 on).
 */
public final class ServedBytes {
  public static final int MAX_PARENTS = 64;

  /** Bytes and pieces from one source. */
  public static final class Share {
    public long bytes;
    public int pieces;

    public Share() {}

    public Share(long bytes, int pieces) {
      this.bytes = bytes;
      this.pieces = pieces;
    }

    void add(long moreBytes) {
      bytes = plus(bytes, moreBytes);
      if (pieces < Integer.MAX_VALUE) pieces++;
    }

    public boolean isEmpty() {
      return bytes == 0 && pieces == 0;
    }
  }

  /** Parent peer id -> what it served; sorted so that the stored form is deterministic. */
  public Map<String, Share> byParent = new TreeMap<>();

  /** Back to source: pieces fetched from the origin. */
  public Share origin = new Share();

  /** What parents beyond the first {@link #MAX_PARENTS}, or not named at all, served. */
  public Share unlisted = new Share();

  /** One finished piece of {@code bytes} fetched from the origin. */
  public void fromOrigin(long bytes) {
    origin.add(checked(bytes));
  }

  /**
   * One finished piece of {@code bytes} served by {@code parentPeerId} (null or blank when the
   * piece event named no parent: counted as unlisted, never as the origin's).
   */
  public void fromParent(String parentPeerId, long bytes) {
    checked(bytes);
    Share share =
        parentPeerId == null || parentPeerId.isBlank() ? null : byParent.get(parentPeerId);
    if (share == null) {
      if (parentPeerId == null || parentPeerId.isBlank() || byParent.size() >= MAX_PARENTS) {
        unlisted.add(bytes);
        return;
      }
      share = new Share();
      byParent.put(parentPeerId, share);
    }
    share.add(bytes);
  }

  private static long checked(long bytes) {
    if (bytes < 0) throw new IllegalArgumentException("bytes must not be negative: " + bytes);
    return bytes;
  }

  /** Bytes received from every source. */
  public long totalBytes() {
    long total = plus(origin.bytes, unlisted.bytes);
    for (Share s : byParent.values()) total = plus(total, s.bytes);
    return total;
  }

  /**
   * Saturating: a validated piece is small, but sums of hostile sizes must not wrap to negative.
   */
  private static long plus(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  public boolean isEmpty() {
    return byParent.isEmpty() && origin.isEmpty() && unlisted.isEmpty();
  }
}
