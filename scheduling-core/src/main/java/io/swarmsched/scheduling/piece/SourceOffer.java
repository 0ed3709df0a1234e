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
 * <p>Only the least-sent level is offered, however few pieces it holds. An earlier version padded
 * the offer with pieces of the next level to keep every upload slot busy at the end of a round; but
 * a source's uploads share one upload limit, so fewer concurrent sends finish sooner and leave no
 * bandwidth idle, while each padded send was a second copy the swarm did not need yet. The swarm
 * simulator measured the difference: with 1,000 hosts on {@code uniform} the seed's upload fell
 * from 1.52x to 1.48x the file and the p50 completion from 1.68x to 1.59x the bound, and on {@code
 * skewed} from 1.52x to 1.43x (docs/benchmarks.md, "Swarm simulator").
 *
 * <p>A send is claimed when it starts ({@link #claim}) and given back when it does not complete
 * ({@link #unclaim}), so that children asking at once get different pieces. Thread-safe.
 */
public final class SourceOffer {

  private final int[] sends;

  /** Pieces a child this source granted the origin reported reading from it (counted once). */
  private final BitSet readElsewhere = new BitSet();

  /**
   * @param pieceCount the task's pieces
   */
  public SourceOffer(int pieceCount) {
    if (pieceCount < 0) {
      throw new IllegalArgumentException("pieceCount must be >= 0, was " + pieceCount);
    }
    this.sends = new int[pieceCount];
  }

  /** The pieces of {@code held} offered now: those sent least often so far. */
  public synchronized BitSet offered(BitSet held) {
    BitSet out = new BitSet(sends.length);
    int min = Integer.MAX_VALUE;
    for (int p = held.nextSetBit(0); p >= 0 && p < sends.length; p = held.nextSetBit(p + 1)) {
      if (sends[p] < min) {
        min = sends[p];
        out.clear();
      }
      if (sends[p] == min) {
        out.set(p);
      }
    }
    return out;
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

  /**
   * Pieces a child this source granted the origin (docs/design.md, "Stage 2") read from the origin:
   * each is in the swarm as if it had left this source, so it counts as sent once, and the offer
   * moves on to pieces the swarm does not have. Without it the source kept offering those pieces,
   * the children took them from the granted child instead, and the source stood half idle. A piece
   * is counted once however often it is reported; pieces outside the task are ignored.
   */
  public synchronized void readElsewhere(BitSet pieces) {
    for (int p = pieces.nextSetBit(0); p >= 0 && p < sends.length; p = pieces.nextSetBit(p + 1)) {
      readElsewhere(p);
    }
  }

  /** As {@link #readElsewhere(BitSet)} for one piece. */
  public synchronized void readElsewhere(int piece) {
    if (piece >= 0 && piece < sends.length && !readElsewhere.get(piece)) {
      readElsewhere.set(piece);
      sends[piece]++;
    }
  }

  /** How often the piece has left this source (claims that were not given back). */
  public synchronized int sends(int piece) {
    return sends[piece];
  }
}
