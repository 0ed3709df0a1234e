package io.swarmsched.scheduling.evaluator;

import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.PeerState;

/** The affinity and host-type parts of TotalScore, exactly as docs/design.md defines them. */
public final class Affinity {

  /** At most this many {@code |}-separated location elements count. */
  public static final int MAX_LOCATION_ELEMENTS = 5;

  public static final String LOCATION_SEPARATOR = "\\|";

  public static final double NORMAL_HOST_SCORE = 0.5;
  public static final double DOWNLOADING_SEED_SCORE = 1.0;
  public static final double FINISHED_SEED_SCORE = 0.0;

  private Affinity() {}

  /** 1 when both IDCs are set and equal ignoring case, else 0. */
  public static double idc(String a, String b) {
    if (a == null || b == null || a.isEmpty() || b.isEmpty()) {
      return 0.0;
    }
    if (a.length() != b.length()) {
      return 0.0;
    }
    return a.equals(b) || a.equalsIgnoreCase(b) ? 1.0 : 0.0;
  }

  /**
   * 1 when the locations are equal; else the number of equal {@code |}-separated elements counted
   * from the left up to the first mismatch, over 5 (at most 5 elements count). An unset location on
   * either side scores 0 — it says nothing about proximity (as in Dragonfly). Elements compare
   * ignoring case, like IDCs.
   */
  public static double location(String a, String b) {
    if (a == null || b == null || a.isEmpty() || b.isEmpty()) {
      return 0.0;
    }
    if (a.equalsIgnoreCase(b)) {
      return 1.0;
    }
    // Element by element without splitting (this runs once per candidate): the same count as
    // comparing
    // a.split("\\|", -1) and b.split("\\|", -1) from the left, ignoring case, up to 5 elements.
    int equal = 0;
    int ia = 0;
    int ib = 0;
    while (equal < MAX_LOCATION_ELEMENTS) {
      int ea = a.indexOf('|', ia);
      int eb = b.indexOf('|', ib);
      if (ea < 0) {
        ea = a.length();
      }
      if (eb < 0) {
        eb = b.length();
      }
      if (ea - ia != eb - ib || !a.regionMatches(true, ia, b, ib, ea - ia)) {
        break;
      }
      equal++;
      if (ea == a.length() || eb == b.length()) {
        break; // one of them has no further element
      }
      ia = ea + 1;
      ib = eb + 1;
    }
    return (double) equal / MAX_LOCATION_ELEMENTS;
  }

  /** A normal parent 0.5; a seed 1 while it is still downloading, 0 once it has finished. */
  public static double hostType(HostType type, PeerState state) {
    if (!type.isSeed()) {
      return NORMAL_HOST_SCORE;
    }
    return state == PeerState.SUCCEEDED || state.isTerminal()
        ? FINISHED_SEED_SCORE
        : DOWNLOADING_SEED_SCORE;
  }
}
