package io.swarmsched.scheduling.ledger;

import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.ScoreView;
import io.swarmsched.scoring.LoadQuality;
import io.swarmsched.scoring.LoadQualityCalculator;
import java.util.Objects;
import java.util.Optional;

/**
 * Optimistic allocation (docs/design.md, Stage 1): every edge the dispatcher creates adds its
 * expected load to the parent's host — one more concurrent upload and {@code streamRate} more
 * upload — until a score computed at or after the allocation arrives. So a burst of requests
 * between two scores spreads over parents instead of all landing on the best one.
 *
 * <p>Reads ({@link #pending}, {@link #estimate}) never mutate: the same ledger contents and inputs
 * give the same answer. Allocations leave through {@link #onScore} (the score now includes them)
 * and {@link #expireBefore} (memory bound, for hosts that stop publishing). Time is stream time.
 * Not thread-safe.
 */
public final class OptimisticLedger {

  private final LoadQualityCalculator calculator;
  private final AllocationLog log;
  private final AllocationCounts counts;

  public OptimisticLedger(LoadQualityCalculator calculator) {
    this.calculator = Objects.requireNonNull(calculator, "calculator");
    this.log = new AllocationLog();
    this.counts = log;
  }

  /**
   * A read-only ledger over allocations kept elsewhere (e.g. a state store the caller already
   * holds), so that nothing is copied per decision. {@link #recordAllocation}, {@link #onScore} and
   * {@link #expireBefore} are not supported on it: the caller records allocations in its own store.
   */
  public OptimisticLedger(LoadQualityCalculator calculator, AllocationCounts counts) {
    this.calculator = Objects.requireNonNull(calculator, "calculator");
    this.log = null;
    this.counts = Objects.requireNonNull(counts, "counts");
  }

  /** Allocations on a host made at or after a time: where a read-only ledger gets its numbers. */
  @FunctionalInterface
  public interface AllocationCounts {
    int since(String hostId, long sinceMillis);
  }

  private AllocationLog writable() {
    if (log == null) {
      throw new UnsupportedOperationException("this ledger reads allocations kept elsewhere");
    }
    return log;
  }

  public LoadQualityCalculator calculator() {
    return calculator;
  }

  /**
   * Records one new edge whose parent runs on {@code parentHostId}, created at {@code atMillis}.
   */
  public void recordAllocation(String parentHostId, long atMillis) {
    writable().record(parentHostId, atMillis);
  }

  /** Allocations on {@code hostId} made at or after {@code sinceMillis}. */
  public int pending(String hostId, long sinceMillis) {
    return counts.since(hostId, sinceMillis);
  }

  /**
   * A score computed at {@code computedAtMillis} arrived: allocations made before it are now in it.
   */
  public void onScore(String hostId, long computedAtMillis) {
    writable().expire(hostId, computedAtMillis);
  }

  /**
   * Drops every allocation made before {@code millis} (e.g. now − a few horizons), bounding memory.
   */
  public void expireBefore(long millis) {
    writable().expireAll(millis);
  }

  /** Allocations currently held. */
  public long size() {
    return writable().size();
  }

  /**
   * The host's load as the evaluator should see it. With a published score: its parts, with {@code
   * k} pending allocations added as {@code k} more concurrent uploads and a peak {@code
   * k·streamRate} higher (the duration part is left as published). Without one: the heartbeat's
   * current upload rate and concurrency scored as a one-bucket window, adjusted the same way from
   * the heartbeat's time.
   */
  public LoadEstimate estimate(HostView host, Optional<ScoreView> score) {
    LoadQuality base;
    long maxTx;
    int reportedConcurrency;
    long asOf;
    if (score.isPresent()) {
      ScoreView s = score.get();
      base = s.loadQuality();
      maxTx = s.maxTxBytesPerSec();
      reportedConcurrency = Math.max(0, s.concurrentUploads());
      asOf = s.computedAtMillis();
    } else {
      maxTx = host.capacity().maxTxBytesPerSec();
      reportedConcurrency = Math.max(0, host.load().concurrentUploads());
      base =
          calculator.compute(
              new long[] {Math.max(0, host.load().txBytesPerSec())}, maxTx, reportedConcurrency);
      asOf = host.lastSeenMillis();
    }
    int k = pending(host.hostId(), asOf);
    int concurrency = saturatingAdd(reportedConcurrency, k);
    if (k == 0) {
      return new LoadEstimate(base, maxTx, concurrency, 0, asOf, score.isPresent());
    }
    if (maxTx <= 0) {
      return new LoadEstimate(
          LoadQuality.unknownCapacity(base.peakTx()),
          maxTx,
          concurrency,
          k,
          asOf,
          score.isPresent());
    }
    long extra = multiplySaturating(calculator.params().streamRateBytesPerSec(), k);
    long peak = base.peakTx() > Long.MAX_VALUE - extra ? Long.MAX_VALUE : base.peakTx() + extra;
    double peakUsage = Math.max(0.0, 1.0 - (double) peak / (double) maxTx);
    double concurrent = calculator.concurrentEfficiency(maxTx, concurrency);
    LoadQuality adjusted =
        calculator.fromParts(
            peakUsage, base.bandwidthDurationRatio(), concurrent, peak, base.saturatedBuckets());
    return new LoadEstimate(adjusted, maxTx, concurrency, k, asOf, score.isPresent());
  }

  private static int saturatingAdd(int a, int b) {
    long r = (long) a + b;
    return r > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) r;
  }

  private static long multiplySaturating(long a, int k) {
    long r = a * k;
    return (k != 0 && r / k != a) ? Long.MAX_VALUE : r;
  }
}
