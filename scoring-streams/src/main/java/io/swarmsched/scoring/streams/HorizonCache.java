package io.swarmsched.scoring.streams;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * What {@link HostScorer}'s two window stores hold for each host, from the oldest bucket a score
 * can still read onwards, kept in memory so that scoring a host reads no store (issue 17: the two
 * RocksDB range reads per evaluation were 10-20 % of scoring's CPU).
 *
 * <p>The stores stay the source of truth; their changelogs are unchanged. The cache is a copy:
 * every write to a store is applied to it too, and it is rebuilt from the stores (one range scan of
 * each, over the buckets a score can still read) the first time it is used after the processor is
 * (re)initialised, i.e. after every restore, rebalance or revived task. It gives exactly what a
 * range read would:
 *
 * <ul>
 *   <li>Stream time only moves forward, so the first bucket a score reads ({@link #oldestNeeded})
 *       only moves forward too: entries before it are never read again and are dropped.
 *   <li>A window store hides and drops what is older than its newest write minus its retention. As
 *       long as no write is more than {@code aheadLimitMillis} ahead of stream time, what a score
 *       reads is inside the retention and the store hides nothing of it. A write further ahead (a
 *       host whose clock runs far ahead) turns the cache off until the next initialisation, and
 *       scores are read from the stores again, hidden entries included; the same holds when the
 *       rebuild finds such an entry left by an earlier run.
 * </ul>
 *
 * Per host it holds the bucket index and value of each served-bytes bucket and each reported-rate
 * bucket in that range, in two growing sorted arrays (16 bytes per entry).
 */
final class HorizonCache {

  /** Bucket index → value, sorted by bucket index; the usual write appends the newest bucket. */
  static final class Buckets {
    long[] bucket = EMPTY;
    long[] value = EMPTY;
    int count;

    void put(long b, long v) {
      int i =
          count == 0 || bucket[count - 1] < b
              ? -(count + 1)
              : Arrays.binarySearch(bucket, 0, count, b);
      if (i >= 0) {
        value[i] = v;
        return;
      }
      int at = -i - 1;
      if (count == bucket.length) {
        int cap = Math.max(4, count * 2);
        bucket = Arrays.copyOf(bucket, cap);
        value = Arrays.copyOf(value, cap);
      }
      System.arraycopy(bucket, at, bucket, at + 1, count - at);
      System.arraycopy(value, at, value, at + 1, count - at);
      bucket[at] = b;
      value[at] = v;
      count++;
    }

    /** Drops the buckets before {@code oldest}. */
    void prune(long oldest) {
      int drop = 0;
      while (drop < count && bucket[drop] < oldest) {
        drop++;
      }
      if (drop > 0) {
        System.arraycopy(bucket, drop, bucket, 0, count - drop);
        System.arraycopy(value, drop, value, 0, count - drop);
        count -= drop;
      }
    }

    long newest() {
      return count == 0 ? Long.MIN_VALUE : bucket[count - 1];
    }

    /** The bucket's value, or {@link #ABSENT}. */
    long get(long b) {
      int i = count == 0 || bucket[count - 1] < b ? -1 : Arrays.binarySearch(bucket, 0, count, b);
      return i >= 0 ? value[i] : ABSENT;
    }
  }

  /** One host's served bytes and reported rates per bucket. */
  static final class Series {
    final Buckets served = new Buckets();
    final Buckets reported = new Buckets();
  }

  private static final long[] EMPTY = new long[0];

  /** What {@link #served} and {@link #reported} return for a bucket the store does not hold. */
  static final long ABSENT = Long.MIN_VALUE;

  private final int horizonBuckets;
  private final long holdBuckets;
  private final long bucketMillis;
  private final long aheadLimitMillis;
  private final Map<String, Series> byHost = new HashMap<>();
  private boolean off;

  /**
   * @param retentionMillis the window stores' retention
   */
  HorizonCache(int horizonBuckets, long holdBuckets, long bucketMillis, long retentionMillis) {
    this.horizonBuckets = horizonBuckets;
    this.holdBuckets = holdBuckets;
    this.bucketMillis = bucketMillis;
    // the oldest bucket a score at `now` reads starts after now - (horizon + hold) buckets; a store
    // whose newest write is at most this far ahead of `now` still returns it
    this.aheadLimitMillis = retentionMillis - (horizonBuckets + holdBuckets) * bucketMillis - 1;
  }

  /** Forgets everything: the stores may have been restored to another state. */
  void reset() {
    byHost.clear();
    off = false;
  }

  /** True when the cache turned itself off (scores then read the stores until a reset). */
  boolean off() {
    return off;
  }

  /** Turns the cache off until the next {@link #reset()} and frees what it held. */
  void turnOff() {
    off = true;
    byHost.clear();
  }

  /** The first bucket index a score at {@code now} reads (reports carried into the horizon). */
  long oldestNeeded(long now) {
    return Math.floorDiv(now, bucketMillis) - horizonBuckets + 1 - holdBuckets;
  }

  /** Whether a store write at {@code timestamp} keeps the cache exact; if not, call turnOff. */
  boolean withinAheadLimit(long timestamp, long now) {
    return aheadLimitMillis >= 0 && timestamp - now <= aheadLimitMillis;
  }

  /**
   * The served bytes the store holds for the bucket, or {@link #ABSENT} (for a bucket at or after
   * {@link #oldestNeeded}).
   */
  long served(String host, long bucket) {
    Series s = byHost.get(host);
    return s == null ? ABSENT : s.served.get(bucket);
  }

  /**
   * The reported rate the store holds for the bucket, or {@link #ABSENT} (for a bucket at or after
   * {@link #oldestNeeded}).
   */
  long reported(String host, long bucket) {
    Series s = byHost.get(host);
    return s == null ? ABSENT : s.reported.get(bucket);
  }

  /** Records the served-bytes bucket's new sum, as it was written to the store. */
  void putServed(String host, long bucket, long sum, long now) {
    if (bucket >= oldestNeeded(now)) {
      byHost.computeIfAbsent(host, h -> new Series()).served.put(bucket, sum);
    }
  }

  /** Records the reported-rate bucket's new value, as it was written to the store. */
  void putReported(String host, long bucket, long rate, long now) {
    if (bucket >= oldestNeeded(now)) {
      byHost.computeIfAbsent(host, h -> new Series()).reported.put(bucket, rate);
    }
  }

  /**
   * Fills {@code served} and {@code reported} (one slot per horizon bucket, oldest first) as {@link
   * HostScorer} does from its range reads, and returns the served bytes over the horizon
   * (saturating).
   */
  long horizon(String host, long now, long[] served, long[] reported) {
    Arrays.fill(served, 0L);
    Arrays.fill(reported, 0L);
    Series s = byHost.get(host);
    if (s == null) {
      return 0L;
    }
    long oldest = oldestNeeded(now);
    s.served.prune(oldest);
    s.reported.prune(oldest);
    Buckets sv = s.served;
    Buckets rp = s.reported;
    long nowBucket = Math.floorDiv(now, bucketMillis);
    long first = nowBucket - horizonBuckets + 1;
    long total = 0;
    for (int i = 0; i < sv.count; i++) {
      long b = sv.bucket[i];
      if (b < first) {
        continue;
      }
      if (b > nowBucket) {
        break;
      }
      served[(int) (b - first)] = sv.value[i];
      total = saturatingAdd(total, sv.value[i]);
    }
    // ReportedLoad.fill: a bucket takes the latest report at or before it (within the range read),
    // if that report is positive and at most holdBuckets old
    int r = -1; // index of the latest report at or before the bucket
    for (int slot = 0; slot < horizonBuckets; slot++) {
      long b = first + slot;
      while (r + 1 < rp.count && rp.bucket[r + 1] <= b) {
        r++;
      }
      if (r < 0) {
        continue;
      }
      long value = rp.value[r];
      if (value > 0 && b - rp.bucket[r] <= holdBuckets) {
        reported[slot] = value;
      }
    }
    return total;
  }

  /** Drops every host that has nothing a score at {@code now} can read. */
  void sweep(long now) {
    long oldest = oldestNeeded(now);
    for (Iterator<Series> it = byHost.values().iterator(); it.hasNext(); ) {
      Series s = it.next();
      if (Math.max(s.served.newest(), s.reported.newest()) < oldest) {
        it.remove();
      } else {
        s.served.prune(oldest);
        s.reported.prune(oldest);
      }
    }
  }

  private static long saturatingAdd(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }
}
