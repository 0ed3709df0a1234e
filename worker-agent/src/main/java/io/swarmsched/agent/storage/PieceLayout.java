package io.swarmsched.agent.storage;

/**
 * How a task's content is cut into pieces: every piece is {@code pieceLength} bytes except the
 * last, which holds the remainder.
 */
public record PieceLayout(long contentLength, int pieceLength) {

  public PieceLayout {
    if (contentLength < 0) {
      throw new IllegalArgumentException("content length must be >= 0, was " + contentLength);
    }
    if (pieceLength <= 0) {
      throw new IllegalArgumentException("piece length must be > 0, was " + pieceLength);
    }
  }

  public int pieceCount() {
    return (int) ((contentLength + pieceLength - 1) / pieceLength);
  }

  public long offset(int piece) {
    check(piece);
    return (long) piece * pieceLength;
  }

  public int length(int piece) {
    check(piece);
    return (int) Math.min(pieceLength, contentLength - offset(piece));
  }

  private void check(int piece) {
    if (piece < 0 || piece >= pieceCount()) {
      throw new IndexOutOfBoundsException("piece " + piece + " not in [0, " + pieceCount() + ")");
    }
  }
}
