package io.swarmsched.dispatcher;

import static io.swarmsched.dispatcher.DispatcherConfig.*;

import io.swarmsched.runtime.config.LoadQualitySettings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The inverse of {@link DispatcherConfigReader}: a config as the flat key/values it was read from,
 * durations in milliseconds, so that {@link DispatcherConfig#with} can change one value and read
 * the whole again (and tests can check that every key survives the round trip).
 */
final class DispatcherConfigWriter {
  private DispatcherConfigWriter() {}

  static Map<String, String> asMap(DispatcherConfig c) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(APPLICATION_ID, c.applicationId());
    m.put(POLICY, c.policy());
    m.put(MAX_PARENTS, Integer.toString(c.maxParents()));
    m.put(RETRY_INTERVAL, c.retryInterval().toMillis() + "ms");
    m.put(RETRY_JITTER, Double.toString(c.retryJitter()));
    m.put(BACK_TO_SOURCE_AFTER, Integer.toString(c.backToSourceAfterRounds()));
    m.put(FAIL_AFTER, Integer.toString(c.failAfterRounds()));
    m.put(MAX_BACK_TO_SOURCE, Integer.toString(c.maxBackToSourcePerTask()));
    m.put(SEED_FAILURE_MEMORY, c.seedFailureMemory().toMillis() + "ms");
    m.put(SEED_WAIT_TIMEOUT, c.seedWaitTimeout().toMillis() + "ms");
    m.put(COPY_LOST_RULE, Boolean.toString(c.copyLostRule()));
    m.put(TICK, c.tick().toMillis() + "ms");
    m.put(PATROL_INTERVAL, c.patrolInterval().toMillis() + "ms");
    m.put(PEER_IDLE_TIMEOUT, c.peerIdleTimeout().toMillis() + "ms");
    m.put(QUARANTINE_FAILURE_RATE, Double.toString(c.quarantineFailureRate()));
    m.put(QUARANTINE_MIN_SAMPLES, Integer.toString(c.quarantineMinSamples()));
    m.put(QUARANTINE_WINDOW, c.quarantineWindow().toMillis() + "ms");
    m.put(QUARANTINE_DURATION, c.quarantineDuration().toMillis() + "ms");
    m.put(DECISION_RETENTION, c.decisionRetention().toMillis() + "ms");
    m.put(IDLE_CLOCK_ADVANCE, Boolean.toString(c.idleClockAdvance()));
    m.put(IDLE_CLOCK_AFTER, c.idleClockAfter().toMillis() + "ms");
    m.put(HTTP_DECISION_WAIT, c.httpDecisionWait().toMillis() + "ms");
    m.put(SCHEMA_REGISTRY_URL, c.schemaRegistryUrl());
    m.put(WEIGHT_IDC, Double.toString(c.weights().idc()));
    m.put(WEIGHT_LOCATION, Double.toString(c.weights().location()));
    m.put(WEIGHT_LOAD_QUALITY, Double.toString(c.weights().loadQuality()));
    m.put(WEIGHT_HOST_TYPE, Double.toString(c.weights().hostType()));
    m.put(BAD_PARENT_SAMPLES, Integer.toString(c.badParentRule().normalDistributionSamples()));
    m.put(BAD_PARENT_FACTOR, Double.toString(c.badParentRule().smallSampleFactor()));
    m.put(BAD_PARENT_SIGMAS, Double.toString(c.badParentRule().sigmas()));
    m.put(DEFAULT_UPLOAD_SLOTS, Integer.toString(c.defaultUploadSlotLimit()));
    m.put(ALLOCATION_TTL, c.allocationTtl().toMillis() + "ms");
    m.put(CYCLE_RULE, c.cycleRule().configName());
    m.put(LoadQualitySettings.WEIGHT_PEAK, Double.toString(c.loadQuality().peakWeight()));
    m.put(LoadQualitySettings.WEIGHT_DURATION, Double.toString(c.loadQuality().durationWeight()));
    m.put(
        LoadQualitySettings.WEIGHT_CONCURRENCY,
        Double.toString(c.loadQuality().concurrencyWeight()));
    m.put(LoadQualitySettings.HORIZON_BUCKETS, Integer.toString(c.loadQuality().horizonBuckets()));
    m.put(LoadQualitySettings.BUCKET, c.loadQuality().bucketMillis() + "ms");
    m.put(LoadQualitySettings.SATURATION_RATIO, Double.toString(c.loadQuality().saturationRatio()));
    m.put(LoadQualitySettings.STREAM_RATE, Long.toString(c.loadQuality().streamRateBytesPerSec()));
    m.put(MAX_CLOCK_AHEAD, c.maxClockAhead().toMillis() + "ms");
    m.put(MAX_RECORD_AGE, c.maxRecordAge().toMillis() + "ms");
    m.put(CANDIDATE_LIMIT, Integer.toString(c.candidateLimit()));
    m.put(SIGNED_REPLAY_WINDOW, c.signedReplayWindow().toMillis() + "ms");
    m.put(JOBS_QUEUE_MAX, Integer.toString(c.jobs().queueMax()));
    m.put(JOBS_TIMEOUT, c.jobs().timeout().toMillis() + "ms");
    m.put(JOBS_TIMEOUT_GRACE, c.jobs().timeoutGrace().toMillis() + "ms");
    m.put(JOBS_MAX_ATTEMPTS, Integer.toString(c.jobs().maxAttempts()));
    m.put(JOBS_BACKOFF_BASE, c.jobs().backoffBase().toMillis() + "ms");
    m.put(JOBS_BACKOFF_MAX, c.jobs().backoffMax().toMillis() + "ms");
    m.put(JOBS_RETENTION, c.jobs().retention().toMillis() + "ms");
    return m;
  }
}
