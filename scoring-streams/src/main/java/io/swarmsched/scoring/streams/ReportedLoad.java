package io.swarmsched.scoring.streams;

import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;

/**
 * How a heartbeat's reported upload rate — a rate measured at one instant — becomes a value per
 * bucket. A report fills the bucket that holds its heartbeat time and every following bucket up to
 * (not including) the bucket of the next report, for at most {@code holdBuckets} buckets after its
 * own (a host that stops reporting does not stay loaded forever; the default hold equals the
 * SUSPICIOUS threshold). Several reports in one bucket keep the largest, and that largest value is
 * what is carried forward, since tx_b takes the larger of served and reported anyway.
 *
 * <p>Pure: no Kafka types, so it is unit-tested on its own.
 */
public final class ReportedLoad {
  private ReportedLoad() {}

  /**
   * @param reportsByBucketStart max reported rate per bucket start, from the bucket that is {@code
   *     holdBuckets} before the horizon up to the newest bucket
   * @param horizonStart start time of the first bucket of the horizon
   * @param horizonBuckets buckets in the horizon
   * @param bucketMillis length of a bucket
   * @param holdBuckets buckets a report is carried forward after its own
   * @return the reported rate of each horizon bucket that has one, keyed by bucket start
   */
  public static Map<Long, Long> fill(
      NavigableMap<Long, Long> reportsByBucketStart,
      long horizonStart,
      int horizonBuckets,
      long bucketMillis,
      long holdBuckets) {
    Map<Long, Long> filled = new HashMap<>();
    for (int i = 0; i < horizonBuckets; i++) {
      long bucketStart = horizonStart + i * bucketMillis;
      Map.Entry<Long, Long> latest = reportsByBucketStart.floorEntry(bucketStart);
      if (latest == null || latest.getValue() == null || latest.getValue() <= 0) {
        continue;
      }
      long age = (bucketStart - latest.getKey()) / bucketMillis;
      if (age <= holdBuckets) {
        filled.put(bucketStart, latest.getValue());
      }
    }
    return filled;
  }
}
