package io.swarmsched.scheduling.piece;

/**
 * One fetch handed out by a {@link PiecePlanner}: {@code piece} from {@code parentId}. A piece is
 * never fetched twice from the same parent at once, so the pair identifies the fetch.
 *
 * @param duplicate an endgame request for a piece already in flight from another parent
 */
public record PieceFetch(int piece, String parentId, boolean duplicate) {}
