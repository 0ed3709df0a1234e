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
 * @param remoteInFlight at most this many fetches in flight, all together, from parents in another
 *     IDC (parents given with {@code remote} true), which are asked only for pieces no usable
 *     parent of the child's own IDC holds: a link between IDCs is shared by every transfer that
 *     crosses it, so many slow cross transfers each hold a parent's upload slot, the seed's too,
 *     while they crawl (docs/benchmarks.md, "Swarm simulator", cross-idc)
 * @param sourceRoom a source parent whose last status shows it sending less than this share of its
 *     known upload limit is asked like any other parent, not last (0, the default, turns this off):
 *     once every piece has left a seed, "sources last" leaves its upload idle while the peers
 *     holding the pieces are busy; measured without a gain (docs/benchmarks.md, "Targets (issue 14,
 *     real swarm)")
 */
public record PieceParams(
    int perParentInFlight,
    int maxParentFailures,
    boolean rarestFirst,
    boolean sourceLast,
    boolean endgame,
    int remoteInFlight,
    double sourceRoom) {

  /** Fetches in flight from other IDCs' parents, all together, by default. */
  public static final int DEFAULT_REMOTE_IN_FLIGHT = 1;

  /**
   * By default a source sending less than 3/4 of its limit has upload to spare. Measured on the 64
   * MiB demo with the origin assist, alternated: 15.6, 16.0, 16.2 s against 16.7, 16.0, 16.5 s with
   * 0 (sources always last), the seed sending 0.92-0.97x the file against 0.76-0.78x: its upload no
   * longer idles once every piece has left it (docs/benchmarks.md, "Targets (issue 14, real
   * swarm)").
   */
  public static final double DEFAULT_SOURCE_ROOM = 0.75;

  public PieceParams(
      int perParentInFlight,
      int maxParentFailures,
      boolean rarestFirst,
      boolean sourceLast,
      boolean endgame) {
    this(
        perParentInFlight,
        maxParentFailures,
        rarestFirst,
        sourceLast,
        endgame,
        DEFAULT_REMOTE_IN_FLIGHT,
        DEFAULT_SOURCE_ROOM);
  }

  public PieceParams {
    if (!(sourceRoom >= 0 && sourceRoom <= 1)) {
      throw new IllegalArgumentException("sourceRoom must be in [0, 1], was " + sourceRoom);
    }
    if (remoteInFlight < 1) {
      throw new IllegalArgumentException("remoteInFlight must be >= 1, was " + remoteInFlight);
    }
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
    return new PieceParams(
        n, maxParentFailures, rarestFirst, sourceLast, endgame, remoteInFlight, sourceRoom);
  }

  public PieceParams withRarestFirst(boolean on) {
    return new PieceParams(
        perParentInFlight, maxParentFailures, on, sourceLast, endgame, remoteInFlight, sourceRoom);
  }

  public PieceParams withSourceLast(boolean on) {
    return new PieceParams(
        perParentInFlight, maxParentFailures, rarestFirst, on, endgame, remoteInFlight, sourceRoom);
  }

  public PieceParams withEndgame(boolean on) {
    return new PieceParams(
        perParentInFlight,
        maxParentFailures,
        rarestFirst,
        sourceLast,
        on,
        remoteInFlight,
        sourceRoom);
  }

  public PieceParams withRemoteInFlight(int n) {
    return new PieceParams(
        perParentInFlight, maxParentFailures, rarestFirst, sourceLast, endgame, n, sourceRoom);
  }

  public PieceParams withSourceRoom(double share) {
    return new PieceParams(
        perParentInFlight,
        maxParentFailures,
        rarestFirst,
        sourceLast,
        endgame,
        remoteInFlight,
        share);
  }
}
