package io.swarmsched.scheduling.dag;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
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
    final Set<K> parents = new LinkedHashSet<>();
    final Set<K> children = new LinkedHashSet<>();
  }

  /** Adds a vertex; false when it exists already. */
  public boolean addVertex(K v) {
    Objects.requireNonNull(v, "vertex");
    if (vertices.containsKey(v)) {
      return false;
    }
    vertices.put(v, new Vertex<>());
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
    for (K p : vx.parents) {
      vertices.get(p).children.remove(v);
    }
    for (K c : vx.children) {
      vertices.get(c).parents.remove(v);
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
    if (vertices.get(from).children.contains(to)) {
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
    vertices.get(from).children.add(to);
    vertices.get(to).parents.add(from);
    edgeCount++;
    version++;
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
    if (!f.children.add(to)) {
      return false;
    }
    t.parents.add(from);
    edgeCount++;
    version++;
    return true;
  }

  /** Removes {@code from → to}; false when absent. */
  public boolean removeEdge(K from, K to) {
    Vertex<K> f = vertices.get(from);
    Vertex<K> t = vertices.get(to);
    if (f == null || t == null || !f.children.remove(to)) {
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
    List<K> former = new ArrayList<>(vx.parents);
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
    List<K> former = new ArrayList<>(vx.children);
    for (K c : former) {
      removeEdge(v, c);
    }
    return former;
  }

  public Set<K> parents(K v) {
    Vertex<K> vx = vertices.get(v);
    return vx == null ? Set.of() : Collections.unmodifiableSet(vx.parents);
  }

  public Set<K> children(K v) {
    Vertex<K> vx = vertices.get(v);
    return vx == null ? Set.of() : Collections.unmodifiableSet(vx.children);
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
      for (K c : vertices.get(stack.pop()).children) {
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
        for (K c : vertices.get(stack.pop()).children) {
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
    vertices.forEach((k, vx) -> vx.children.forEach(c -> out.add(new Edge<>(k, c))));
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
      for (K c : vertices.get(k).children) {
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
