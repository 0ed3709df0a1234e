package io.swarmsched.swarm;

/**
 * The fluid lower bound on the time to give a file of F bytes to N peers (Kumar and Ross): no
 * schedule beats {@code max(F/u_s, F/d_min, N·F/(u_s + Σu_i))}, where u_s is the origin's upload
 * rate, d_min the slowest peer's download rate and u_i the peers' upload rates. An unlimited rate
 * (0 here) drops its term.
 */
public final class FluidBound {
  private FluidBound() {}

  public static double seconds(
      long fileBytes, int peers, long originRate, long minDownloadRate, long sumPeerUpload) {
    double f = fileBytes;
    double bound = 0;
    if (originRate > 0) {
      bound = Math.max(bound, f / originRate);
    }
    if (minDownloadRate > 0) {
      bound = Math.max(bound, f / minDownloadRate);
    }
    double capacity = (originRate > 0 ? originRate : Double.POSITIVE_INFINITY) + sumPeerUpload;
    if (Double.isFinite(capacity) && capacity > 0) {
      bound = Math.max(bound, peers * f / capacity);
    }
    return bound;
  }
}
