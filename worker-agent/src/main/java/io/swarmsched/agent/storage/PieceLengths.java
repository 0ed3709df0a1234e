package io.swarmsched.agent.storage;

/**
 * The piece length a back-to-source peer cuts new content into when none is configured: about 128
 * pieces per file, as a power of two between 64 KiB and 16 MiB. Enough pieces that peers hold
 * different ones early and can trade, few enough that per-piece overhead (a request, a digest, an
 * event) stays small.
 */
public final class PieceLengths {
  public static final int MIN = 64 * 1024;
  public static final int MAX = 16 * 1024 * 1024;
  static final int TARGET_PIECES = 128;

  private PieceLengths() {}

  public static int forContent(long contentLength) {
    long ideal = Math.max(1, contentLength / TARGET_PIECES);
    long pow2 = Long.highestOneBit(ideal);
    if (pow2 < ideal) {
      pow2 <<= 1;
    }
    return (int) Math.max(MIN, Math.min(MAX, pow2));
  }
}
