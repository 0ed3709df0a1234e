package io.swarmsched.scheduling.resource;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerStateMachineTest {

  private final PeerStateMachine machine = new PeerStateMachine();

  private Peer peer() {
    return new Peer("p1", "t1", "h1", 0);
  }

  @Test
  void happyPathThroughBackToSourceToSucceededAndLeft() {
    Peer p = peer();
    assertThat(machine.transition(p, PeerState.RUNNING, 10))
        .isInstanceOf(TransitionResult.Applied.class);
    assertThat(machine.transition(p, PeerState.BACK_TO_SOURCE, 20).accepted()).isTrue();
    assertThat(machine.transition(p, PeerState.SUCCEEDED, 30).accepted()).isTrue();
    assertThat(machine.transition(p, PeerState.LEFT, 40).accepted()).isTrue();
    assertThat(p.state()).isEqualTo(PeerState.LEFT);
    assertThat(p.stateChangedAtMillis()).isEqualTo(40);
    assertThat(machine.appliedCount()).isEqualTo(4);
    assertThat(machine.illegalCount()).isZero();
  }

  @Test
  void illegalTransitionIsRejectedKeepsTheStateAndIsCounted() {
    Peer p = peer();
    TransitionResult r = machine.transition(p, PeerState.SUCCEEDED, 10);
    assertThat(r)
        .isEqualTo(
            new TransitionResult.IllegalTransition("p1", PeerState.PENDING, PeerState.SUCCEEDED));
    assertThat(r.accepted()).isFalse();
    assertThat(p.state()).isEqualTo(PeerState.PENDING);
    machine.transition(p, PeerState.LEFT, 20);
    machine.transition(p, PeerState.RUNNING, 30);
    machine.transition(p, PeerState.RUNNING, 40);
    assertThat(machine.illegalCount()).isEqualTo(3);
    assertThat(machine.illegalByTransition())
        .containsEntry("PENDING->SUCCEEDED", 1L)
        .containsEntry("LEFT->RUNNING", 2L);
  }

  @Test
  void sameStateIsUnchangedNotIllegal() {
    Peer p = peer();
    machine.transition(p, PeerState.RUNNING, 10);
    assertThat(machine.transition(p, PeerState.RUNNING, 20))
        .isInstanceOf(TransitionResult.Unchanged.class);
    assertThat(machine.illegalCount()).isZero();
  }

  @Test
  void finishedPeersCannotGoBack() {
    assertThat(PeerStateMachine.isLegal(PeerState.SUCCEEDED, PeerState.RUNNING)).isFalse();
    assertThat(PeerStateMachine.isLegal(PeerState.FAILED, PeerState.RUNNING)).isFalse();
    assertThat(PeerStateMachine.isLegal(PeerState.BACK_TO_SOURCE, PeerState.RUNNING)).isFalse();
    assertThat(PeerStateMachine.isLegal(PeerState.PENDING, PeerState.BACK_TO_SOURCE)).isTrue();
    for (PeerState s : PeerState.values()) {
      assertThat(PeerStateMachine.isLegal(PeerState.LEFT, s)).isFalse();
    }
  }

  @Test
  void taskRemovesPeerWithItsEdgesAndReturnsOrphanedChildren() {
    Task t = new Task("t1", "u");
    for (String id : new String[] {"a", "b", "c"}) {
      t.addPeer(new Peer(id, "t1", "h-" + id, 0));
    }
    t.dag().addEdge("a", "c");
    t.dag().addEdge("a", "b");
    assertThat(t.removePeer("a")).containsExactly("b", "c");
    assertThat(t.dag().edgeCount()).isZero();
    assertThat(t.peers()).extracting(Peer::peerId).containsExactly("b", "c");
  }

  @Test
  void taskCountsBackToSourcePeersAndKnowsWhetherAnyoneHasPieces() {
    Task t = new Task("t1", "u");
    Peer a = t.addPeer(new Peer("a", "t1", "h", 0));
    assertThat(t.hasAvailablePeer()).isFalse();
    machine.transition(a, PeerState.RUNNING, 1);
    assertThat(t.hasAvailablePeer()).isFalse();
    a.recordPiece(10, 2);
    assertThat(t.hasAvailablePeer()).isTrue();
    Peer b = t.addPeer(new Peer("b", "t1", "h2", 0));
    machine.transition(b, PeerState.BACK_TO_SOURCE, 1);
    assertThat(t.backToSourceCount()).isEqualTo(1);
  }
}
