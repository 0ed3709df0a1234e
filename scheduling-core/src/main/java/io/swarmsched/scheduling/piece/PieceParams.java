package io.swarmsched.scheduling.piece;

/**
 * Stage 2's tunables (docs/design.md, "Stage 2").
 *
 * @param perParentInFlight at most this many pieces in flight from one parent: queueing more on a
 *     busy parent only slows every piece down, while another parent may have the next piece on
 *     offer
 * @param maxParentFailures a parent that failed this many pieces is dropped
 * @param rarestFirst fetch the piece held by the fewest parents first (else in the child's own
 *     random order)
 * @param sourceLast ask a seed or back-to-source parent only for pieces no other usable parent
 *     holds
 * @param endgame when every missing piece is in flight, request each from a second parent as well
 */
public record PieceParams(
    int perParentInFlight,
    int maxParentFailures,
    boolean rarestFirst,
    boolean sourceLast,
    boolean endgame) {

  public PieceParams {
    if (perParentInFlight < 1) {
      throw new IllegalArgumentException(
          "perParentInFlight must be >= 1, was " + perParentInFlight);
    }
    if (maxParentFailures < 1) {
      throw new IllegalArgumentException(
          "maxParentFailures must be >= 1, was " + maxParentFailures);
    }
  }

  public static PieceParams defaults() {
    return new PieceParams(2, 3, true, true, true);
  }

  public PieceParams withPerParentInFlight(int n) {
    return new PieceParams(n, maxParentFailures, rarestFirst, sourceLast, endgame);
  }

  public PieceParams withRarestFirst(boolean on) {
    return new PieceParams(perParentInFlight, maxParentFailures, on, sourceLast, endgame);
  }

  public PieceParams withSourceLast(boolean on) {
    return new PieceParams(perParentInFlight, maxParentFailures, rarestFirst, on, endgame);
  }

  public PieceParams withEndgame(boolean on) {
    return new PieceParams(perParentInFlight, maxParentFailures, rarestFirst, sourceLast, on);
  }
}
