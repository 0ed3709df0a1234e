package io.swarmsched.scheduling.evaluator;

/**
 * A candidate's total score and the parts behind it (the fields of the schema's ParentCandidate).
 */
public record ScoreBreakdown(
    double totalScore,
    double idcAffinity,
    double locationAffinity,
    double loadQuality,
    double hostTypeScore,
    double peakBandwidthUsage,
    double bandwidthDurationRatio,
    double concurrentEfficiency) {}
