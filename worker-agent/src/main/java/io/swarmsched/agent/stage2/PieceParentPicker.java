package io.swarmsched.agent.stage2;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Stage 2 of scheduling, on the agent: for one piece, pick one of the assigned parents that holds
 * it, weighted-randomly by {@code max(maxTx − tx, maxTx/10)}, so a parent that became busy since
 * the dispatcher chose it gets less traffic without a round trip to the dispatcher, yet is never
 * starved entirely. A parent with unknown capacity gets the smallest weight of any known parent
 * (or 1 when none is known).
 */
public final class PieceParentPicker {
  private PieceParentPicker() {}

  /** The weight docs/design.md gives a parent: spare upload capacity, floored at a tenth of it. */
  public static long weight(ParentLoad p) {
    if (p.maxTx() <= 0) {
      return 0;
    }
    return Math.max(p.maxTx() - Math.max(0, p.tx()), Math.max(1, p.maxTx() / 10));
  }

  /**
   * @param holders parents that hold the piece, with their live load
   * @param blocked parents blocklisted for this piece (they failed it)
   * @param random  the agent's generator (seeded from its peer id for reproducible runs)
   */
  public static Optional<ParentLoad> pick(Collection<ParentLoad> holders, Set<String> blocked, RandomGenerator random) {
    List<ParentLoad> usable = new ArrayList<>(holders.size());
    for (ParentLoad p : holders) {
      if (!blocked.contains(p.peerId())) {
        usable.add(p);
      }
    }
    if (usable.isEmpty()) {
      return Optional.empty();
    }
    // A stable order makes the choice a function of the generator's state alone.
    usable.sort(Comparator.comparing(ParentLoad::peerId));
    long minKnown = usable.stream().mapToLong(PieceParentPicker::weight).filter(w -> w > 0).min().orElse(1);
    long[] weights = new long[usable.size()];
    long total = 0;
    for (int i = 0; i < weights.length; i++) {
      long w = weight(usable.get(i));
      weights[i] = w > 0 ? w : minKnown;
      total += weights[i];
    }
    long r = random.nextLong(total);
    for (int i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) {
        return Optional.of(usable.get(i));
      }
    }
    return Optional.of(usable.get(usable.size() - 1));
  }
}
