package io.swarmsched.scheduling.dag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple3;

class DagPropertiesTest {

  /** (op, a, b): op 0-6 add edge, 7 remove edge, 8 remove vertex, 9 re-add vertex. */
  @Provide
  Arbitrary<List<Tuple3<Integer, Integer, Integer>>> operations() {
    Arbitrary<Tuple3<Integer, Integer, Integer>> op =
        Arbitraries.integers()
            .between(0, 9)
            .flatMap(
                o ->
                    Arbitraries.integers()
                        .between(0, 11)
                        .flatMap(
                            a ->
                                Arbitraries.integers().between(0, 11).map(b -> Tuple.of(o, a, b))));
    return op.list().ofMinSize(1).ofMaxSize(200);
  }

  @Property(tries = 300)
  void randomEdgeAdditionsNeverProduceACycle(
      @ForAll("operations") List<Tuple3<Integer, Integer, Integer>> ops) {
    Dag<Integer> d = new Dag<>();
    for (int v = 0; v < 12; v++) {
      d.addVertex(v);
    }
    for (Tuple3<Integer, Integer, Integer> op : ops) {
      int a = op.get2();
      int b = op.get3();
      switch (op.get1()) {
        case 7 -> d.removeEdge(a, b);
        case 8 -> d.removeVertex(a);
        case 9 -> d.addVertex(a);
        default -> {
          boolean can = d.canAddEdge(a, b);
          // canAddEdge agrees with an independent reachability check.
          boolean expected =
              d.hasVertex(a)
                  && d.hasVertex(b)
                  && a != b
                  && !d.children(a).contains(b)
                  && !d.reachable(b, a);
          assertThat(can).isEqualTo(expected);
          if (can) {
            d.addEdge(a, b);
          }
        }
      }
      assertThat(d.isAcyclic()).isTrue();
    }
    int edges = 0;
    for (Integer v : d.vertices()) {
      edges += d.children(v).size();
      for (Integer c : d.children(v)) {
        assertThat(d.parents(c)).contains(v);
      }
    }
    assertThat(d.edgeCount()).isEqualTo(edges);
  }

  /**
   * The order upkeep (edges against the topological order move the head's descendants after the
   * tail, labels spread out again when a gap is used up) never changes an answer: after every
   * random insert (checked or not), removal, vertex removal and in- or out-edge deletion, every
   * reachability question, edge check and lazy walk agrees with a plain breadth-first search over a
   * separate copy of the edges.
   */
  @Property(tries = 100)
  void everyAnswerAgreesWithANaiveReachabilityOracle(
      @ForAll("operations") List<Tuple3<Integer, Integer, Integer>> ops) {
    Dag<Integer> d = new Dag<>();
    Map<Integer, Set<Integer>> model = new HashMap<>();
    for (int v = 0; v < 12; v++) {
      d.addVertex(v);
      model.put(v, new HashSet<>());
    }
    for (Tuple3<Integer, Integer, Integer> op : ops) {
      int a = op.get2();
      int b = op.get3();
      switch (op.get1()) {
        case 0, 1, 2 -> {
          if (d.canAddEdge(a, b)) {
            d.addEdge(a, b);
            model.get(a).add(b);
          }
        }
        case 3, 4 -> { // unchecked, but only when the oracle says it closes no cycle
          if (model.containsKey(a) && model.containsKey(b) && a != b && !oracle(model, b, a)) {
            d.addEdgeWithoutCycleCheck(a, b);
            model.get(a).add(b);
          }
        }
        case 5 -> {
          d.removeEdge(a, b);
          if (model.containsKey(a)) {
            model.get(a).remove(b);
          }
        }
        case 6 -> {
          d.deleteInEdges(a);
          model.values().forEach(cs -> cs.remove(a));
        }
        case 7 -> {
          d.deleteOutEdges(a);
          if (model.containsKey(a)) {
            model.get(a).clear();
          }
        }
        case 8 -> {
          d.removeVertex(a);
          model.remove(a);
          model.values().forEach(cs -> cs.remove(a));
        }
        default -> {
          d.addVertex(a);
          model.putIfAbsent(a, new HashSet<>());
        }
      }
      assertAgrees(d, model);
    }
    assertThat(d.isAcyclic()).isTrue();
  }

  /**
   * Many edges against the order into the same gap (each moves a vertex to just after {@code a},
   * halving the gap before {@code a}'s next vertex) use it up several times over; the labels are
   * spread out again and every answer stays exact.
   */
  @Property(tries = 5)
  void aUsedUpGapIsSpreadOutAgainWithoutChangingAnAnswer(
      @ForAll @net.jqwik.api.constraints.IntRange(min = 100, max = 160) int pool) {
    Dag<Integer> d = new Dag<>();
    Map<Integer, Set<Integer>> model = new HashMap<>();
    for (int v = 0; v < pool + 2; v++) { // the pool first, then a (pool) and b (pool + 1)
      d.addVertex(v);
      model.put(v, new HashSet<>());
    }
    int a = pool;
    int b = pool + 1;
    d.addEdge(a, b);
    model.get(a).add(b);
    for (int p = 0; p < pool; p++) {
      d.addEdge(a, p); // p stood before a: it moves between a and whatever follows a
      model.get(a).add(p);
      if (p > 0) {
        d.addEdge(p, p - 1); // p now stands before p - 1: p - 1 moves after it
        model.get(p).add(p - 1);
      }
      if (p % 10 == 0) {
        assertAgrees(d, model);
      }
    }
    assertAgrees(d, model);
    assertThat(d.canAddEdge(0, a)).isFalse();
  }

  private static void assertAgrees(Dag<Integer> d, Map<Integer, Set<Integer>> model) {
    List<Integer> vs = new ArrayList<>(model.keySet());
    assertThat(d.vertices()).containsExactlyInAnyOrderElementsOf(vs);
    for (int from : vs) {
      Dag<Integer>.Reach reach = d.reachFrom(from);
      for (int to : vs) {
        boolean truth = oracle(model, from, to);
        assertThat(d.reachable(from, to)).as("%d reaches %d", from, to).isEqualTo(truth);
        assertThat(reach.reaches(to)).as("walk from %d reaches %d", from, to).isEqualTo(truth);
        boolean cycle = from != to && oracle(model, to, from);
        assertThat(d.checkEdge(from, to) == EdgeRefusal.CYCLE)
            .as("%d -> %d closes a cycle", from, to)
            .isEqualTo(cycle && !model.get(from).contains(to));
      }
      // the children of `from` that lead to a target set (two vertices, and one): those with a
      // path to one of the targets, or that are one, in the children's order
      for (List<Integer> targets :
          List.of(List.of(from, (from + 5) % 12), List.of((from + 7) % 12))) {
        List<Integer> expected = new ArrayList<>();
        for (int c : d.children(from)) {
          if (targets.stream().anyMatch(t -> oracle(model, c, t))) {
            expected.add(c);
          }
        }
        assertThat(d.childrenLeadingTo(from, targets))
            .as("children of %d leading to %s", from, targets)
            .containsExactlyElementsOf(expected);
      }
    }
  }

  /** Breadth-first search over the model's edges: a path from {@code from} to {@code to}. */
  private static boolean oracle(Map<Integer, Set<Integer>> model, int from, int to) {
    if (!model.containsKey(from) || !model.containsKey(to)) {
      return false;
    }
    Set<Integer> seen = new HashSet<>(List.of(from));
    Deque<Integer> todo = new ArrayDeque<>(List.of(from));
    while (!todo.isEmpty()) {
      int v = todo.poll();
      if (v == to) {
        return true;
      }
      for (int c : model.get(v)) {
        if (seen.add(c)) {
          todo.add(c);
        }
      }
    }
    return false;
  }
}
