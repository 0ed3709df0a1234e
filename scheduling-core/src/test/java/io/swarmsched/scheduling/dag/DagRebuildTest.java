package io.swarmsched.scheduling.dag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DagRebuildTest {

  private static Dag<String> vertices(String... vs) {
    Dag<String> dag = new Dag<>();
    for (String v : vs) {
      dag.addVertex(v);
    }
    return dag;
  }

  @Test
  void edgesAddedWithoutTheCheckFormTheSameGraph() {
    Dag<String> dag = vertices("a", "b", "c");
    assertThat(dag.addEdgeWithoutCycleCheck("a", "b")).isTrue();
    assertThat(dag.addEdgeWithoutCycleCheck("b", "c")).isTrue();
    assertThat(dag.addEdgeWithoutCycleCheck("a", "b")).isFalse();
    assertThat(dag.isAcyclic()).isTrue();
    assertThat(dag.canAddEdge("c", "a")).isFalse();
  }

  @Test
  void aCycleAddedWithoutTheCheckIsDetected() {
    Dag<String> dag = vertices("a", "b", "c");
    dag.addEdgeWithoutCycleCheck("a", "b");
    dag.addEdgeWithoutCycleCheck("b", "c");
    dag.addEdgeWithoutCycleCheck("c", "a");
    assertThat(dag.isAcyclic()).isFalse();
  }

  @Test
  void unknownVerticesAndSelfLoopsAreStillRefused() {
    Dag<String> dag = vertices("a");
    assertThatThrownBy(() -> dag.addEdgeWithoutCycleCheck("a", "x"))
        .isInstanceOf(DagException.class);
    assertThatThrownBy(() -> dag.addEdgeWithoutCycleCheck("a", "a"))
        .isInstanceOf(DagException.class);
    assertThat(vertices().isAcyclic()).isTrue();
  }
}
