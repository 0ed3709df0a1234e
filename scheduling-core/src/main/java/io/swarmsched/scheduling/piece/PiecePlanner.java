package io.swarmsched.scheduling.piece;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Stage 2 of scheduling (docs/design.md, "Stage 2"): one child's choice of the next piece and of
 * the parent to fetch it from, made locally with what its parents report live.
 *
 * <ul>
 *   <li><b>Which piece:</b> among the pieces it lacks and that are not in flight, the one held by
 *       the fewest of its usable parents (rarest first), ties broken by an order of the child's own
 *       drawn from {@code seed}, so that every piece leaves the seed early and children hold
 *       different pieces to trade.
 *   <li><b>Which parent:</b> among the usable parents that hold the piece and have a free slot,
 *       weighted-randomly by {@code max(maxTx − tx, maxTx/10)}. A {@code source} parent (a seed, or
 *       a peer that went back to source) is asked only when no other usable parent holds the piece,
 *       so that the copy from the origin is uploaded about once and peers carry the rest.
 *   <li><b>Other IDCs:</b> a parent given as {@code remote} (in another IDC than the child) is
 *       asked only for pieces no usable parent of the child's own IDC holds, before sources, and at
 *       most {@link PieceParams#remoteInFlight} such fetches are in flight at once: the link
 *       between IDCs is shared by every transfer crossing it, and a crawling transfer holds its
 *       parent's upload slot.
 *   <li><b>Endgame:</b> when every missing piece is in flight, each is also requested from a second
 *       parent; the first to arrive wins and {@link #succeeded} returns the other fetch for the
 *       caller to cancel.
 *   <li><b>Failures:</b> a failed piece blocklists its parent for that piece; a parent that failed
 *       {@code maxParentFailures} pieces is dropped.
 *   <li><b>The origin as a parent of last resort</b> ({@link #updateOrigin}, a "web seed"): a
 *       source like a seed (asked only for pieces no other usable parent holds; between it and a
 *       seed that holds the piece, by spare capacity), but it does not count towards a piece's
 *       rarity, and a piece only the origin holds is chosen after every piece some other parent can
 *       serve now. So the origin is read when the other parents' slots are busy or they lack what
 *       is missing (e.g. after the seed left), not for pieces that are on their way through the
 *       swarm.
 * </ul>
 *
 * <p>Deterministic for a given seed and sequence of calls. Every method is synchronized: the agent
 * calls it from several piece workers, the simulator from one thread. Calls about a fetch that is
 * no longer in flight (a cancelled endgame duplicate reporting late) are ignored.
 */
public final class PiecePlanner {

  private static final class ParentState {
    final String id;

    /** The pieces it holds, as bits by piece (64 a word), none past the last piece. */
    long[] holds;

    long maxTx;
    long tx;
    boolean source;
    boolean remote;

    /** The origin ({@link #updateOrigin}): not counted in {@link #availability}. */
    boolean origin;

    int failures;

    /** Fetches started from this record and not yet finished. */
    int inFlight;

    boolean dropped;

    /** Removed ({@link #removeParent}): a later record with the same id is another parent. */
    boolean removed;

    ParentState(String id, int words) {
      this.id = id;
      this.holds = new long[words];
    }

    boolean hasSlot(int limit) {
      return inFlight < limit;
    }

    boolean holds(int piece) {
      return (holds[piece >>> 6] & (1L << piece)) != 0;
    }
  }

  private final int pieceCount;

  /** Words of 64 pieces: the length of every piece set below. */
  private final int words;

  private final PieceParams params;
  private final BitSet have;

  /** {@link #have}'s pieces (those of this task) as words, for the word-wide steps of next(). */
  private final long[] haveWords;

  /** The child's own order of the pieces: ties in rarity go to the earliest here. */
  private final int[] order;

  /** Each piece's position in {@link #order}. */
  private final int[] rank;

  private final SplittableRandom random;

  /** Sorted by id so that the weighted choice depends on the generator alone. */
  private final Map<String, ParentState> parents = new TreeMap<>();

  /**
   * {@link #parents}' values in the same order, kept as an array because {@link #next} walks them
   * for many pieces per call (iterating the tree was a third of the simulator's time).
   */
  private ParentState[] ordered = new ParentState[0];

  /** How many usable (not dropped) parents hold each piece. */
  private final int[] availability;

  /**
   * Fetches in flight, by piece: the first ({@code null}: none) and an endgame duplicate, from
   * another parent ({@code null}: none); there is never a third, since a piece is started only when
   * none is in flight and duplicated only when one is. Arrays, not a map or a list per piece, since
   * {@link #next} asks about every missing piece and a fetch starts for each piece received.
   */
  private final PieceFetch[] inFlight;

  private final PieceFetch[] duplicateInFlight;

  /**
   * The parent record each of {@link #inFlight} and {@link #duplicateInFlight} was started from: a
   * finished fetch frees a slot of that record, not of whatever parent has its id by then (one that
   * left and came back starts with no fetch in flight).
   */
  private final ParentState[] inFlightFrom;

  private final ParentState[] duplicateFrom;

  /** Pieces with at least one fetch in flight. */
  private int piecesInFlight;

  /** The same pieces as words (a bit is set while {@code inFlight[piece] != null}). */
  private final long[] inFlightPieces;

  private int inFlightCount;

  /** Fetches in flight from the current parents that are remote (see {@link #remoteInFlight}). */
  private int remoteFetches;

  /**
   * Counts the changes that can turn an empty {@link #next} into a fetch (not the parents' load,
   * which only weighs the choice): while it stays at {@link #emptyAt}, {@code next()} answers empty
   * at once. The simulator asks every peer again at each refresh and each arrival, and most of
   * those asks found nothing after scanning every piece.
   */
  private long changes;

  private long emptyAt = -1;

  /** The tiers of {@link #eligible}. */
  private static final int TIERS = 4;

  /**
   * Scratch for {@link #next}, as words: by tier, the pieces its usable parents hold, and can serve
   * now; the pieces some parent can serve now; the candidates.
   */
  private final long[][] heldByTier;

  private final long[][] servedByTier;
  private final long[] offerable;
  private final long[] candidates;

  /** Parents blocklisted per piece ({@code null}: none); an array for the same reason. */
  private final Set<String>[] blocked;

  /** The pieces with a blocklist ({@code blocked[piece] != null}), as words. */
  private final long[] blockedPieces;

  private final Set<String> dropped = new LinkedHashSet<>();

  public PiecePlanner(int pieceCount, BitSet have, long seed, PieceParams params) {
    if (pieceCount < 0) {
      throw new IllegalArgumentException("pieceCount must be >= 0, was " + pieceCount);
    }
    this.pieceCount = pieceCount;
    this.words = (pieceCount + 63) >>> 6;
    this.params = Objects.requireNonNull(params, "params");
    this.have = (BitSet) have.clone();
    if (this.have.length() > pieceCount) {
      throw new IllegalArgumentException(
          "held piece " + (this.have.length() - 1) + " is past the last piece " + (pieceCount - 1));
    }
    this.haveWords = Arrays.copyOf(this.have.toLongArray(), words);
    this.random = new SplittableRandom(seed);
    this.order = new int[pieceCount];
    for (int i = 0; i < pieceCount; i++) {
      order[i] = i;
    }
    for (int i = pieceCount - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    this.rank = new int[pieceCount];
    for (int i = 0; i < pieceCount; i++) {
      rank[order[i]] = i;
    }
    this.availability = new int[pieceCount];
    this.inFlight = new PieceFetch[pieceCount];
    this.duplicateInFlight = new PieceFetch[pieceCount];
    this.inFlightFrom = new ParentState[pieceCount];
    this.duplicateFrom = new ParentState[pieceCount];
    @SuppressWarnings("unchecked")
    Set<String>[] blockedByPiece = new Set[pieceCount];
    this.blocked = blockedByPiece;
    this.heldByTier = new long[TIERS][words];
    this.servedByTier = new long[TIERS][words];
    this.inFlightPieces = new long[words];
    this.blockedPieces = new long[words];
    this.offerable = new long[words];
    this.candidates = new long[words];
    this.scratch = new long[words];
  }

  public PieceParams params() {
    return params;
  }

  public int pieceCount() {
    return pieceCount;
  }

  /**
   * Adds or refreshes a parent: what it holds and its live upload load (bytes/s; {@code maxTx} 0
   * when unknown).
   */
  public synchronized void updateParent(
      String parentId, BitSet holds, long maxTx, long tx, boolean source) {
    updateParent(parentId, holds, maxTx, tx, source, false);
  }

  /**
   * As {@link #updateParent(String, BitSet, long, long, boolean)}, with {@code remote} true for a
   * parent in another IDC than the child (see the class comment).
   */
  public synchronized void updateParent(
      String parentId, BitSet holds, long maxTx, long tx, boolean source, boolean remote) {
    update(parentId, holds, maxTx, tx, source, remote, false);
  }

  /**
   * Adds or refreshes the origin as a parent of last resort (see the class comment): {@code holds}
   * the pieces it may be asked for (e.g. those whose digests are known), {@code maxTx} its egress
   * limit (bytes/s, 0 unknown) and {@code tx} what it is known to send.
   */
  public synchronized void updateOrigin(String originId, BitSet holds, long maxTx, long tx) {
    update(originId, holds, maxTx, tx, true, false, true);
  }

  private void update(
      String parentId,
      BitSet holds,
      long maxTx,
      long tx,
      boolean source,
      boolean remote,
      boolean origin) {
    Objects.requireNonNull(parentId, "parentId");
    ParentState p = parents.get(parentId);
    if (p == null) {
      p = new ParentState(parentId, words);
      p.origin = origin;
      parents.put(parentId, p);
    }
    if (ordered.length != parents.size()) {
      ordered = parents.values().toArray(new ParentState[0]);
      changes++;
    }
    long[] next = wordsOf(holds, scratch);
    boolean same = Arrays.equals(next, p.holds);
    if (!same || p.source != source || p.remote != remote) {
      changes++;
    }
    if (!p.dropped && !same && !p.origin) {
      // the pieces gained and lost, a word at a time
      long[] was = p.holds;
      for (int w = 0; w < words; w++) {
        for (long gained = next[w] & ~was[w]; gained != 0; gained &= gained - 1) {
          availability[(w << 6) + Long.numberOfTrailingZeros(gained)]++;
        }
        for (long lost = was[w] & ~next[w]; lost != 0; lost &= lost - 1) {
          availability[(w << 6) + Long.numberOfTrailingZeros(lost)]--;
        }
      }
    }
    if (p.remote != remote) {
      remoteFetches += remote ? p.inFlight : -p.inFlight;
    }
    boolean hadRoom = hasRoom(p);
    if (!same) {
      // copied into the parent's own array rather than keeping the new one: the arrays every
      // choice reads stay where they were allocated, beside their parent's record, instead of one
      // fresh array per parent per refresh scattered over the heap (a cache miss each in a large
      // swarm)
      System.arraycopy(next, 0, p.holds, 0, words);
    }
    p.maxTx = Math.max(0, maxTx);
    p.tx = Math.max(0, tx);
    p.source = source;
    p.remote = remote;
    if (source && hasRoom(p) != hadRoom) {
      changes++; // a source moved between the tiers
    }
  }

  /** Scratch of {@link #update}: a parent's pieces as words. */
  private final long[] scratch;

  /** The pieces of {@code bits} up to the last piece, as words, in {@code w} (returned). */
  private long[] wordsOf(BitSet bits, long[] w) {
    long[] all = bits.toLongArray();
    int n = Math.min(all.length, words);
    System.arraycopy(all, 0, w, 0, n);
    Arrays.fill(w, n, words, 0L);
    int tail = pieceCount & 63;
    if (tail != 0) {
      w[words - 1] &= (1L << tail) - 1;
    }
    return w;
  }

  /** Counts the parent's pieces out of {@link #availability} (it left, or was dropped). */
  private void forgetPieces(ParentState p) {
    if (p.origin) {
      return;
    }
    for (int w = 0; w < words; w++) {
      for (long bits = p.holds[w]; bits != 0; bits &= bits - 1) {
        availability[(w << 6) + Long.numberOfTrailingZeros(bits)]--;
      }
    }
  }

  /** Forgets a parent (it left). Its fetches in flight stay until they are reported. */
  public synchronized void removeParent(String parentId) {
    ParentState p = parents.remove(parentId);
    changes++;
    if (p != null) {
      p.removed = true;
      ordered = parents.values().toArray(new ParentState[0]);
      if (p.remote) {
        remoteFetches -= p.inFlight;
      }
      if (!p.dropped) {
        forgetPieces(p);
      }
    }
  }

  /** The parent with this id: first by the id's identity among {@link #ordered}, then by value. */
  private ParentState parent(String parentId) {
    for (ParentState p : ordered) {
      if (p.id == parentId) {
        return p;
      }
    }
    return parents.get(parentId);
  }

  public synchronized Set<String> parentIds() {
    return Set.copyOf(parents.keySet());
  }

  /** The next fetch to start, marked in flight; empty when nothing can start now. */
  public synchronized Optional<PieceFetch> next() {
    if (emptyAt == changes) {
      return Optional.empty(); // nothing changed since the last empty answer
    }
    Optional<PieceFetch> f = choose();
    if (f.isEmpty()) {
      emptyAt = changes;
    }
    return f;
  }

  private Optional<PieceFetch> choose() {
    // Only a usable parent with a free slot can serve, so a piece none of them holds is skipped
    // without listing its parents (when every parent is busy, nothing is listed at all).
    // Nothing starts until a piece is chosen, so the room for remote fetches holds for the call.
    boolean remoteRoom = remoteInFlight() < params.remoteInFlight();
    if (!anyCanServe(remoteRoom)) {
      return Optional.empty(); // before clearing and filling the piece sets below
    }
    long[] offerable = this.offerable;
    Arrays.fill(offerable, 0L);
    for (int t = 0; t < TIERS; t++) {
      Arrays.fill(heldByTier[t], 0L);
      Arrays.fill(servedByTier[t], 0L);
    }
    boolean any = false;
    for (ParentState p : ordered) {
      if (p.dropped) {
        continue;
      }
      int tier = tier(p);
      long[] h = p.holds;
      long[] held = heldByTier[tier];
      for (int w = 0; w < words; w++) {
        held[w] |= h[w];
      }
      if (canServe(p, remoteRoom)) {
        long[] served = servedByTier[tier];
        for (int w = 0; w < words; w++) {
          served[w] |= h[w];
          offerable[w] |= h[w];
        }
        any = true;
      }
    }
    if (!any || isEmpty(offerable)) {
      return Optional.empty();
    }
    // A piece is ready when its best tier (see eligible) has a parent that can serve it: for a
    // piece without a blocklist, eligible is empty exactly when the piece is not ready, so it need
    // not be asked (asking it for every rarer piece whose best parents were all busy was most of
    // the time). The candidates: offerable, neither held nor in flight, and ready (a piece with a
    // blocklist asks eligible instead).
    long[] h0 = heldByTier[0];
    long[] h1 = heldByTier[1];
    long[] h2 = heldByTier[2];
    long[] s0 = servedByTier[0];
    long[] s1 = servedByTier[1];
    long[] s2 = servedByTier[2];
    long[] s3 = servedByTier[3];
    long[] ready = servedByTier[0]; // overwritten in place: s0 is read before it is written
    long[] candidates = this.candidates;
    for (int w = 0; w < words; w++) {
      long better1 = h0[w];
      long better2 = better1 | h1[w];
      long better3 = better2 | h2[w];
      long r = s0[w] | (s1[w] & ~better1) | (s2[w] & ~better2) | (s3[w] & ~better3);
      ready[w] = r;
      candidates[w] = (r | blockedPieces[w]) & offerable[w] & ~haveWords[w] & ~inFlightPieces[w];
    }
    // The choice: the rarest candidate, ties to the earliest in the child's order (without
    // rarest-first: the earliest), which is what a walk over the pieces in that order keeping the
    // first strictly rarer one finds; only the candidates are visited.
    boolean rarestFirst = params.rarestFirst();
    int best = -1;
    int bestRarity = Integer.MAX_VALUE;
    int bestRank = Integer.MAX_VALUE;
    List<ParentState> bestEligible = null;
    for (int w = 0; w < words; w++) {
      for (long bits = candidates[w]; bits != 0; bits &= bits - 1) {
        int piece = (w << 6) + Long.numberOfTrailingZeros(bits);
        int rarity = availability[piece];
        if (rarity == 0) {
          if (!originHolds(piece)) {
            continue;
          }
          rarity = ORIGIN_ONLY; // after every piece another parent can serve now
        } else if (!rarestFirst) {
          rarity = 1; // the child's order alone, origin-only pieces still last
        }
        int r = rank[piece];
        if (rarity > bestRarity || (rarity == bestRarity && r > bestRank)) {
          continue;
        }
        List<ParentState> eligible = null; // listed once the choice is made
        if (blocked[piece] == null) {
          if ((ready[w] & (1L << piece)) == 0) {
            continue;
          }
        } else {
          eligible = eligible(piece, null, remoteRoom);
          if (eligible.isEmpty()) {
            continue;
          }
        }
        best = piece;
        bestRarity = rarity;
        bestRank = r;
        bestEligible = eligible;
      }
    }
    if (best >= 0) {
      if (bestEligible == null) {
        bestEligible = eligible(best, null, remoteRoom);
      }
      return Optional.of(start(best, pick(bestEligible), false));
    }
    return params.endgame() ? endgame(offerable, remoteRoom) : Optional.empty();
  }

  private boolean anyCanServe(boolean remoteRoom) {
    for (ParentState p : ordered) {
      if (!p.dropped && canServe(p, remoteRoom)) {
        return true;
      }
    }
    return false;
  }

  /** The rarity given a piece only the origin holds: above any count of parents. */
  private static final int ORIGIN_ONLY = Integer.MAX_VALUE - 1;

  /** Whether a usable origin parent holds the piece (the origin is not in availability). */
  private boolean originHolds(int piece) {
    for (ParentState p : ordered) {
      if (p.origin && !p.dropped && p.holds(piece)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isEmpty(long[] bits) {
    for (long w : bits) {
      if (w != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean has(long[] bits, int piece) {
    return (bits[piece >>> 6] & (1L << piece)) != 0;
  }

  /** A second parent for a piece in flight once every missing piece is in flight. */
  private Optional<PieceFetch> endgame(long[] offerable, boolean remoteRoom) {
    int missing = pieceCount - have.cardinality();
    if (missing == 0 || piecesInFlight < missing) {
      return Optional
          .empty(); // some missing piece is not in flight: it waits for a holder, not a duplicate
    }
    for (int i = 0; i < pieceCount; i++) {
      int piece = order[i];
      PieceFetch only = inFlight[piece];
      if (only == null || duplicateInFlight[piece] != null || !has(offerable, piece)) {
        continue;
      }
      List<ParentState> eligible = eligible(piece, only.parentId(), remoteRoom);
      if (!eligible.isEmpty()) {
        return Optional.of(start(piece, pick(eligible), true));
      }
    }
    return Optional.empty();
  }

  /**
   * Parents that may serve {@code piece} now: usable (not dropped, not blocked for it, not {@code
   * except}), holding it, with a free slot. By tier, the first whose parents hold it (even if all
   * of them are busy) wins: non-source parents of the child's IDC, non-source parents of other
   * IDCs, then sources (local before remote); a remote parent only while fewer than {@code
   * remoteInFlight} remote fetches are in flight.
   */
  private List<ParentState> eligible(int piece, String except, boolean remoteRoom) {
    // Two passes, so that the common answer (the best tier's holders are all busy) allocates
    // nothing: the best tier and how many of its holders could serve, then those holders.
    int best = Integer.MAX_VALUE;
    int serving = 0;
    for (ParentState p : ordered) {
      if (!usableFor(p, piece, except)) {
        continue;
      }
      int tier = tier(p);
      if (tier > best) {
        continue;
      }
      if (tier < best) {
        best = tier;
        serving = 0;
      }
      if (canServe(p, remoteRoom)) {
        serving++;
      }
    }
    if (serving == 0) {
      return List.of();
    }
    List<ParentState> eligible = new ArrayList<>(serving);
    for (ParentState p : ordered) {
      if (usableFor(p, piece, except) && tier(p) == best && canServe(p, remoteRoom)) {
        eligible.add(p);
      }
    }
    return eligible;
  }

  private boolean usableFor(ParentState p, int piece, String except) {
    Set<String> blockedHere = blocked[piece];
    return !p.dropped
        && p.holds(piece)
        && (blockedHere == null || !blockedHere.contains(p.id))
        && !p.id.equals(except);
  }

  /**
   * 0 local, 1 remote, 2 local source, 3 remote source: see {@link #eligible}. A source with upload
   * to spare ({@link PieceParams#sourceRoom}) is in a peer's tier: what it offers then is all it
   * would send anyway (its super-seeding offer), and its idle upload is the swarm's loss.
   */
  private int tier(ParentState p) {
    boolean asSource = p.source && params.sourceLast() && !hasRoom(p);
    return (asSource ? 2 : 0) + (p.remote ? 1 : 0);
  }

  /**
   * A source (not the origin, whose capacity is not known) sending less than {@link
   * PieceParams#sourceRoom} of its known upload limit.
   */
  private boolean hasRoom(ParentState p) {
    return params.sourceRoom() > 0
        && !p.origin
        && p.maxTx > 0
        && p.tx < p.maxTx * params.sourceRoom();
  }

  private boolean canServe(ParentState p, boolean remoteRoom) {
    return p.hasSlot(params.perParentInFlight()) && (remoteRoom || !p.remote);
  }

  /**
   * Fetches in flight from remote parents (cancelled endgame copies no longer count): the sum of
   * the current remote parents' fetches, kept as they start and end.
   */
  private int remoteInFlight() {
    return remoteFetches;
  }

  private ParentState pick(List<ParentState> eligible) {
    if (eligible.size() == 1) {
      return eligible.get(0);
    }
    long minKnown = Long.MAX_VALUE;
    for (ParentState p : eligible) {
      long w = weight(p.maxTx, p.tx);
      if (w > 0) {
        minKnown = Math.min(minKnown, w);
      }
    }
    if (minKnown == Long.MAX_VALUE) {
      minKnown = 1;
    }
    long[] weights = new long[eligible.size()];
    long total = 0;
    for (int i = 0; i < weights.length; i++) {
      long w = weight(eligible.get(i).maxTx, eligible.get(i).tx);
      weights[i] =
          w > 0 ? w : minKnown; // unknown capacity: the smallest weight of any known parent
      total += weights[i];
    }
    long r = random.nextLong(total);
    for (int i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) {
        return eligible.get(i);
      }
    }
    return eligible.get(eligible.size() - 1);
  }

  /**
   * A parent's weight: spare upload capacity, floored at a tenth of it, so a busy parent is never
   * starved.
   */
  public static long weight(long maxTx, long tx) {
    if (maxTx <= 0) {
      return 0;
    }
    return Math.max(maxTx - Math.max(0, tx), Math.max(1, maxTx / 10));
  }

  private PieceFetch start(int piece, ParentState parent, boolean duplicate) {
    PieceFetch f = new PieceFetch(piece, parent.id, duplicate);
    changes++;
    if (inFlight[piece] == null) {
      inFlight[piece] = f;
      inFlightFrom[piece] = parent;
      piecesInFlight++;
      inFlightPieces[piece >>> 6] |= 1L << piece;
    } else if (duplicateInFlight[piece] == null) {
      duplicateInFlight[piece] = f;
      duplicateFrom[piece] = parent;
    } else {
      throw new IllegalStateException("a third fetch of piece " + piece); // see inFlight
    }
    inFlightCount++;
    parent.inFlight++;
    if (parent.remote) {
      remoteFetches++;
    }
    return f;
  }

  /** Removes {@code f} from the fetches in flight; false when it was not in flight. */
  private boolean finish(PieceFetch f) {
    if (f.piece() < 0 || f.piece() >= pieceCount) {
      return false;
    }
    int piece = f.piece();
    PieceFetch first = inFlight[piece];
    if (first == null) {
      return false;
    }
    PieceFetch second = duplicateInFlight[piece];
    boolean firstGoes = first.parentId().equals(f.parentId());
    boolean secondGoes = second != null && second.parentId().equals(f.parentId());
    if (!firstGoes && !secondGoes) {
      return false;
    }
    ParentState from;
    ParentState secondFrom = duplicateFrom[piece];
    if (firstGoes) {
      from = inFlightFrom[piece];
      first = second; // the duplicate, if any, becomes the one in flight
      inFlightFrom[piece] = secondFrom;
    } else {
      from = secondFrom;
    }
    inFlight[piece] = first;
    duplicateInFlight[piece] = null;
    duplicateFrom[piece] = null;
    if (first == null) {
      inFlightFrom[piece] = null;
      piecesInFlight--;
      inFlightPieces[piece >>> 6] &= ~(1L << piece);
    }
    inFlightCount--;
    from.inFlight--;
    if (from.remote && !from.removed) {
      remoteFetches--; // a removed parent's fetches left the count when it was removed
    }
    return true;
  }

  /**
   * The piece is verified and held; returns the other fetches of it still in flight, for the caller
   * to cancel.
   */
  public synchronized List<PieceFetch> succeeded(PieceFetch f) {
    changes++;
    boolean was = finish(f);
    setHeld(f.piece());
    if (!was) {
      return List.of();
    }
    PieceFetch first = inFlight[f.piece()];
    if (first == null) {
      return List.of();
    }
    PieceFetch second = duplicateInFlight[f.piece()];
    List<PieceFetch> cancel = second == null ? List.of(first) : List.of(first, second);
    cancel.forEach(this::finish);
    return cancel;
  }

  /** The fetch failed (an error, or bytes that failed verification): see the class comment. */
  public synchronized void failed(PieceFetch f) {
    changes++;
    if (!finish(f)) {
      return;
    }
    if (blocked[f.piece()] == null) {
      blocked[f.piece()] = new LinkedHashSet<>();
      blockedPieces[f.piece() >>> 6] |= 1L << f.piece();
    }
    blocked[f.piece()].add(f.parentId());
    ParentState p = parent(f.parentId());
    if (p != null && !p.dropped && ++p.failures >= params.maxParentFailures()) {
      p.dropped = true;
      forgetPieces(p);
      dropped.add(p.id);
    }
  }

  /**
   * The parent does not hold the piece (any more): its bit is cleared and the piece goes back to
   * missing.
   */
  public synchronized void notHeld(PieceFetch f) {
    changes++;
    if (!finish(f)) {
      return;
    }
    ParentState p = parent(f.parentId());
    if (p != null && p.holds(f.piece())) {
      p.holds[f.piece() >>> 6] &= ~(1L << f.piece());
      if (!p.dropped && !p.origin) {
        availability[f.piece()]--;
      }
    }
  }

  /** Busy, or cancelled: the piece goes back to missing, with no failure counted. */
  public synchronized void released(PieceFetch f) {
    changes++;
    finish(f);
  }

  public synchronized boolean complete() {
    return have.cardinality() == pieceCount;
  }

  public synchronized boolean has(int piece) {
    return have.get(piece);
  }

  /** Records a piece obtained outside the planner (e.g. verified on disk). */
  public synchronized void markHeld(int piece) {
    changes++;
    setHeld(piece);
  }

  private void setHeld(int piece) {
    have.set(piece);
    if (piece < pieceCount) {
      haveWords[piece >>> 6] |= 1L << piece;
    }
  }

  /** Pieces not held, in flight or not. */
  public synchronized int missingCount() {
    return pieceCount - have.cardinality();
  }

  /** Fetches in flight, endgame duplicates included. */
  public synchronized int inFlightCount() {
    return inFlightCount;
  }

  /**
   * Parents dropped for failing {@code maxParentFailures} pieces, in the order they were dropped.
   */
  public synchronized Set<String> droppedParents() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(dropped));
  }

  /** True when the parent is usable and holds some piece this child still lacks. */
  public synchronized boolean wants(String parentId) {
    ParentState p = parents.get(parentId);
    if (p == null || p.dropped) {
      return false;
    }
    for (int w = 0; w < words; w++) {
      if ((p.holds[w] & ~haveWords[w]) != 0) {
        return true;
      }
    }
    return false;
  }

  /** How many usable parents are known (not dropped). */
  public synchronized int usableParents() {
    int n = 0;
    for (ParentState p : parents.values()) {
      if (!p.dropped) {
        n++;
      }
    }
    return n;
  }

  /** A copy of the held pieces. */
  public synchronized BitSet have() {
    return (BitSet) have.clone();
  }
}
