package io.swarmsched.scheduling.piece;

import java.util.BitSet;

/**
 * Super-seeding for a source (a seed, or a peer that fetched from the origin): which of the pieces
 * it holds it offers now, so that each piece leaves it about once and the peers carry the copies
 * (docs/design.md, "Stage 2").
 *
 * <p>Children ask a source only for pieces none of their other parents holds, but that rule is per
 * child: a piece the seed gave one child is asked of it again by every child that does not have
 * that first child as a parent, and the swarm then waits on the seed's upload of several copies of
 * the file. A source that offers only its least-served pieces keeps its upload busy with pieces the
 * swarm does not have yet; once every piece it holds has left it once, the second copies start, and
 * so on.
 *
 * <p>A send is claimed when it starts ({@link #claim}) and given back when it does not complete
 * ({@link #unclaim}), so that children asking at once get different pieces. At least {@code
 * minOffered} pieces are offered whenever the source holds that many, so that the end of a round
 * never leaves its upload slots idle. Thread-safe.
 */
public final class SourceOffer {

  private final int[] sends;
  private final int minOffered;

  /**
   * @param pieceCount the task's pieces
   * @param minOffered the fewest pieces offered while the source holds that many (e.g. twice its
   *     upload slots)
   */
  public SourceOffer(int pieceCount, int minOffered) {
    if (pieceCount < 0) {
      throw new IllegalArgumentException("pieceCount must be >= 0, was " + pieceCount);
    }
    if (minOffered < 1) {
      throw new IllegalArgumentException("minOffered must be >= 1, was " + minOffered);
    }
    this.sends = new int[pieceCount];
    this.minOffered = minOffered;
  }

  /**
   * The pieces of {@code held} offered now: the least-sent ones, at least {@code minOffered} of
   * them.
   */
  public synchronized BitSet offered(BitSet held) {
    BitSet out = new BitSet(sends.length);
    int heldCount = 0;
    int min = Integer.MAX_VALUE;
    for (int p = held.nextSetBit(0); p >= 0 && p < sends.length; p = held.nextSetBit(p + 1)) {
      heldCount++;
      min = Math.min(min, sends[p]);
    }
    if (heldCount == 0) {
      return out;
    }
    int want = Math.min(minOffered, heldCount);
    for (int level = min; ; level++) {
      boolean more = false;
      for (int p = held.nextSetBit(0); p >= 0 && p < sends.length; p = held.nextSetBit(p + 1)) {
        if (sends[p] == level) {
          out.set(p);
        } else if (sends[p] > level) {
          more = true;
        }
      }
      if (out.cardinality() >= want || !more) {
        return out;
      }
    }
  }

  /**
   * Claims a send of {@code piece}: true when it is among the pieces offered now (then counted as
   * sent), false when the child should take it from a peer (or come back later).
   */
  public synchronized boolean claim(int piece, BitSet held) {
    if (piece < 0 || piece >= sends.length || !held.get(piece) || !offered(held).get(piece)) {
      return false;
    }
    sends[piece]++;
    return true;
  }

  /** A claimed send that did not complete (the child hung up, or the write failed). */
  public synchronized void unclaim(int piece) {
    if (piece >= 0 && piece < sends.length && sends[piece] > 0) {
      sends[piece]--;
    }
  }

  /** How often the piece has left this source (claims that were not given back). */
  public synchronized int sends(int piece) {
    return sends[piece];
  }
}
