package io.swarmsched.scheduling.ledger;

import io.swarmsched.scoring.LoadQuality;

/**
 * A parent host's load as the evaluator should see it: the published score adjusted by the edges
 * created since.
 *
 * @param loadQuality adjusted score and parts
 * @param maxTx upload capacity used (0 = unknown)
 * @param concurrentUploads reported concurrent uploads plus {@code pending}
 * @param pending edges created at or after {@code asOfMillis}, not yet in the published numbers
 * @param asOfMillis when the published numbers were computed (score) or reported (heartbeat)
 * @param fromScore false when no score was published and the heartbeat's load stood in for it
 */
public record LoadEstimate(
    LoadQuality loadQuality,
    long maxTx,
    int concurrentUploads,
    int pending,
    long asOfMillis,
    boolean fromScore) {}
