package io.swarmsched.scheduling.dag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DagTest {

  private Dag<String> chain(String... ids) {
    Dag<String> d = new Dag<>();
    for (String id : ids) {
      d.addVertex(id);
    }
    for (int i = 0; i + 1 < ids.length; i++) {
      d.addEdge(ids[i], ids[i + 1]);
    }
    return d;
  }

  @Test
  void edgeClosingACycleIsRefused() {
    Dag<String> d = chain("a", "b", "c");
    assertThat(d.canAddEdge("c", "a")).isFalse();
    assertThatThrownBy(() -> d.addEdge("c", "a"))
        .isInstanceOf(DagException.class)
        .satisfies(e -> assertThat(((DagException) e).refusal()).isEqualTo(EdgeRefusal.CYCLE));
    assertThat(d.edgeCount()).isEqualTo(2);
    assertThat(d.canAddEdge("a", "c")).isTrue();
  }

  @Test
  void selfLoopDuplicateAndUnknownVerticesAreRefusedWithTheirReason() {
    Dag<String> d = chain("a", "b");
    assertThat(d.checkEdge("a", "a")).isEqualTo(EdgeRefusal.SELF_LOOP);
    assertThat(d.checkEdge("a", "b")).isEqualTo(EdgeRefusal.EXISTS);
    assertThat(d.checkEdge("x", "b")).isEqualTo(EdgeRefusal.UNKNOWN_FROM);
    assertThat(d.checkEdge("a", "x")).isEqualTo(EdgeRefusal.UNKNOWN_TO);
  }

  @Test
  void removeVertexDropsItsEdges() {
    Dag<String> d = chain("a", "b", "c");
    d.addEdge("a", "c");
    assertThat(d.removeVertex("b")).isTrue();
    assertThat(d.edgeCount()).isEqualTo(1);
    assertThat(d.parents("c")).containsExactly("a");
    assertThat(d.children("a")).containsExactly("c");
    assertThat(d.removeVertex("b")).isFalse();
  }

  @Test
  void parentsChildrenAndInEdgeReplacement() {
    Dag<String> d = chain("a", "c");
    d.addVertex("b");
    d.addEdge("b", "c");
    assertThat(d.parents("c")).containsExactly("a", "b");
    assertThat(d.deleteInEdges("c")).containsExactly("a", "b");
    assertThat(d.inDegree("c")).isZero();
    assertThat(d.outDegree("a")).isZero();
    assertThat(d.edgeCount()).isZero();
  }

  @Test
  void descendantsIncludeSelfAndEverythingDownstream() {
    Dag<String> d = chain("a", "b", "c");
    d.addVertex("z");
    assertThat(d.descendantsAndSelf("a")).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(d.descendantsAndSelf("c")).containsExactly("c");
    assertThat(d.reachable("a", "c")).isTrue();
    assertThat(d.reachable("c", "a")).isFalse();
    assertThat(d.isAcyclic()).isTrue();
  }

  @Test
  void theReusedDescendantWalkFollowsEveryChange() {
    Dag<String> d = chain("a", "b", "c");
    assertThat(d.descendantsAndSelf("a")).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(d.descendantsAndSelf("a")).isSameAs(d.descendantsAndSelf("a"));
    d.removeEdge("b", "c");
    assertThat(d.descendantsAndSelf("a")).containsExactlyInAnyOrder("a", "b");
    d.addVertex("x");
    d.addEdgeWithoutCycleCheck("b", "x");
    assertThat(d.descendantsAndSelf("a")).containsExactlyInAnyOrder("a", "b", "x");
    assertThat(d.descendantsAndSelf("c")).containsExactly("c");
    d.removeVertex("x");
    assertThat(d.descendantsAndSelf("a")).containsExactlyInAnyOrder("a", "b");
    assertThat(d.descendantsAndSelf("nobody")).isEmpty();
  }
}
