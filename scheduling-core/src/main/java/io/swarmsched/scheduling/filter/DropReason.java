package io.swarmsched.scheduling.filter;

/** Why a candidate parent was dropped, grouped by the five rules of docs/design.md Stage 1. */
public enum DropReason {
  // rule 1
  SAME_PEER(1),
  SAME_HOST(1),
  BLOCKLISTED(1),
  // rule 2
  HOST_UNKNOWN(2),
  HOST_NOT_ONLINE(2),
  HOST_QUARANTINED(2),
  HOST_DISABLE_SHARED(2),
  NO_FREE_UPLOAD_SLOT(2),
  // rule 3
  STATE_CANNOT_SERVE(3),
  NOTHING_TO_GIVE(3),
  // rule 4
  BAD_PARENT(4),
  // rule 5
  WOULD_CYCLE(5);

  private final int rule;

  DropReason(int rule) {
    this.rule = rule;
  }

  /** The docs/design.md rule number (1–5). */
  public int rule() {
    return rule;
  }
}
