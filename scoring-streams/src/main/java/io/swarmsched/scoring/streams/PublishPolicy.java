package io.swarmsched.scoring.streams;

import io.swarmsched.schemas.HostScore;
import java.util.Objects;

/**
 * When a freshly computed score is worth publishing: there is no previous one, or the host's
 * liveness changed, or load_quality moved by more than epsilon, or what the dispatcher reads beside
 * the score changed (concurrent uploads and slot limit, which its free-slot filter uses; capacity,
 * IDC, location, type, address). Never more often than once per {@code minIntervalMillis} of stream
 * time per host; a change held back by that limit is published by the next punctuation that finds
 * it still there.
 */
public final class PublishPolicy {

  /** What to do with a computed score. */
  public enum Decision {
    PUBLISH,
    UNCHANGED,
    HELD_BACK
  }

  private final double epsilon;
  private final long minIntervalMillis;

  public PublishPolicy(double epsilon, long minIntervalMillis) {
    this.epsilon = epsilon;
    this.minIntervalMillis = minIntervalMillis;
  }

  public Decision decide(HostScore previous, HostScore next) {
    if (previous == null) {
      return Decision.PUBLISH;
    }
    if (!changed(previous, next)) {
      return Decision.UNCHANGED;
    }
    if (next.getComputedAt().toEpochMilli() - previous.getComputedAt().toEpochMilli()
        < minIntervalMillis) {
      return Decision.HELD_BACK;
    }
    return Decision.PUBLISH;
  }

  boolean changed(HostScore previous, HostScore next) {
    return loadQualityMoved(previous.getLoadQuality(), next.getLoadQuality())
        || !sameApartFromLoadQuality(previous, next);
  }

  /** Whether load_quality moved by more than epsilon. */
  boolean loadQualityMoved(double previous, double next) {
    return Math.abs(previous - next) > epsilon;
  }

  /** Whether two scores agree on everything {@link #changed} compares but load_quality. */
  boolean sameApartFromLoadQuality(HostScore previous, HostScore next) {
    return !(previous.getLiveness() != next.getLiveness()
        || previous.getWindow().getMaxTxBytesPerSec() != next.getWindow().getMaxTxBytesPerSec()
        || previous.getWindow().getUploadSlotLimit() != next.getWindow().getUploadSlotLimit()
        || previous.getWindow().getConcurrentUploads() != next.getWindow().getConcurrentUploads()
        || previous.getType() != next.getType()
        || !Objects.equals(str(previous.getIdc()), str(next.getIdc()))
        || !Objects.equals(str(previous.getLocation()), str(next.getLocation()))
        || !Objects.equals(
            str(previous.getPieceServerAddress()), str(next.getPieceServerAddress())));
  }

  private static String str(CharSequence s) {
    return s == null ? "" : s.toString();
  }
}
