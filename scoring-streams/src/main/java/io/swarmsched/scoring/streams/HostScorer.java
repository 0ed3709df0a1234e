package io.swarmsched.scoring.streams;

import io.swarmsched.runtime.deadletter.DeadLetter;
import io.swarmsched.runtime.deadletter.ProcessingResult;
import io.swarmsched.schemas.HostScore;
import io.swarmsched.schemas.HostState;
import io.swarmsched.schemas.ScoreWindow;
import io.swarmsched.scoring.BucketSeries;
import io.swarmsched.scoring.LoadQuality;
import io.swarmsched.scoring.LoadQualityCalculator;
import io.swarmsched.scoring.LoadQualityParams;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin Streams adapter around {@link LoadQualityCalculator}: keeps each host's served bytes and
 * reported rates in one-bucket windows, its latest state, and its last published score; computes
 * the score from the horizon ending at stream time and publishes it when {@link PublishPolicy} says
 * so.
 *
 * <ul>
 *   <li>A served piece adds its bytes to the bucket of its record timestamp, unless it is older
 *       than stream time minus the grace period (then it goes to the dead-letter topic, reason
 *       "late"). It does not trigger an evaluation itself: the next punctuation (one per bucket of
 *       stream time) scores every host with recent activity, which also bounds the work under a
 *       flood of piece events.
 *   <li>A host update stores the state and its reported rate, then scores the host at once
 *       (liveness changes matter to the dispatcher).
 *   <li>A tombstone forgets the host and publishes a tombstone score.
 * </ul>
 *
 * Only stream time is used, so a replay of the same input reproduces the same scores.
 */
final class HostScorer
    implements Processor<String, ScoringInput, String, ProcessingResult<HostScore>> {
  private static final Logger log = LoggerFactory.getLogger(HostScorer.class);

  static final String LATE_STAGE = "scoring-served-late";

  private final ScoringConfig config;
  private final LoadQualityParams params;
  private final LoadQualityCalculator calculator;
  private final PublishPolicy policy;
  private final long bucketMillis;
  private final int horizonBuckets;
  private final long holdBuckets;
  private final long graceMillis;

  private ProcessorContext<String, ProcessingResult<HostScore>> context;
  private WindowStore<String, Long> served;
  private WindowStore<String, Long> reported;
  private KeyValueStore<String, HostState> hosts;
  private KeyValueStore<String, HostScore> scores;

  /**
   * Hosts the punctuator must re-score, with the stream time until which it must: held in memory
   * only, rebuilt from the stores after every {@link #init} (see {@link #rebuildIfNeeded}).
   */
  private final TreeMap<String, Long> active = new TreeMap<>();

  private boolean rebuilt;

  /**
   * A host's last published score, as far as a punctuation needs it: kept (in memory mode) for each
   * host whose last published score and current state agree on everything the publish policy
   * compares but load_quality, with that state's capacity and concurrent uploads. A punctuation
   * that finds the host's new load_quality within epsilon of the published one knows the score
   * unchanged without reading and decoding the state and the score from their stores.
   */
  private record Published(long maxTx, int concurrentUploads, double loadQuality) {}

  private final HashMap<String, Published> published = new HashMap<>();

  /** The stores' horizons in memory; null when scores read the window stores (tests compare). */
  private final HorizonCache cache;

  private final long[] servedBuf;
  private final long[] reportedBuf;
  private long punctuations;

  HostScorer(ScoringConfig config, boolean inMemory) {
    this.config = config;
    this.params = config.params();
    this.calculator = new LoadQualityCalculator(params);
    this.policy = new PublishPolicy(config.epsilon(), config.minPublishInterval().toMillis());
    this.bucketMillis = params.bucketMillis();
    this.horizonBuckets = params.horizonBuckets();
    this.holdBuckets = Math.floorDiv(config.reportedHold().toMillis(), bucketMillis);
    this.graceMillis = config.grace().toMillis();
    this.cache =
        inMemory
            ? new HorizonCache(
                horizonBuckets, holdBuckets, bucketMillis, config.windowRetention().toMillis())
            : null;
    this.servedBuf = new long[horizonBuckets];
    this.reportedBuf = new long[horizonBuckets];
  }

  @Override
  public void init(ProcessorContext<String, ProcessingResult<HostScore>> context) {
    this.context = context;
    this.served = context.getStateStore(ScoringTopology.SERVED_BYTES_STORE);
    this.reported = context.getStateStore(ScoringTopology.REPORTED_TX_STORE);
    this.hosts = context.getStateStore(ScoringTopology.HOSTS_STORE);
    this.scores = context.getStateStore(ScoringTopology.SCORES_STORE);
    forgetMemory();
    context.schedule(Duration.ofMillis(bucketMillis), PunctuationType.STREAM_TIME, this::punctuate);
  }

  @Override
  public void process(Record<String, ScoringInput> record) {
    String host = record.key();
    if (host == null) {
      return; // cannot happen: both inputs are keyed and validated upstream
    }
    ScoringInput input = record.value();
    rebuildIfNeeded(context.currentStreamTimeMs());
    if (input instanceof ScoringInput.Served s) {
      onServed(host, s.piece(), record);
    } else if (input instanceof ScoringInput.HostUpdate u) {
      onHostUpdate(host, u.state(), record.timestamp());
    } else if (input instanceof ScoringInput.HostRemoved) {
      onHostRemoved(host, record.timestamp());
    }
  }

  private void onServed(String host, ServedPiece piece, Record<String, ScoringInput> record) {
    long now = context.currentStreamTimeMs();
    long ts = record.timestamp();
    if (ts < now - graceMillis) {
      deadLetterLate(host, piece, record, now);
      return;
    }
    long bucketStart = bucketStart(ts);
    Long sum = stored(served, host, bucketStart, now);
    long newSum = saturatingAdd(sum == null ? 0L : sum, piece.bytes());
    served.put(host, newSum, bucketStart);
    if (cacheWrite(bucketStart, now)) {
      cache.putServed(host, BucketSeries.bucketIndex(bucketStart, bucketMillis), newSum, now);
    }
    if (piece.bytes() > 0) {
      markActive(host, ts + params.horizonMillis() + bucketMillis);
    }
  }

  private void onHostUpdate(String host, HostState state, long timestamp) {
    hosts.put(host, state);
    long reportTime =
        state.getLastSeen() != null && state.getLastSeen().toEpochMilli() > 0
            ? state.getLastSeen().toEpochMilli()
            : timestamp;
    long rate = state.getLoad().getTxBytesPerSec();
    long bucketStart = bucketStart(reportTime);
    long now = context.currentStreamTimeMs();
    Long existing = stored(reported, host, bucketStart, now);
    if (existing == null || rate > existing) {
      reported.put(host, rate, bucketStart);
      if (cacheWrite(bucketStart, now)) {
        cache.putReported(host, BucketSeries.bucketIndex(bucketStart, bucketMillis), rate, now);
      }
    }
    if (rate > 0) {
      markActive(host, reportTime + (holdBuckets + 1) * bucketMillis + params.horizonMillis());
    }
    // the state just stored is scored as is: reading it back would decode it again
    if (evaluate(host, now, state, null) == PublishPolicy.Decision.HELD_BACK) {
      markActive(host, now + config.minPublishInterval().toMillis() + bucketMillis);
    }
  }

  private void onHostRemoved(String host, long timestamp) {
    hosts.delete(host);
    scores.delete(host);
    published.remove(host);
    // its active mark stays: the window stores keep what it served, and if the host comes back,
    // that still ages out of its new score (unmarked, it would not be re-scored as it does)
    context.forward(new Record<>(host, ProcessingResult.ok(null), timestamp));
  }

  /** Re-scores every host with activity still in (or just leaving) the horizon. */
  private void punctuate(long punctuationTime) {
    long now = context.currentStreamTimeMs();
    rebuildIfNeeded(now);
    if (fromMemory() && ++punctuations % horizonBuckets == 0) {
      cache.sweep(now); // hosts gone quiet: once per horizon
    }
    List<Map.Entry<String, Long>> due = new ArrayList<>(active.entrySet().size());
    for (Map.Entry<String, Long> e : active.entrySet()) {
      due.add(Map.entry(e.getKey(), e.getValue()));
    }
    for (Map.Entry<String, Long> entry : due) {
      PublishPolicy.Decision decision = evaluate(entry.getKey(), now);
      if (entry.getValue() < now && decision != PublishPolicy.Decision.HELD_BACK) {
        active.remove(entry.getKey());
      }
    }
  }

  /** Scores one host at {@code now} and publishes the score if the policy says so. */
  private PublishPolicy.Decision evaluate(String host, long now) {
    Published p = published.get(host);
    Horizon horizon = null;
    if (p != null) {
      horizon = horizon(host, now);
      double lq = loadQuality(horizon, p.maxTx(), p.concurrentUploads()).loadQuality();
      if (!policy.loadQualityMoved(p.loadQuality(), lq)) {
        return PublishPolicy.Decision.UNCHANGED; // what decide() would say, read from memory
      }
    }
    return evaluate(host, now, hosts.get(host), horizon);
  }

  /**
   * Scores the host in {@code state} and publishes the score if the policy says so; {@code horizon}
   * is its horizon at {@code now} if already read, else null.
   */
  private PublishPolicy.Decision evaluate(String host, long now, HostState state, Horizon horizon) {
    if (state == null) {
      published.remove(host);
      return PublishPolicy.Decision
          .UNCHANGED; // unknown host: its served bytes wait for its first state
    }
    HostScore next = score(host, state, now, horizon != null ? horizon : horizon(host, now));
    HostScore previous = scores.get(host);
    PublishPolicy.Decision decision = policy.decide(previous, next);
    if (decision == PublishPolicy.Decision.PUBLISH) {
      scores.put(host, next);
      context.forward(new Record<>(host, ProcessingResult.ok(next), now));
    }
    if (cache != null) {
      HostScore last = decision == PublishPolicy.Decision.PUBLISH ? next : previous;
      if (policy.sameApartFromLoadQuality(last, next)) {
        published.put(
            host,
            new Published(
                state.getCapacity().getMaxTxBytesPerSec(),
                state.getLoad().getConcurrentUploads(),
                last.getLoadQuality()));
      } else {
        published.remove(host);
      }
    }
    return decision;
  }

  /** A host's buckets over the horizon ending at stream time, and what it served over them. */
  private record Horizon(BucketSeries series, long servedTotal) {}

  /** The host's horizon at {@code now}, from memory or from the window stores. */
  private Horizon horizon(String host, long now) {
    if (fromMemory()) {
      long servedTotal = cache.horizon(host, now, servedBuf, reportedBuf);
      return new Horizon(BucketSeries.of(servedBuf, reportedBuf, bucketMillis), servedTotal);
    }
    return readHorizon(host, now);
  }

  private LoadQuality loadQuality(Horizon horizon, long maxTx, int concurrent) {
    return calculator.compute(horizon.series().tx(), horizonBuckets, maxTx, concurrent);
  }

  private HostScore score(String host, HostState state, long now, Horizon horizon) {
    long windowEnd = (BucketSeries.bucketIndex(now, bucketMillis) + 1) * bucketMillis;
    long maxTx = state.getCapacity().getMaxTxBytesPerSec();
    int concurrent = state.getLoad().getConcurrentUploads();
    LoadQuality lq = loadQuality(horizon, maxTx, concurrent);
    return HostScore.newBuilder()
        .setHostId(host)
        .setLoadQuality(lq.loadQuality())
        .setPeakBandwidthUsage(lq.peakBandwidthUsage())
        .setBandwidthDurationRatio(lq.bandwidthDurationRatio())
        .setConcurrentEfficiency(lq.concurrentEfficiency())
        .setWindow(
            ScoreWindow.newBuilder()
                .setHorizonBuckets(horizonBuckets)
                .setBucketMillis(bucketMillis)
                .setPeakTxBytesPerSec(lq.peakTx())
                .setSaturatedBuckets(lq.saturatedBuckets())
                .setServedTxBytes(horizon.servedTotal())
                .setConcurrentUploads(concurrent)
                .setUploadSlotLimit(state.getCapacity().getUploadSlotLimit())
                .setMaxTxBytesPerSec(maxTx)
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .build())
        .setIdc(state.getIdc())
        .setLocation(state.getLocation())
        .setType(state.getType())
        .setPieceServerAddress(state.getPieceServerAddress())
        .setLiveness(state.getLiveness())
        .setComputedAt(Instant.ofEpochMilli(now))
        .setPolicyId(config.policyId())
        .build();
  }

  /** The horizon as the two window stores' range reads give it (the cache's reference). */
  private Horizon readHorizon(String host, long now) {
    long horizonStart =
        BucketSeries.horizonStartBucket(now, horizonBuckets, bucketMillis) * bucketMillis;
    long windowEnd = (BucketSeries.bucketIndex(now, bucketMillis) + 1) * bucketMillis;
    Map<Long, Long> servedByBucket = new HashMap<>();
    long servedTotal = 0;
    try (WindowStoreIterator<Long> it = served.fetch(host, horizonStart, windowEnd - 1)) {
      while (it.hasNext()) {
        KeyValue<Long, Long> kv = it.next();
        servedByBucket.merge(kv.key, kv.value, HostScorer::saturatingAdd);
        servedTotal = saturatingAdd(servedTotal, kv.value);
      }
    }
    TreeMap<Long, Long> reports = new TreeMap<>();
    try (WindowStoreIterator<Long> it =
        reported.fetch(host, horizonStart - holdBuckets * bucketMillis, windowEnd - 1)) {
      while (it.hasNext()) {
        KeyValue<Long, Long> kv = it.next();
        reports.merge(kv.key, kv.value, Math::max);
      }
    }
    Map<Long, Long> reportedByBucket =
        ReportedLoad.fill(reports, horizonStart, horizonBuckets, bucketMillis, holdBuckets);
    return new Horizon(
        BucketSeries.ofHorizon(servedByBucket, reportedByBucket, now, horizonBuckets, bucketMillis),
        servedTotal);
  }

  /**
   * Forgets what is held in memory beside the stores. {@link #init} is called again after every
   * restore, rebalance or revived task, and the stores may then hold another state than the one
   * this instance saw: it is rebuilt from them when they are first used.
   */
  void forgetMemory() {
    active.clear();
    published.clear();
    rebuilt = false;
    if (cache != null) {
      cache.reset();
    }
  }

  /**
   * The first time the stores are used after {@link #init}, rebuilds what is held in memory from
   * them: the hosts the punctuator must re-score, and (when on) the horizons' copy.
   *
   * <ul>
   *   <li>Active marks: every host with served bytes or a positive reported rate in a bucket whose
   *       mark could still run, until the latest time such a write in that bucket would have marked
   *       it; and every host with a published score, for one publish interval (a change held back
   *       before the restart is published). A mark later than the one before the restart only
   *       re-scores a host whose data has all aged out, whose score is then the one it last had:
   *       that evaluation publishes nothing.
   *   <li>The horizons' copy: every bucket a score can still read, of every host; or the cache off,
   *       if a store holds a bucket further ahead of stream time than it can follow (see {@link
   *       HorizonCache}).
   * </ul>
   */
  private void rebuildIfNeeded(long now) {
    if (rebuilt) {
      return;
    }
    rebuilt = true;
    long nowBucket = BucketSeries.bucketIndex(now, bucketMillis);
    // a served mark runs a horizon and a bucket past its piece, a reported one also the hold
    long from = (nowBucket - horizonBuckets - holdBuckets - 2) * bucketMillis;
    if (cache != null) {
      from = Math.min(from, cache.oldestNeeded(now) * bucketMillis);
    }
    boolean filling = cache != null && !cache.off();
    for (WindowStore<String, Long> store : List.of(served, reported)) {
      boolean isServed = store == served;
      long markAfterBucketEnd =
          params.horizonMillis() + (isServed ? bucketMillis : (holdBuckets + 1) * bucketMillis);
      try (KeyValueIterator<Windowed<String>, Long> it = store.fetchAll(from, Long.MAX_VALUE)) {
        while (it.hasNext()) {
          KeyValue<Windowed<String>, Long> kv = it.next();
          String host = kv.key.key();
          long start = kv.key.window().start();
          if (kv.value > 0) {
            markActive(host, start + bucketMillis - 1 + markAfterBucketEnd);
          }
          if (!filling) {
            continue;
          }
          if (!cache.withinAheadLimit(start, now)) {
            log.warn(
                "a scoring window store holds a bucket at {}, more than the cache can follow ahead"
                    + " of stream time {}: scores read the stores until the next restart",
                start,
                now);
            cache.turnOff();
            filling = false;
            continue;
          }
          long bucket = BucketSeries.bucketIndex(start, bucketMillis);
          if (isServed) {
            cache.putServed(host, bucket, kv.value, now);
          } else {
            cache.putReported(host, bucket, kv.value, now);
          }
        }
      }
    }
    long heldBackUntil = now + config.minPublishInterval().toMillis() + bucketMillis;
    try (KeyValueIterator<String, HostScore> it = scores.all()) {
      while (it.hasNext()) {
        markActive(it.next().key, heldBackUntil);
      }
    }
  }

  /**
   * A window store's value for one bucket: from memory for a bucket a score can still read, else
   * from the store.
   */
  private Long stored(WindowStore<String, Long> store, String host, long bucketStart, long now) {
    long bucket = BucketSeries.bucketIndex(bucketStart, bucketMillis);
    if (!fromMemory() || bucket < cache.oldestNeeded(now)) {
      return store.fetch(host, bucketStart);
    }
    long v = store == served ? cache.served(host, bucket) : cache.reported(host, bucket);
    return v == HorizonCache.ABSENT ? null : v;
  }

  /** Whether a write just made to a window store goes to the cache too (else the cache is off). */
  private boolean cacheWrite(long windowStart, long now) {
    if (!fromMemory()) {
      return false;
    }
    if (!cache.withinAheadLimit(windowStart, now)) {
      log.warn(
          "a scoring window store was written at {}, more than the cache can follow ahead of"
              + " stream time {}: scores read the stores until the next restart",
          windowStart,
          now);
      cache.turnOff();
      return false;
    }
    return true;
  }

  private void deadLetterLate(
      String host, ServedPiece piece, Record<String, ScoringInput> record, long now) {
    RecordMetadata meta = context.recordMetadata().orElse(null);
    String reason =
        "late: piece event at "
            + record.timestamp()
            + " is more than the grace period of "
            + graceMillis
            + " ms behind stream time "
            + now
            + "; its "
            + piece.bytes()
            + " bytes are not counted";
    log.debug("dead-lettering a piece event for host {}: {}", host, reason);
    DeadLetter.Builder letter =
        DeadLetter.builder(LATE_STAGE, reason)
            .rawKey(host.getBytes(StandardCharsets.UTF_8))
            // the event's bytes as read from swarm.piece-events.v1
            .rawValue(piece.event())
            .headers(record.headers())
            .deadLetteredAtMs(now);
    if (meta != null) {
      letter.source(meta.topic(), meta.partition(), meta.offset());
    }
    context.forward(
        new Record<>(host, ProcessingResult.failed(letter.build()), record.timestamp()));
  }

  /** The in-memory horizons (null when this scorer reads the stores); for tests. */
  HorizonCache cache() {
    return cache;
  }

  /** Whether Streams initialised this instance (it also makes some only to check the topology). */
  boolean initialized() {
    return context != null;
  }

  /**
   * Whether scores and bucket updates read the horizons' copy in memory: it is on, it was rebuilt
   * from the stores since the last {@link #init}, and it has not turned itself off since.
   */
  boolean fromMemory() {
    return cache != null && rebuilt && !cache.off();
  }

  private void markActive(String host, long until) {
    active.merge(host, until, Math::max);
  }

  private long bucketStart(long ts) {
    return BucketSeries.bucketIndex(ts, bucketMillis) * bucketMillis;
  }

  private static long saturatingAdd(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }
}
