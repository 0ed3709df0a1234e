package io.swarmsched.agent.get;

import java.util.Locale;

/**
 * Renders one line of download progress: a bar, bytes, rate, ETA, and how much came from peers
 * versus the origin.
 */
public final class ProgressBar {
  private ProgressBar() {}

  public static String render(DownloadSnapshot s, int barWidth) {
    StringBuilder b = new StringBuilder();
    long total = s.totalBytes();
    double fraction = total > 0 ? Math.min(1.0, s.doneBytes() / (double) total) : 0;
    int filled = (int) Math.round(fraction * barWidth);
    b.append('[').append("#".repeat(filled)).append(".".repeat(barWidth - filled)).append("] ");
    if (total < 0) {
      b.append(String.format(Locale.ROOT, "%-24s", s.phase()));
      return b.toString();
    }
    long fresh = s.peerBytes() + s.originBytes();
    double rate = s.elapsedSeconds() > 0 ? fresh / s.elapsedSeconds() : 0;
    long left = Math.max(0, total - s.doneBytes());
    b.append(
        String.format(
            Locale.ROOT,
            "%5.1f%% %s/%s %s/s ETA %s",
            fraction * 100,
            bytes(s.doneBytes()),
            bytes(total),
            bytes((long) rate),
            rate > 0 ? duration(left / rate) : "--:--"));
    if (fresh > 0) {
      b.append(
          String.format(
              Locale.ROOT,
              "  peers %.0f%% origin %.0f%%",
              100.0 * s.peerBytes() / fresh,
              100.0 * s.originBytes() / fresh));
    }
    if (s.resumedBytes() > 0) {
      b.append("  resumed ").append(bytes(s.resumedBytes()));
    }
    return b.toString();
  }

  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  public static String duration(double seconds) {
    long s = (long) Math.ceil(seconds);
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
