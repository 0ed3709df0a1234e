package io.swarmsched.scheduling.seed;

import io.swarmsched.scheduling.StableHash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A consistent-hash ring of seed hosts with virtual nodes: a task id maps to the first seed
 * clockwise from its hash, so adding or removing one seed moves only about 1/S of the tasks.
 * Immutable; built from the current set of online seeds (its order does not matter).
 */
public final class SeedRing {

  public static final int DEFAULT_VIRTUAL_NODES = 100;

  private final long[] points;
  private final String[] owners;
  private final int seeds;

  private SeedRing(long[] points, String[] owners, int seeds) {
    this.points = points;
    this.owners = owners;
    this.seeds = seeds;
  }

  public static SeedRing of(Collection<String> seedHostIds, int virtualNodes) {
    if (virtualNodes < 1) {
      throw new IllegalArgumentException("virtualNodes must be >= 1, was " + virtualNodes);
    }
    Set<String> ids = new TreeSet<>(seedHostIds);
    record Point(long hash, String owner) {}
    List<Point> ps = new ArrayList<>(ids.size() * virtualNodes);
    for (String id : ids) {
      for (int v = 0; v < virtualNodes; v++) {
        ps.add(new Point(StableHash.hash(id, "#" + v), id));
      }
    }
    ps.sort((a, b) -> a.hash != b.hash ? Long.compare(a.hash, b.hash) : a.owner.compareTo(b.owner));
    long[] points = new long[ps.size()];
    String[] owners = new String[ps.size()];
    for (int i = 0; i < ps.size(); i++) {
      points[i] = ps.get(i).hash;
      owners[i] = ps.get(i).owner;
    }
    return new SeedRing(points, owners, ids.size());
  }

  public static SeedRing of(Collection<String> seedHostIds) {
    return of(seedHostIds, DEFAULT_VIRTUAL_NODES);
  }

  public int size() {
    return seeds;
  }

  /** The seed that owns the task, if any seed exists. */
  public Optional<String> owner(String taskId) {
    List<String> pref = preference(taskId, 1);
    return pref.isEmpty() ? Optional.empty() : Optional.of(pref.get(0));
  }

  /** Every seed in the order a task falls over to them: its owner first, then clockwise. */
  public List<String> preference(String taskId) {
    return preference(taskId, seeds);
  }

  private List<String> preference(String taskId, int limit) {
    if (points.length == 0) {
      return List.of();
    }
    long h = StableHash.hash(taskId);
    int i = Arrays.binarySearch(points, h);
    if (i < 0) {
      i = -i - 1;
    }
    Set<String> out = new LinkedHashSet<>();
    for (int k = 0; k < points.length && out.size() < limit; k++) {
      out.add(owners[(i + k) % points.length]);
    }
    return List.copyOf(out);
  }
}
