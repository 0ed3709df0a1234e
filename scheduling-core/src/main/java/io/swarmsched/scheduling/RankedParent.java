package io.swarmsched.scheduling;

import io.swarmsched.scheduling.evaluator.ScoreBreakdown;

/** A chosen parent, best first in a {@link Selection}. */
public record RankedParent(
    String peerId, String hostId, String pieceServerAddress, ScoreBreakdown breakdown) {}
