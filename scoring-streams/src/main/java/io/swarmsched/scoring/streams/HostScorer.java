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
  private KeyValueStore<String, Long> active;

  /** The stores' horizons in memory; null when scores read the window stores (tests compare). */
  private final HorizonCache cache;

  private final long[] servedBuf;
  private final long[] reportedBuf;
  private long punctuations;

  HostScorer(ScoringConfig config, boolean horizonInMemory) {
    this.config = config;
    this.params = config.params();
    this.calculator = new LoadQualityCalculator(params);
    this.policy = new PublishPolicy(config.epsilon(), config.minPublishInterval().toMillis());
    this.bucketMillis = params.bucketMillis();
    this.horizonBuckets = params.horizonBuckets();
    this.holdBuckets = Math.floorDiv(config.reportedHold().toMillis(), bucketMillis);
    this.graceMillis = config.grace().toMillis();
    this.cache =
        horizonInMemory
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
    this.active = context.getStateStore(ScoringTopology.ACTIVE_HOSTS_STORE);
    if (cache != null) {
      // called again after every restore, rebalance or revived task: rebuilt from the stores
      cache.reset();
    }
    context.schedule(Duration.ofMillis(bucketMillis), PunctuationType.STREAM_TIME, this::punctuate);
  }

  @Override
  public void process(Record<String, ScoringInput> record) {
    String host = record.key();
    if (host == null) {
      return; // cannot happen: both inputs are keyed and validated upstream
    }
    ScoringInput input = record.value();
    loadCacheIfNeeded(context.currentStreamTimeMs());
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
    Long sum = served.fetch(host, bucketStart);
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
    Long existing = reported.fetch(host, bucketStart);
    long now = context.currentStreamTimeMs();
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
    if (evaluate(host, now, state) == PublishPolicy.Decision.HELD_BACK) {
      markActive(host, now + config.minPublishInterval().toMillis() + bucketMillis);
    }
  }

  private void onHostRemoved(String host, long timestamp) {
    hosts.delete(host);
    scores.delete(host);
    active.delete(host);
    context.forward(new Record<>(host, ProcessingResult.ok(null), timestamp));
  }

  /** Re-scores every host with activity still in (or just leaving) the horizon. */
  private void punctuate(long punctuationTime) {
    long now = context.currentStreamTimeMs();
    loadCacheIfNeeded(now);
    if (cache != null && cache.usable() && ++punctuations % horizonBuckets == 0) {
      cache.sweep(now); // hosts gone quiet: once per horizon
    }
    List<KeyValue<String, Long>> due = new ArrayList<>();
    try (KeyValueIterator<String, Long> it = active.all()) {
      while (it.hasNext()) {
        due.add(it.next());
      }
    }
    for (KeyValue<String, Long> entry : due) {
      PublishPolicy.Decision decision = evaluate(entry.key, now);
      if (entry.value < now && decision != PublishPolicy.Decision.HELD_BACK) {
        active.delete(entry.key);
      }
    }
  }

  /** Scores one host at {@code now} and publishes the score if the policy says so. */
  private PublishPolicy.Decision evaluate(String host, long now) {
    return evaluate(host, now, hosts.get(host));
  }

  private PublishPolicy.Decision evaluate(String host, long now, HostState state) {
    if (state == null) {
      return PublishPolicy.Decision
          .UNCHANGED; // unknown host: its served bytes wait for its first state
    }
    HostScore next = score(host, state, now);
    HostScore previous = scores.get(host);
    PublishPolicy.Decision decision = policy.decide(previous, next);
    if (decision == PublishPolicy.Decision.PUBLISH) {
      scores.put(host, next);
      context.forward(new Record<>(host, ProcessingResult.ok(next), now));
    }
    return decision;
  }

  HostScore score(String host, HostState state, long now) {
    long windowEnd = (BucketSeries.bucketIndex(now, bucketMillis) + 1) * bucketMillis;
    BucketSeries series;
    long servedTotal;
    if (cache != null && cache.usable()) {
      servedTotal = cache.horizon(host, now, servedBuf, reportedBuf);
      series = BucketSeries.of(servedBuf, reportedBuf, bucketMillis);
    } else {
      long[] total = new long[1];
      series = readHorizon(host, now, total);
      servedTotal = total[0];
    }

    long maxTx = state.getCapacity().getMaxTxBytesPerSec();
    int concurrent = state.getLoad().getConcurrentUploads();
    LoadQuality lq = calculator.compute(series.tx(), horizonBuckets, maxTx, concurrent);
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
                .setServedTxBytes(servedTotal)
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
  private BucketSeries readHorizon(String host, long now, long[] servedTotalOut) {
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
    servedTotalOut[0] = servedTotal;
    return BucketSeries.ofHorizon(
        servedByBucket, reportedByBucket, now, horizonBuckets, bucketMillis);
  }

  /**
   * Builds the cache from the stores the first time it is used after {@link #init}: every bucket a
   * score can still read, of every host. Turns it off instead if a store holds a bucket further
   * ahead of stream time than the cache can follow (see {@link HorizonCache}).
   */
  private void loadCacheIfNeeded(long now) {
    if (cache == null || cache.loaded() || cache.off()) {
      return;
    }
    long from = cache.oldestNeeded(now) * bucketMillis;
    for (WindowStore<String, Long> store : List.of(served, reported)) {
      boolean isServed = store == served;
      try (KeyValueIterator<Windowed<String>, Long> it = store.fetchAll(from, Long.MAX_VALUE)) {
        while (it.hasNext()) {
          KeyValue<Windowed<String>, Long> kv = it.next();
          long start = kv.key.window().start();
          if (!cache.withinAheadLimit(start, now)) {
            log.warn(
                "a scoring window store holds a bucket at {}, more than the cache can follow ahead"
                    + " of stream time {}: scores read the stores until the next restart",
                start,
                now);
            cache.turnOff();
            return;
          }
          long bucket = BucketSeries.bucketIndex(start, bucketMillis);
          if (isServed) {
            cache.putServed(kv.key.key(), bucket, kv.value, now);
          } else {
            cache.putReported(kv.key.key(), bucket, kv.value, now);
          }
        }
      }
    }
    cache.markLoaded();
  }

  /** Whether a write just made to a window store goes to the cache too (else the cache is off). */
  private boolean cacheWrite(long windowStart, long now) {
    if (cache == null || !cache.usable()) {
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

  private void markActive(String host, long until) {
    Long current = active.get(host);
    if (current == null || current < until) {
      active.put(host, until);
    }
  }

  private long bucketStart(long ts) {
    return BucketSeries.bucketIndex(ts, bucketMillis) * bucketMillis;
  }

  private static long saturatingAdd(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }
}
