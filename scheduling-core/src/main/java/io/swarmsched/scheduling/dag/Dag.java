package io.swarmsched.scheduling.dag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A directed acyclic graph (like Dragonfly's {@code pkg/graph/dag}): vertices are keys, an edge
 * {@code from → to} means {@code from} is a parent of {@code to}. Adding an edge that would close a
 * cycle is refused, so the graph is acyclic at all times. Iteration orders follow insertion order,
 * so the same sequence of operations always yields the same graph. Not thread-safe (even reads: the
 * last descendant walk is cached).
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
    final Map<K, Vertex<K>> parents = new LinkedHashMap<>();
    final Map<K, Vertex<K>> children = new LinkedHashMap<>();

    /** Position in a topological order: every edge leads from a lower to a higher one. */
    long ord;

    /** The last reordering pass that visited this vertex. */
    long mark;

    Vertex(K key, long ord) {
      this.key = key;
      this.ord = ord;
    }
  }

  /**
   * The next vertex's position in the topological order (a new vertex has no edge, so the end is
   * always right). The order is kept on every edge added (Pearce and Kelly, "A dynamic topological
   * sort algorithm for directed acyclic graphs", 2006); removals never break it. It lets a
   * reachability question stop at the target's position: nothing past it can lead back to it.
   */
  private long nextOrd;

  /** Reordering passes so far (see {@code Vertex.mark}). */
  private long marks;

  /** False once an unchecked edge closed a cycle: then no topological order exists. */
  private boolean ordered = true;

  /** Adds a vertex; false when it exists already. */
  public boolean addVertex(K v) {
    Objects.requireNonNull(v, "vertex");
    if (vertices.containsKey(v)) {
      return false;
    }
    vertices.put(v, new Vertex<>(v, nextOrd++));
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
    }
    for (Vertex<K> cv : vx.children.values()) {
      cv.parents.remove(v);
    }
    edgeCount -= vx.parents.size() + vx.children.size();
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
    vertices.get(from).children.put(to, vertices.get(to));
    vertices.get(to).parents.put(from, vertices.get(from));
    edgeCount++;
    version++;
    restoreOrder(vertices.get(from), vertices.get(to));
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
    if (f.children.putIfAbsent(to, t) != null) {
      return false;
    }
    t.parents.put(from, f);
    edgeCount++;
    version++;
    restoreOrder(f, t);
    return true;
  }

  /**
   * After adding {@code x → y}: when {@code y} stood before {@code x} in the topological order,
   * moves {@code x} and its ancestors that stood after {@code y}, then {@code y} and its
   * descendants that stood before {@code x}, into the positions they held together, in that order.
   * Only the vertices between the two positions are visited.
   */
  private void restoreOrder(Vertex<K> x, Vertex<K> y) {
    if (!ordered || x.ord < y.ord) {
      return;
    }
    long lb = y.ord;
    long ub = x.ord;
    long mark = ++marks; // a vertex visited by this pass carries it: no set to hash into
    List<Vertex<K>> forward = new ArrayList<>();
    Deque<Vertex<K>> stack = new ArrayDeque<>();
    stack.push(y);
    y.mark = mark;
    while (!stack.isEmpty()) {
      Vertex<K> w = stack.pop();
      forward.add(w);
      for (Vertex<K> cv : w.children.values()) {
        if (cv == x) {
          ordered = false; // an unchecked edge closed a cycle: no order exists any more
          return;
        }
        if (cv.ord < ub && cv.mark != mark) {
          cv.mark = mark;
          stack.push(cv);
        }
      }
    }
    List<Vertex<K>> backward = new ArrayList<>();
    stack.push(x);
    x.mark = mark;
    while (!stack.isEmpty()) {
      Vertex<K> w = stack.pop();
      backward.add(w);
      for (Vertex<K> pv : w.parents.values()) {
        if (pv.ord > lb && pv.mark != mark) {
          pv.mark = mark;
          stack.push(pv);
        }
      }
    }
    Comparator<Vertex<K>> byOrd = Comparator.comparingLong(v -> v.ord);
    forward.sort(byOrd);
    backward.sort(byOrd);
    long[] slots = new long[forward.size() + backward.size()];
    int i = 0;
    for (Vertex<K> v : backward) {
      slots[i++] = v.ord;
    }
    for (Vertex<K> v : forward) {
      slots[i++] = v.ord;
    }
    Arrays.sort(slots);
    i = 0;
    for (Vertex<K> v : backward) {
      v.ord = slots[i++];
    }
    for (Vertex<K> v : forward) {
      v.ord = slots[i++];
    }
  }

  /** Removes {@code from → to}; false when absent. */
  public boolean removeEdge(K from, K to) {
    Vertex<K> f = vertices.get(from);
    Vertex<K> t = vertices.get(to);
    if (f == null || t == null || f.children.remove(to) == null) {
      return false;
    }
    t.parents.remove(from);
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
    if (!vertices.containsKey(from) || !vertices.containsKey(to)) {
      return false;
    }
    if (from.equals(to)) {
      return true;
    }
    Set<K> seen = new HashSet<>();
    Deque<K> stack = new ArrayDeque<>();
    stack.push(from);
    seen.add(from);
    while (!stack.isEmpty()) {
      for (K c : vertices.get(stack.pop()).children.keySet()) {
        if (c.equals(to)) {
          return true;
        }
        if (seen.add(c)) {
          stack.push(c);
        }
      }
    }
    return false;
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
    Set<K> seen = new HashSet<>();
    if (vertices.containsKey(v)) {
      Deque<K> stack = new ArrayDeque<>();
      stack.push(v);
      seen.add(v);
      while (!stack.isEmpty()) {
        for (K c : vertices.get(stack.pop()).children.keySet()) {
          if (seen.add(c)) {
            stack.push(c);
          }
        }
      }
    }
    walked = Collections.unmodifiableSet(seen);
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
   */
  public final class Reach {
    private final K from;
    private final Vertex<K> origin;
    private final long at;
    private final Set<K> seen = new HashSet<>();

    /** Descendants found whose children are not yet listed, earliest position first. */
    private final PriorityQueue<Vertex<K>> frontier =
        new PriorityQueue<>(Comparator.comparingLong(v -> v.ord));

    private Reach(K from) {
      this.from = from;
      this.at = version;
      origin = vertices.get(from);
      if (origin != null) {
        seen.add(from);
        frontier.add(origin);
      }
    }

    /** True when a directed path leads from the walk's origin to {@code to} (itself included). */
    public boolean reaches(K to) {
      if (at != version) {
        throw new IllegalStateException("the DAG changed since this reachability walk began");
      }
      if (seen.contains(to)) {
        return true;
      }
      Vertex<K> t = vertices.get(to);
      if (t == null || frontier.isEmpty()) {
        return false; // no vertex, or every descendant is known
      }
      if (!ordered) { // a cycle was added unchecked: no order prunes the walk, so walk it all
        while (!frontier.isEmpty()) {
          expandNext();
        }
        return seen.contains(to);
      }
      if (t.ord < origin.ord) {
        return false; // placed before the origin: no path leads back to it
      }
      // Interleaved, step for step: the descendant walk up to the target's position, and a walk
      // from the target towards its ancestors placed after the origin (the only ones a path from
      // the origin can pass). The first to meet the other's vertices answers yes; the first to run
      // out answers no. A yes is usually found after a few steps, a no when either side is small.
      Set<K> up = new HashSet<>();
      Deque<Vertex<K>> upStack = new ArrayDeque<>();
      up.add(to);
      upStack.push(t);
      while (true) {
        if (frontier.isEmpty() || frontier.peek().ord > t.ord) {
          return false; // every descendant placed up to the target is known, and it is not one
        }
        for (K c : expandNext()) {
          if (up.contains(c)) {
            return true;
          }
        }
        if (upStack.isEmpty()) {
          return false; // every ancestor of the target after the origin is known, none reached
        }
        for (Map.Entry<K, Vertex<K>> e : upStack.pop().parents.entrySet()) {
          if (seen.contains(e.getKey())) {
            return true;
          }
          Vertex<K> pv = e.getValue();
          if (pv.ord > origin.ord && up.add(e.getKey())) {
            upStack.push(pv);
          }
        }
      }
    }

    /**
     * Lists the children of the earliest unexpanded descendant; returns the ones new to the walk.
     */
    private List<K> expandNext() {
      List<K> found = new ArrayList<>(4);
      for (Map.Entry<K, Vertex<K>> e : frontier.poll().children.entrySet()) {
        if (seen.add(e.getKey())) {
          frontier.add(e.getValue());
          found.add(e.getKey());
        }
      }
      return found;
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
