package io.swarmsched.scheduling.dag;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
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
}
