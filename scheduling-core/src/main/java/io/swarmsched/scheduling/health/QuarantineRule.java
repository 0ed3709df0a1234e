package io.swarmsched.scheduling.health;

import java.util.Objects;

/**
 * Quarantine by upload failure rate (docs/design.md, "Liveness and abnormal peers"): when a host's
 * window is over, a failure rate above the threshold over enough samples quarantines it; then the
 * window starts again empty. A host with no upload in the window and no quarantine left is
 * forgotten. Pure and thread-safe.
 */
public final class QuarantineRule {

  /** What a review of one host's window leads to. */
  public sealed interface Verdict {}

  /** The window is still open: nothing changes. */
  public record Open() implements Verdict {}

  /** Nothing was counted and no quarantine is running: the host's record can go. */
  public record Forget() implements Verdict {}

  /**
   * A new window starts with {@code next}; {@code quarantined} when this review quarantined the
   * host.
   */
  public record NextWindow(UploadHealth next, boolean quarantined) implements Verdict {}

  private final QuarantineParams params;

  public QuarantineRule(QuarantineParams params) {
    this.params = Objects.requireNonNull(params, "params");
  }

  public QuarantineParams params() {
    return params;
  }

  public Verdict review(UploadHealth h, long nowMillis) {
    if (nowMillis - h.windowStartMillis() < params.windowMillis()) {
      return new Open();
    }
    long total = h.total();
    long until = h.quarantinedUntilMillis();
    boolean quarantine =
        total >= params.minSamples() && (double) h.failed() / total > params.failureRate();
    if (quarantine) {
      until = nowMillis + params.durationMillis();
    }
    if (total == 0 && until <= nowMillis) {
      return new Forget();
    }
    return new NextWindow(new UploadHealth(nowMillis, 0, 0, until), quarantine);
  }
}
