package io.swarmsched.scheduling.dag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A directed acyclic graph (like Dragonfly's {@code pkg/graph/dag}): vertices are keys, an edge
 * {@code from → to} means {@code from} is a parent of {@code to}. Adding an edge that would close a
 * cycle is refused, so the graph is acyclic at all times. Iteration orders follow insertion order,
 * so the same sequence of operations always yields the same graph. Not thread-safe (even reads: the
 * last descendant walk is cached).
 *
 * <p>Inside, each vertex also has a small integer index, and what the walks read (topological
 * position, marks, children and parents) is kept in arrays by index: a walk over thousands of
 * vertices then reads arrays instead of hashing keys and chasing linked maps, which was most of
 * stage 1's time in a 10,000-peer swarm (docs/benchmarks.md, "Speed of the simulator").
 */
public final class Dag<K> {

  private final Map<K, Vertex<K>> vertices = new LinkedHashMap<>();
  private int edgeCount;

  /** Bumped by every change, so the last descendant walk can be reused while nothing changed. */
  private long version;

  private K walkedFrom;
  private long walkedAt = -1;
  private Set<K> walked;

  private static final class Vertex<K> {
    final K key;
    final int index;
    final Map<K, Vertex<K>> parents = new LinkedHashMap<>();
    final Map<K, Vertex<K>> children = new LinkedHashMap<>();

    Vertex(K key, int index) {
      this.key = key;
      this.index = index;
    }
  }

  // --- by vertex index: the walks' data

  private static final int[] NONE = new int[0];

  /** The vertex at each index ({@code null}: free). */
  private Vertex<K>[] byIndex = newVertexArray(16);

  /**
   * Position in a topological order: every edge leads from a lower to a higher one. It lets a
   * reachability question stop at the target's position: nothing past it can lead back to it. The
   * positions are labels with gaps between them, and the vertices are also linked in their order
   * ({@link #nextInOrder}, {@link #prevInOrder}), so that a vertex can be moved between two others
   * by taking a label between theirs (an order-maintenance list; all labels are spread out again
   * when a gap is used up). A new vertex has no edge, so it goes last. An edge added against the
   * order moves only the head's descendants placed before the tail, to just after the tail (see
   * {@link #restoreOrder}); removals never break the order.
   */
  private long[] ord = new long[16];

  /** The vertex after and before each one in the topological order ({@code -1}: none). */
  private int[] nextInOrder = new int[16];

  private int[] prevInOrder = new int[16];

  private int firstInOrder = -1;
  private int lastInOrder = -1;

  /** Labels stay below this, so that label arithmetic never overflows. */
  private static final long LABEL_LIMIT = 1L << 62;

  /** The gap a vertex placed last leaves after the one before it. */
  private static final long APPEND_GAP = 1L << 32;

  /** The last reordering pass that visited each vertex. */
  private long[] mark = new long[16];

  /** The stamp of the {@link Reach} that found each vertex a descendant (see {@link Reach}). */
  private long[] seen = new long[16];

  /** The last one-shot walk (a reachability question, a walk towards ancestors) that met it. */
  private long[] met = new long[16];

  /**
   * The stamp of the {@link Reach} that found each vertex not to be a descendant (see {@link
   * Reach#reaches}).
   */
  private long[] apart = new long[16];

  /** The vertices a {@link Reach}'s walk towards the target's ancestors met, in order. */
  private int[] upMet = new int[16];

  /**
   * In a walk towards ancestors: the vertex each one was reached from ({@code -1} for the target),
   * so that a path found to the target can be retraced.
   */
  private int[] via = new int[16];

  /**
   * Each vertex's children and parents as indexes, in the maps' order (the first {@link
   * #childCount} / {@link #parentCount} entries); kept in step with the maps (an entry removed in
   * place, in order); {@code null} when stale, rebuilt on the next walk that needs them.
   */
  private int[][] childIndexes = new int[16][];

  private int[][] parentIndexes = new int[16][];
  private int[] childCount = new int[16];
  private int[] parentCount = new int[16];

  /** Indexes freed by removed vertices, reused before new ones. */
  private int[] freeIndexes = new int[16];

  private int freeCount;
  private int indexCount;

  /** Reordering passes so far (see {@link #mark}). */
  private long marks;

  /**
   * Stamps for the walks: each walk marks the vertices it meets with a number no earlier walk used,
   * so "met already" is an array read instead of a hash set of keys.
   */
  private long stamps;

  /** The {@link Reach} whose stamp {@link #seen} carries now. */
  private Reach stamped;

  /** False once an unchecked edge closed a cycle: then no topological order exists. */
  private boolean ordered = true;

  @SuppressWarnings("unchecked")
  private static <K> Vertex<K>[] newVertexArray(int n) {
    return new Vertex[n];
  }

  private int takeIndex() {
    if (freeCount > 0) {
      return freeIndexes[--freeCount];
    }
    int i = indexCount++;
    if (i == byIndex.length) {
      int n = i * 2;
      byIndex = Arrays.copyOf(byIndex, n);
      ord = Arrays.copyOf(ord, n);
      nextInOrder = Arrays.copyOf(nextInOrder, n);
      prevInOrder = Arrays.copyOf(prevInOrder, n);
      mark = Arrays.copyOf(mark, n);
      seen = Arrays.copyOf(seen, n);
      met = Arrays.copyOf(met, n);
      apart = Arrays.copyOf(apart, n);
      down = Arrays.copyOf(down, n);
      via = Arrays.copyOf(via, n);
      childIndexes = Arrays.copyOf(childIndexes, n);
      parentIndexes = Arrays.copyOf(parentIndexes, n);
      childCount = Arrays.copyOf(childCount, n);
      parentCount = Arrays.copyOf(parentCount, n);
    }
    return i;
  }

  private void freeIndex(int i) {
    unlinkFromOrder(i);
    byIndex[i] = null;
    childIndexes[i] = null;
    parentIndexes[i] = null;
    mark[i] = 0;
    seen[i] = 0;
    met[i] = 0;
    apart[i] = 0;
    down[i] = 0;
    if (freeCount == freeIndexes.length) {
      freeIndexes = Arrays.copyOf(freeIndexes, freeCount * 2);
    }
    freeIndexes[freeCount++] = i;
  }

  /** Vertex {@code i}'s children's indexes (the first {@code childCount[i]}). */
  private int[] children(int i) {
    int[] a = childIndexes[i];
    if (a == null) {
      a = indexes(byIndex[i].children);
      childIndexes[i] = a;
      childCount[i] = a.length;
    }
    return a;
  }

  /** Vertex {@code i}'s parents' indexes (the first {@code parentCount[i]}). */
  private int[] parents(int i) {
    int[] a = parentIndexes[i];
    if (a == null) {
      a = indexes(byIndex[i].parents);
      parentIndexes[i] = a;
      parentCount[i] = a.length;
    }
    return a;
  }

  private static <K> int[] indexes(Map<K, Vertex<K>> m) {
    if (m.isEmpty()) {
      return NONE;
    }
    int[] a = new int[m.size()];
    int n = 0;
    for (Vertex<K> v : m.values()) {
      a[n++] = v.index;
    }
    return a;
  }

  /** Adds a vertex; false when it exists already. */
  public boolean addVertex(K v) {
    Objects.requireNonNull(v, "vertex");
    if (vertices.containsKey(v)) {
      return false;
    }
    int i = takeIndex();
    Vertex<K> vx = new Vertex<>(v, i);
    byIndex[i] = vx;
    placeLast(i);
    childIndexes[i] = NONE;
    parentIndexes[i] = NONE;
    childCount[i] = 0;
    parentCount[i] = 0;
    vertices.put(v, vx);
    version++;
    return true;
  }

  public boolean hasVertex(K v) {
    return vertices.containsKey(v);
  }

  /** Removes a vertex and every edge touching it; false when it was absent. */
  public boolean removeVertex(K v) {
    Vertex<K> vx = vertices.remove(v);
    if (vx == null) {
      return false;
    }
    for (Vertex<K> pv : vx.parents.values()) {
      pv.children.remove(v);
      childCount[pv.index] = drop(childIndexes, childCount[pv.index], pv.index, vx.index);
    }
    for (Vertex<K> cv : vx.children.values()) {
      cv.parents.remove(v);
      parentCount[cv.index] = drop(parentIndexes, parentCount[cv.index], cv.index, vx.index);
    }
    edgeCount -= vx.parents.size() + vx.children.size();
    freeIndex(vx.index);
    version++;
    return true;
  }

  /** Why an edge cannot be added, or {@code null} when it can. */
  public EdgeRefusal checkEdge(K from, K to) {
    if (!vertices.containsKey(from)) {
      return EdgeRefusal.UNKNOWN_FROM;
    }
    if (!vertices.containsKey(to)) {
      return EdgeRefusal.UNKNOWN_TO;
    }
    if (from.equals(to)) {
      return EdgeRefusal.SELF_LOOP;
    }
    if (vertices.get(from).children.containsKey(to)) {
      return EdgeRefusal.EXISTS;
    }
    if (reachable(to, from)) {
      return EdgeRefusal.CYCLE;
    }
    return null;
  }

  /**
   * True when {@code from → to} can be added (both vertices exist, no self loop, no duplicate, no
   * cycle).
   */
  public boolean canAddEdge(K from, K to) {
    return checkEdge(from, to) == null;
  }

  /**
   * Adds {@code from → to}.
   *
   * @throws DagException naming the refusal (unknown vertex, self loop, duplicate edge, cycle)
   */
  public void addEdge(K from, K to) {
    EdgeRefusal refusal = checkEdge(from, to);
    if (refusal != null) {
      throw new DagException(
          refusal, "cannot add edge " + from + " -> " + to + ": " + refusal.describe());
    }
    link(vertices.get(from), vertices.get(to), from, to);
  }

  /**
   * Adds {@code from → to} without the cycle check (both vertices must exist; no self loop; a
   * duplicate is ignored): for rebuilding a DAG from edges that were checked when first made, in
   * linear time. Follow with {@link #isAcyclic()} when the source could be untrusted.
   *
   * @return false when the edge was already there
   */
  public boolean addEdgeWithoutCycleCheck(K from, K to) {
    Vertex<K> f = vertices.get(from);
    Vertex<K> t = vertices.get(to);
    if (f == null || t == null) {
      throw new DagException(
          f == null ? EdgeRefusal.UNKNOWN_FROM : EdgeRefusal.UNKNOWN_TO,
          "cannot add edge " + from + " -> " + to + ": unknown vertex");
    }
    if (from.equals(to)) {
      throw new DagException(
          EdgeRefusal.SELF_LOOP, "cannot add edge " + from + " -> " + to + ": self loop");
    }
    if (f.children.containsKey(to)) {
      return false;
    }
    link(f, t, from, to);
    return true;
  }

  private void link(Vertex<K> f, Vertex<K> t, K from, K to) {
    f.children.put(to, t);
    t.parents.put(from, f);
    int fi = f.index;
    int ti = t.index;
    int[] c = childIndexes[fi];
    if (c != null) { // added last, as in the map; a stale list stays stale
      childIndexes[fi] = put(c == NONE ? new int[4] : c, childCount[fi]++, ti);
    }
    int[] p = parentIndexes[ti];
    if (p != null) {
      parentIndexes[ti] = put(p == NONE ? new int[4] : p, parentCount[ti]++, fi);
    }
    edgeCount++;
    version++;
    restoreOrder(fi, ti);
  }

  /** Scratch of {@link #restoreOrder} and the one-shot walks (the DAG is not thread-safe). */
  private int[] stack = new int[16];

  private int[] cursor = new int[16];
  private int[] forward = new int[16];

  /** Stores {@code v} at {@code i}, growing the array when full; returns the array. */
  private static int[] put(int[] a, int i, int v) {
    if (i == a.length) {
      a = Arrays.copyOf(a, a.length * 2);
    }
    a[i] = v;
    return a;
  }

  /**
   * After adding {@code x → y}: when {@code y} stood before {@code x} in the topological order,
   * moves {@code y} and its descendants that stood before {@code x} to just after {@code x}, in a
   * topological order of their own (a depth-first walk's reverse post-order). Only those vertices
   * are visited, and no ancestor of {@code x} moves (Pearce and Kelly's algorithm also moves the
   * ancestors of {@code x} placed after {@code y}, and sorts both sets by position: in a swarm,
   * where a peer with more pieces becomes the parent of one of its upstream peers, those ancestors
   * were hundreds of vertices against a few dozen descendants; docs/benchmarks.md, "Speed of the
   * simulator"). It stays a topological order: an edge into a moved vertex comes from one placed
   * before it, which still is; an edge out of one leads to a moved vertex or to one placed after
   * {@code x} (else it would have been moved), and the moved vertices sit between {@code x} and the
   * vertex that followed it.
   */
  private void restoreOrder(int x, int y) {
    if (!ordered || ord[x] < ord[y]) {
      return;
    }
    long ub = ord[x];
    long pass = ++marks; // a vertex visited by this pass carries it: no set to hash into
    int nf = 0;
    int sp = 0;
    stack = put(stack, sp, y);
    cursor = put(cursor, sp++, 0);
    mark[y] = pass;
    while (sp > 0) {
      int w = stack[sp - 1];
      int[] cs = children(w);
      int k = cursor[sp - 1];
      int n = childCount[w];
      int next = -1;
      while (k < n) {
        int c = cs[k++];
        if (c == x) {
          ordered = false; // an unchecked edge closed a cycle: no order exists any more
          return;
        }
        if (ord[c] < ub && mark[c] != pass) {
          next = c;
          break;
        }
      }
      if (next < 0) {
        sp--;
        forward = put(forward, nf++, w); // post-order: after every descendant it leads to
      } else {
        cursor[sp - 1] = k;
        mark[next] = pass;
        stack = put(stack, sp, next);
        cursor = put(cursor, sp++, 0);
      }
    }
    for (int k = 0; k < nf; k++) {
      unlinkFromOrder(forward[k]);
    }
    long step = gapAfter(x, nf);
    if (step == 0) {
      spreadLabels();
      step = gapAfter(x, nf);
    }
    int before = x;
    long label = ord[x];
    for (int k = nf - 1; k >= 0; k--) { // reverse post-order: y first
      int v = forward[k];
      label += step;
      ord[v] = label;
      linkAfter(before, v);
      before = v;
    }
  }

  /**
   * The spacing of {@code n} labels taken between {@code x}'s and the next vertex's (after the last
   * vertex: {@link #APPEND_GAP} each, within {@link #LABEL_LIMIT}); 0 when they do not fit.
   */
  private long gapAfter(int x, int n) {
    int after = nextInOrder[x];
    if (after < 0) {
      return ord[x] + APPEND_GAP * (n + 1L) <= LABEL_LIMIT ? APPEND_GAP : 0;
    }
    return (ord[after] - ord[x]) / (n + 1L);
  }

  private void placeLast(int i) {
    if (lastInOrder >= 0 && ord[lastInOrder] + APPEND_GAP > LABEL_LIMIT) {
      spreadLabels();
    }
    ord[i] = lastInOrder < 0 ? 0 : ord[lastInOrder] + APPEND_GAP;
    prevInOrder[i] = lastInOrder;
    nextInOrder[i] = -1;
    if (lastInOrder >= 0) {
      nextInOrder[lastInOrder] = i;
    } else {
      firstInOrder = i;
    }
    lastInOrder = i;
  }

  private void linkAfter(int before, int v) {
    int after = nextInOrder[before];
    prevInOrder[v] = before;
    nextInOrder[v] = after;
    nextInOrder[before] = v;
    if (after >= 0) {
      prevInOrder[after] = v;
    } else {
      lastInOrder = v;
    }
  }

  private void unlinkFromOrder(int v) {
    int before = prevInOrder[v];
    int after = nextInOrder[v];
    if (before >= 0) {
      nextInOrder[before] = after;
    } else {
      firstInOrder = after;
    }
    if (after >= 0) {
      prevInOrder[after] = before;
    } else {
      lastInOrder = before;
    }
  }

  /**
   * Labels the vertices in the list afresh, in order and evenly over the lower half of the label
   * range (the upper half is left for vertices placed last). O(vertices); needed only when a gap is
   * used up.
   */
  private void spreadLabels() {
    long spacing = LABEL_LIMIT / (2L * (vertices.size() + 1));
    long label = 0;
    for (int v = firstInOrder; v >= 0; v = nextInOrder[v]) {
      ord[v] = label;
      label += spacing;
    }
  }

  /**
   * Removes {@code v} from vertex {@code i}'s list in {@code lists} (its first {@code n} entries),
   * keeping the others in order, as the map keeps them; returns the new length. A stale list stays
   * stale.
   */
  private static int drop(int[][] lists, int n, int i, int v) {
    int[] a = lists[i];
    if (a == null) {
      return n;
    }
    for (int k = 0; k < n; k++) {
      if (a[k] == v) {
        System.arraycopy(a, k + 1, a, k, n - k - 1);
        return n - 1;
      }
    }
    lists[i] = null; // not found: cannot happen while the lists follow the maps; rebuild to be safe
    return n;
  }

  /** Removes {@code from → to}; false when absent. */
  public boolean removeEdge(K from, K to) {
    Vertex<K> f = vertices.get(from);
    Vertex<K> t = vertices.get(to);
    if (f == null || t == null || f.children.remove(to) == null) {
      return false;
    }
    t.parents.remove(from);
    childCount[f.index] = drop(childIndexes, childCount[f.index], f.index, t.index);
    parentCount[t.index] = drop(parentIndexes, parentCount[t.index], t.index, f.index);
    edgeCount--;
    version++;
    return true;
  }

  /** Removes every edge into {@code v} (its parents); returns the former parents. */
  public List<K> deleteInEdges(K v) {
    Vertex<K> vx = vertices.get(v);
    if (vx == null) {
      return List.of();
    }
    List<K> former = new ArrayList<>(vx.parents.keySet());
    for (K p : former) {
      removeEdge(p, v);
    }
    return former;
  }

  /** Removes every edge out of {@code v} (its children); returns the former children. */
  public List<K> deleteOutEdges(K v) {
    Vertex<K> vx = vertices.get(v);
    if (vx == null) {
      return List.of();
    }
    List<K> former = new ArrayList<>(vx.children.keySet());
    for (K c : former) {
      removeEdge(v, c);
    }
    return former;
  }

  public Set<K> parents(K v) {
    Vertex<K> vx = vertices.get(v);
    return vx == null ? Set.of() : Collections.unmodifiableSet(vx.parents.keySet());
  }

  public Set<K> children(K v) {
    Vertex<K> vx = vertices.get(v);
    return vx == null ? Set.of() : Collections.unmodifiableSet(vx.children.keySet());
  }

  public int inDegree(K v) {
    Vertex<K> vx = vertices.get(v);
    return vx == null ? 0 : vx.parents.size();
  }

  public int outDegree(K v) {
    Vertex<K> vx = vertices.get(v);
    return vx == null ? 0 : vx.children.size();
  }

  /** True when a directed path leads from {@code from} to {@code to} (a vertex reaches itself). */
  public boolean reachable(K from, K to) {
    Vertex<K> f = vertices.get(from);
    Vertex<K> t = vertices.get(to);
    if (f == null || t == null) {
      return false;
    }
    if (f == t) {
      return true;
    }
    int target = t.index;
    long limit = ord[target];
    if (ordered && limit < ord[f.index]) {
      return false; // a path's positions increase
    }
    long walk = ++stamps;
    int sp = 0;
    stack = put(stack, sp++, f.index);
    met[f.index] = walk;
    while (sp > 0) {
      int w = stack[--sp];
      int[] cs = children(w);
      for (int k = 0, n = childCount[w]; k < n; k++) {
        int c = cs[k];
        if (c == target) {
          return true;
        }
        if (met[c] != walk && (!ordered || ord[c] < limit)) {
          met[c] = walk;
          stack = put(stack, sp++, c);
        }
      }
    }
    return false;
  }

  /**
   * {@code v}'s children from which a path leads to one of {@code targets} (a target among them
   * included), in {@link #children(Object)}'s order. A walk from the targets towards their
   * ancestors, shared by the children, meets a walk from each child towards its descendants (see
   * {@link #markChildrenLeadingTo}); when no order exists (an unchecked edge closed a cycle), every
   * ancestor of the targets is walked. A walk from the targets alone ran to its end to prove that
   * one child does not lead there: thousands of ancestors per decision in a large swarm
   * (docs/benchmarks.md, "Speed of the simulator").
   */
  public List<K> childrenLeadingTo(K v, Collection<K> targets) {
    Vertex<K> vx = vertices.get(v);
    if (vx == null || vx.children.isEmpty()) {
      return List.of();
    }
    long walk = ++stamps;
    int vi = vx.index;
    if (!ordered) {
      walkUp(targets, walk);
    } else {
      markChildrenLeadingTo(vi, targets, walk);
    }
    List<K> out = new ArrayList<>();
    for (Vertex<K> c : vx.children.values()) {
      if (met[c.index] == walk) {
        out.add(c.key);
      }
    }
    return out;
  }

  /** Marks every ancestor of {@code targets} (themselves included) with {@code walk}. */
  private void walkUp(Collection<K> targets, long walk) {
    int sp = 0;
    for (K t : targets) {
      Vertex<K> tv = vertices.get(t);
      if (tv != null && met[tv.index] != walk) {
        met[tv.index] = walk;
        stack = put(stack, sp++, tv.index);
      }
    }
    while (sp > 0) {
      int w = stack[--sp];
      int[] ps = parents(w);
      for (int k = 0, n = parentCount[w]; k < n; k++) {
        int p = ps[k];
        if (met[p] != walk) {
          met[p] = walk;
          stack = put(stack, sp++, p);
        }
      }
    }
  }

  /**
   * Marks with {@code walk} every child of {@code v} that is an ancestor of one of {@code targets}
   * (or one). One walk from the targets towards their ancestors, latest position first, is shared
   * by all children; for each child it is interleaved with a walk from the child towards its
   * descendants placed before the last target, and the side that has read fewer edges takes the
   * next step. The first to meet the other answers yes; the first to run out, no: the ancestors'
   * side once every vertex left to expand is placed before the child (a path from the child passes
   * only later positions), the child's side once its descendants are all known. In a large swarm
   * most of a peer's children lead to the chosen parent, found in a few steps, and the one that
   * does not has few descendants placed before it, against thousands of ancestors.
   */
  private void markChildrenLeadingTo(int v, Collection<K> targets, long walk) {
    // The last reachability walk from v, when still valid, knows vertices v does not reach: no
    // path from a child of v passes them.
    Reach r = reach;
    long apartMark = r != null && r.at == version && stamped == r && r.origin == v ? r.stamp : -1;
    long leadsNowhere = ++stamps; // vertices found to lead to no target
    upHeap.clear();
    long last = Long.MIN_VALUE;
    for (K t : targets) {
      Vertex<K> tv = vertices.get(t);
      if (tv != null && met[tv.index] != walk) {
        met[tv.index] = walk;
        upHeap.push(tv.index, -ord[tv.index]);
        last = Math.max(last, ord[tv.index]);
      }
    }
    int[] cs = children(v);
    for (int j = 0, nc = childCount[v]; j < nc; j++) {
      int x = cs[j];
      if (met[x] == walk || met[x] == leadsNowhere || ord[x] >= last) {
        continue; // known, or placed after every target (a target itself is met)
      }
      long dn = ++stamps;
      long limit = ord[x];
      down[x] = dn;
      int sp = 0;
      stack = put(stack, sp++, x);
      int nf = 0;
      forward = put(forward, nf++, x);
      long downward = 0;
      long upward = 0;
      boolean found = false;
      while (!found) {
        if (sp == 0) {
          for (int k = 0; k < nf; k++) {
            met[forward[k]] = leadsNowhere; // descendants of x: had one led to a target, x would
          }
          break;
        }
        if (upHeap.isEmpty() || -upHeap.topKey() < limit) {
          break; // every ancestor of a target placed after x is known, and x is not one
        }
        if (downward <= upward) {
          int w = stack[--sp];
          int[] ds = children(w);
          int n = childCount[w];
          downward += 1 + n;
          for (int k = 0; k < n; k++) {
            int c = ds[k];
            if (met[c] == walk) {
              found = true;
              break;
            }
            if (down[c] != dn && met[c] != leadsNowhere && ord[c] < last) {
              down[c] = dn;
              stack = put(stack, sp++, c);
              forward = put(forward, nf++, c);
            }
          }
        } else {
          int w = upHeap.pop();
          int[] ps = parents(w);
          int n = parentCount[w];
          upward += 1 + n;
          for (int k = 0; k < n; k++) {
            int p = ps[k];
            if (met[p] != walk && apart[p] != apartMark) {
              met[p] = walk;
              upHeap.push(p, -ord[p]);
              if (down[p] == dn) {
                found = true; // a descendant of x (or x) leads to a target
              }
            }
          }
        }
      }
      if (found && met[x] != walk) {
        met[x] = walk; // and to be expanded like every vertex met: another child may lead to x
        upHeap.push(x, -ord[x]);
      }
    }
  }

  /** The walk from a child in {@link #markChildrenLeadingTo} that met each vertex. */
  private long[] down = new long[16];

  /**
   * The vertices {@link #markChildrenLeadingTo} has met and not yet expanded, latest position first
   * (keyed by minus the position).
   */
  private final PositionHeap upHeap = new PositionHeap();

  /**
   * A min-heap of vertex indexes, each with its key (a position; minus one for latest first) kept
   * beside it, so that a comparison reads the heap's own arrays instead of {@link #ord} at a random
   * index.
   */
  private static final class PositionHeap {
    private int[] vertex = new int[16];
    private long[] key = new long[16];
    private int size;

    boolean isEmpty() {
      return size == 0;
    }

    void clear() {
      size = 0;
    }

    long topKey() {
      return key[0];
    }

    void push(int v, long k) {
      int i = size++;
      if (i == vertex.length) {
        vertex = Arrays.copyOf(vertex, i * 2);
        key = Arrays.copyOf(key, i * 2);
      }
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        long pk = key[parent];
        if (pk <= k) {
          break;
        }
        vertex[i] = vertex[parent];
        key[i] = pk;
        i = parent;
      }
      vertex[i] = v;
      key[i] = k;
    }

    /** Takes the vertex with the lowest key. */
    int pop() {
      int top = vertex[0];
      int n = --size;
      if (n > 0) {
        int last = vertex[n];
        long k = key[n];
        int i = 0;
        while (true) {
          int c = 2 * i + 1;
          if (c >= n) {
            break;
          }
          if (c + 1 < n && key[c + 1] < key[c]) {
            c++;
          }
          if (key[c] >= k) {
            break;
          }
          vertex[i] = vertex[c];
          key[i] = key[c];
          i = c;
        }
        vertex[i] = last;
        key[i] = k;
      }
      return top;
    }
  }

  /**
   * The lowest position among vertex {@code i}'s children ({@link Long#MAX_VALUE} when it has
   * none): a path from {@code i} passes only vertices placed at or after one of its children, which
   * restoreOrder may have placed far after {@code i}.
   */
  private long firstChildPosition(int i) {
    int[] cs = children(i);
    long first = Long.MAX_VALUE;
    for (int k = 0, n = childCount[i]; k < n; k++) {
      first = Math.min(first, ord[cs[k]]);
    }
    return first;
  }

  /**
   * Every vertex reachable from {@code v}, {@code v} included (unmodifiable). An edge {@code c → v}
   * closes a cycle exactly when {@code c} is in this set, so a scheduler checking many candidates
   * computes it once. The last walk is reused while the graph is unchanged: stage 1 asks for the
   * requester's descendants to filter and again to commit, and in a large swarm one walk covers
   * most of it.
   */
  public Set<K> descendantsAndSelf(K v) {
    if (walked != null && walkedAt == version && Objects.equals(walkedFrom, v)) {
      return walked;
    }
    Set<K> found = new HashSet<>();
    Vertex<K> vx = vertices.get(v);
    if (vx != null) {
      Deque<Vertex<K>> pending = new ArrayDeque<>();
      pending.push(vx);
      found.add(v);
      while (!pending.isEmpty()) {
        int w = pending.pop().index;
        int[] cs = children(w);
        for (int k = 0, n = childCount[w]; k < n; k++) {
          Vertex<K> cv = byIndex[cs[k]];
          if (found.add(cv.key)) {
            pending.push(cv);
          }
        }
      }
    }
    walked = Collections.unmodifiableSet(found);
    walkedFrom = v;
    walkedAt = version;
    return walked;
  }

  /**
   * The reachability of vertices from {@code v}, answered lazily one target at a time (see {@link
   * Reach}). The last one is reused while the graph is unchanged: stage 1 asks about the requester
   * to filter candidates and again to commit the chosen parents.
   */
  public Reach reachFrom(K v) {
    if (reach != null && reach.at == version && Objects.equals(reach.from, v)) {
      return reach;
    }
    reach = new Reach(v);
    return reach;
  }

  private Reach reach;

  /**
   * Answers "does a path lead from {@code from} to this vertex?" for many targets, exactly, without
   * walking all of {@code from}'s descendants. A target placed before {@code from} in the
   * topological order cannot be reached. Otherwise the descendants are walked in topological order
   * up to the target's position only (a path's positions increase, so every descendant placed
   * before the target is found by then); the walk is kept between questions, so a request that
   * checks 40 sampled candidates walks at most the descendants placed before the last of them.
   * Valid only while the graph is unchanged.
   *
   * <p>The descendants found are marked in the DAG with this walk's stamp. Should another walk of
   * the same graph mark them meanwhile (two walks used in turn), this one begins again from {@code
   * from}: the answers stay exact.
   */
  public final class Reach {
    private final K from;
    private final int origin;
    private final long at;

    /**
     * The lowest position among the origin's children: a path from the origin passes no other
     * vertex placed before it.
     */
    private final long firstChild;

    /** The mark of the descendants found so far (in {@link #seen}). */
    private long stamp;

    /** Descendants found whose children are not yet listed, earliest position first. */
    private final PositionHeap frontier = new PositionHeap();

    /** The children listed by the last {@link #expandNext}. */
    private int expanded;

    private Reach(K from) {
      this.from = from;
      this.at = version;
      Vertex<K> o = vertices.get(from);
      origin = o == null ? -1 : o.index;
      firstChild = origin < 0 || !ordered ? Long.MAX_VALUE : firstChildPosition(origin);
      begin();
    }

    private void begin() {
      stamp = ++stamps;
      stamped = this;
      frontier.clear();
      if (origin >= 0) {
        seen[origin] = stamp;
        frontier.push(origin, ord[origin]);
      }
    }

    /** True when a directed path leads from the walk's origin to {@code to} (itself included). */
    public boolean reaches(K to) {
      if (at != version) {
        throw new IllegalStateException("the DAG changed since this reachability walk began");
      }
      if (stamped != this) {
        begin(); // another walk marked the vertices since: walk again from the origin
      }
      Vertex<K> tv = vertices.get(to);
      if (tv == null) {
        return false;
      }
      int t = tv.index;
      if (seen[t] == stamp) {
        return true;
      }
      if (apart[t] == stamp) {
        return false; // met by an earlier question's walk that found no path
      }
      if (frontier.isEmpty()) {
        return false; // every descendant is known
      }
      if (!ordered) { // a cycle was added unchecked: no order prunes the walk, so walk it all
        while (!frontier.isEmpty()) {
          expandNext(-1);
        }
        return seen[t] == stamp;
      }
      long limit = ord[t];
      long floor = firstChild;
      if (limit < floor) {
        return false; // placed before the origin's children: no path leads to it
      }
      // Interleaved: the descendant walk up to the target's position, and a walk
      // from the target towards its ancestors placed at or after the origin's first child (the
      // only ones a path from the origin can pass). The first to meet the other's vertices answers
      // yes; the first to run out answers no. A yes is usually found after a few steps, a no when
      // either side is small.
      // The side that has read fewer edges so far takes the next step: a peer serving dozens of
      // children makes a step of the descendant walk far dearer than one towards the ancestors
      // (a peer has at most a few parents), and balancing the edges read, not the steps, keeps
      // the cost near twice the smaller side's.
      long up = ++stamps;
      met[t] = up;
      via[t] = -1;
      int sp = 0;
      stack = put(stack, sp++, t);
      int nMet = 0;
      upMet = put(upMet, nMet++, t);
      long down = 0; // edges read by each side in this question
      long upward = 0;
      while (true) {
        if (sp == 0) {
          // every ancestor of the target after the origin is known, none reached
          return apartFrom(nMet);
        }
        if (down <= upward) {
          if (frontier.isEmpty() || frontier.topKey() > limit) {
            // every descendant placed up to the target is known, and it is not one
            return apartFrom(nMet);
          }
          int meeting = expandNext(up);
          if (meeting >= 0) {
            learnPath(meeting);
            return true;
          }
          down += 1 + expanded;
          continue;
        }
        int w = stack[--sp];
        int[] ps = parents(w);
        upward += 1 + parentCount[w];
        for (int k = 0, n = parentCount[w]; k < n; k++) {
          int p = ps[k];
          if (seen[p] == stamp) {
            learnPath(w);
            return true;
          }
          if (ord[p] >= floor && met[p] != up && apart[p] != stamp) {
            met[p] = up;
            via[p] = w;
            stack = put(stack, sp++, p);
            upMet = put(upMet, nMet++, p);
          }
        }
      }
    }

    /**
     * No path from the origin reaches the target: nor any of its ancestors, which includes every
     * vertex the walk towards them met (the first {@code n} of {@link #upMet}). They are marked, so
     * that a later question about one of them is answered at once and a later walk towards
     * ancestors stops at them (a vertex's ancestors are not reached either). In a large swarm the
     * targets of one decision share most of their ancestors, so a "no" was paid for again by each
     * question. Returns false.
     */
    private boolean apartFrom(int n) {
      for (int k = 0; k < n; k++) {
        apart[upMet[k]] = stamp;
      }
      return false;
    }

    /**
     * A path from the origin reaches {@code v}, a vertex of the walk towards the target's
     * ancestors: {@code v} and the vertices that walk passed from the target to it are descendants.
     * They join the descendants found (and the frontier, to be expanded in their turn), so that
     * later questions meet them sooner.
     */
    private void learnPath(int v) {
      for (int u = v; u >= 0; u = via[u]) {
        if (seen[u] != stamp) {
          seen[u] = stamp;
          frontier.push(u, ord[u]);
        }
      }
    }

    /**
     * Lists the children of the earliest unexpanded descendant, marking the new ones found; returns
     * one of them that carries the walk mark {@code up}, or -1.
     */
    private int expandNext(long up) {
      int w = frontier.pop();
      int meets = -1;
      int[] cs = children(w);
      expanded = childCount[w];
      for (int k = 0, n = childCount[w]; k < n; k++) {
        int c = cs[k];
        if (seen[c] != stamp) {
          seen[c] = stamp;
          frontier.push(c, ord[c]);
          if (met[c] == up) {
            meets = c;
          }
        }
      }
      return meets;
    }
  }

  public Set<K> vertices() {
    return Collections.unmodifiableSet(vertices.keySet());
  }

  public int vertexCount() {
    return vertices.size();
  }

  public int edgeCount() {
    return edgeCount;
  }

  /** All edges, in vertex then child insertion order. */
  public List<Edge<K>> edges() {
    List<Edge<K>> out = new ArrayList<>(edgeCount);
    vertices.forEach((k, vx) -> vx.children.keySet().forEach(c -> out.add(new Edge<>(k, c))));
    return out;
  }

  /**
   * True when the graph has no cycle (Kahn's algorithm, O(V + E)); always, unless built with {@link
   * #addEdgeWithoutCycleCheck}.
   */
  public boolean isAcyclic() {
    Map<K, Integer> inDeg = new LinkedHashMap<>();
    vertices.forEach((k, vx) -> inDeg.put(k, vx.parents.size()));
    Deque<K> ready = new ArrayDeque<>();
    inDeg.forEach(
        (k, d) -> {
          if (d == 0) {
            ready.add(k);
          }
        });
    int visited = 0;
    while (!ready.isEmpty()) {
      K k = ready.poll();
      visited++;
      for (K c : vertices.get(k).children.keySet()) {
        if (inDeg.merge(c, -1, Integer::sum) == 0) {
          ready.add(c);
        }
      }
    }
    return visited == vertices.size();
  }

  /** A directed edge. */
  public record Edge<K>(K from, K to) {}
}
