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

  /**
   * The bounded reachability walk (topological positions kept on every edge added, interleaved
   * walks) must answer exactly as a full descendant walk, through random additions, refusals,
   * removals and vertex churn: stage 1's cycle decisions depend on it.
   */
  @Test
  void reachAnswersExactlyAsAFullDescendantWalkUnderRandomEdits() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
    Dag<Integer> d = new Dag<>();
    int next = 0;
    for (int step = 0; step < 4000; step++) {
      int op = rnd.nextInt(10);
      if (op == 0 || d.vertexCount() < 3) {
        d.addVertex(next++);
      } else if (op == 1) {
        d.removeVertex(rnd.nextInt(next));
      } else if (op == 2) {
        d.deleteInEdges(rnd.nextInt(next));
      } else {
        int from = rnd.nextInt(next);
        int to = rnd.nextInt(next);
        boolean cycle = d.hasVertex(from) && d.descendantsAndSelf(to).contains(from);
        if (d.hasVertex(from) && d.hasVertex(to)) {
          assertThat(d.checkEdge(from, to) == EdgeRefusal.CYCLE).isEqualTo(cycle && from != to);
        }
        if (d.canAddEdge(from, to)) {
          if (op % 2 == 0) {
            d.addEdge(from, to);
          } else {
            d.addEdgeWithoutCycleCheck(from, to);
          }
        }
      }
      if (step % 50 == 0) {
        int origin = rnd.nextInt(next);
        java.util.Set<Integer> truth = d.descendantsAndSelf(origin);
        Dag<Integer>.Reach reach = d.reachFrom(origin);
        for (int v = 0; v < next; v++) {
          int target = rnd.nextInt(next);
          assertThat(reach.reaches(target))
              .as("%d reaches %d", origin, target)
              .isEqualTo(truth.contains(target));
        }
      }
    }
    assertThat(d.isAcyclic()).isTrue();
  }

  @Test
  void reachIsRefusedOnceTheGraphChanged() {
    Dag<String> d = chain("a", "b", "c");
    Dag<String>.Reach reach = d.reachFrom("a");
    assertThat(reach.reaches("c")).isTrue();
    assertThat(d.reachFrom("c").reaches("a")).isFalse();
    d.removeEdge("a", "b");
    assertThatThrownBy(() -> reach.reaches("c")).isInstanceOf(IllegalStateException.class);
    assertThat(d.reachFrom("a").reaches("c")).isFalse();
  }

  @Test
  void anUncheckedEdgeClosingACycleFallsBackToTheFullWalk() {
    Dag<String> d = chain("a", "b", "c");
    d.addEdgeWithoutCycleCheck("c", "a");
    assertThat(d.isAcyclic()).isFalse();
    assertThat(d.reachFrom("b").reaches("a")).isTrue();
    assertThat(d.reachFrom("c").reaches("b")).isTrue();
    assertThat(d.childrenLeadingTo("b", java.util.List.of("a"))).containsExactly("c");
    assertThat(d.childrenLeadingTo("a", java.util.List.of("c"))).containsExactly("b");
  }

  /**
   * The cut finds child {@code x1} by its own walk (it meets the walk from the target at {@code
   * m}), and child {@code x2} leads to the target only through {@code x1}: the walk towards the
   * target's ancestors must go on from {@code x1}, or it runs out before {@code x2}'s walk gets
   * there and answers no.
   */
  @Test
  void aChildLeadingToTheTargetOnlyThroughAnotherChildIsFound() {
    Dag<String> d = new Dag<>();
    for (String v : java.util.List.of("v", "x2", "y", "x1", "m", "t")) {
      d.addVertex(v);
    }
    d.addEdge("v", "x1"); // x1 first among v's children
    d.addEdge("v", "x2");
    d.addEdge("x1", "m");
    d.addEdge("m", "t");
    d.addEdge("x2", "y");
    d.addEdge("y", "x1");
    assertThat(d.childrenLeadingTo("v", java.util.List.of("t"))).containsExactly("x1", "x2");
    assertThat(d.childrenLeadingTo("x2", java.util.List.of("t"))).containsExactly("y");
    assertThat(d.childrenLeadingTo("v", java.util.List.of("y"))).containsExactly("x2");
  }

  /**
   * The commit's cut on a DAG shaped like a swarm's (every vertex has up to four parents placed
   * before it, so most vertices reach most of those after them), against one reachability question
   * per child: with and without a valid walk from the vertex beforehand (whose "no"s the cut may
   * use), with one and with two targets.
   */
  @Test
  void childrenLeadingToAgreesWithAQuestionPerChildInALargeDag() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
    Dag<Integer> d = new Dag<>();
    int n = 400;
    for (int v = 0; v < n; v++) {
      d.addVertex(v);
      for (int k = 0; k < 4 && v > 0; k++) {
        int p = rnd.nextInt(v);
        if (d.canAddEdge(p, v)) {
          d.addEdge(p, v);
        }
      }
    }
    for (int e = 0; e < 200; e++) { // edges against the order too: the order must move
      int from = rnd.nextInt(n);
      int to = rnd.nextInt(n);
      if (d.canAddEdge(from, to)) {
        d.addEdge(from, to);
      }
    }
    int checked = 0;
    for (int round = 0; round < 300; round++) {
      int v = rnd.nextInt(n);
      if (d.outDegree(v) == 0) {
        continue;
      }
      java.util.List<Integer> targets =
          round % 2 == 0
              ? java.util.List.of(rnd.nextInt(n))
              : java.util.List.of(rnd.nextInt(n), rnd.nextInt(n));
      if (round % 3 == 0) {
        Dag<Integer>.Reach walk = d.reachFrom(v);
        for (int q = 0; q < 20; q++) {
          walk.reaches(rnd.nextInt(n)); // leaves "no" marks the cut may use
        }
      }
      java.util.List<Integer> expected = new java.util.ArrayList<>();
      for (int c : d.children(v)) {
        if (targets.stream().anyMatch(t -> d.reachable(c, t))) {
          expected.add(c);
        }
      }
      assertThat(d.childrenLeadingTo(v, targets))
          .as("round %d: children of %d leading to %s", round, v, targets)
          .containsExactlyElementsOf(expected);
      checked += expected.size();
    }
    assertThat(checked).as("children found leading to a target").isGreaterThan(100);
  }

  /**
   * Two walks of the same graph used in turn (e.g. two requests filtered before either commits):
   * each must keep answering exactly although the other marked the vertices meanwhile.
   */
  @Test
  void twoReachWalksUsedInTurnBothAnswerExactly() {
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
    Dag<Integer> d = new Dag<>();
    int n = 300;
    for (int v = 0; v < n; v++) {
      d.addVertex(v);
    }
    for (int e = 0; e < 900; e++) {
      int from = rnd.nextInt(n);
      int to = rnd.nextInt(n);
      if (d.canAddEdge(from, to)) {
        d.addEdge(from, to);
      }
    }
    for (int round = 0; round < 20; round++) {
      int a = rnd.nextInt(n);
      int b = rnd.nextInt(n);
      java.util.Set<Integer> fromA = d.descendantsAndSelf(a);
      java.util.Set<Integer> fromB = new java.util.HashSet<>(d.descendantsAndSelf(b));
      Dag<Integer>.Reach ra = d.reachFrom(a);
      Dag<Integer>.Reach rb = d.reachFrom(b);
      for (int q = 0; q < 60; q++) {
        int t = rnd.nextInt(n);
        Dag<Integer>.Reach r = q % 2 == 0 ? ra : rb;
        java.util.Set<Integer> truth = q % 2 == 0 ? fromA : fromB;
        assertThat(r.reaches(t))
            .as("round %d, query %d: %d", round, q, t)
            .isEqualTo(truth.contains(t));
        int x = rnd.nextInt(n);
        assertThat(d.reachable(q % 2 == 0 ? a : b, x)).isEqualTo(truth.contains(x));
      }
    }
  }
}
