package io.swarmsched.scoring.streams;

import io.swarmsched.schemas.HostState;

/**
 * What the scorer processor receives, keyed by host id: the two co-partitioned inputs merged into
 * one stream. Lives only inside the scoring sub-topology (no serde, never written to a topic).
 */
public sealed interface ScoringInput {

  /** A finished piece that the keyed host served to a child. */
  record Served(ServedPiece piece) implements ScoringInput {}

  /** The latest state of the keyed host from the hosts topic. */
  record HostUpdate(HostState state) implements ScoringInput {}

  /** A tombstone on the hosts topic: the host is gone. */
  record HostRemoved() implements ScoringInput {}
}
