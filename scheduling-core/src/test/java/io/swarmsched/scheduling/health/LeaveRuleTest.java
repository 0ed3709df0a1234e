package io.swarmsched.scheduling.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Liveness;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.PeerStateMachine;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaveRuleTest {
  private static final long IDLE = 60_000;
  private final LeaveRule rule = new LeaveRule(IDLE);

  private static HostView host(Liveness l) {
    return new HostView(
        "h1",
        "h1:1",
        HostType.NORMAL,
        "",
        "",
        Set.of(),
        l,
        false,
        new HostCapacity(0, 0, 4, 0, 0, 0),
        new HostLoad(0, 0, 0),
        0,
        false);
  }

  private static Peer peer(PeerState state) {
    Peer p = new Peer("p1", "t1", "h1", 0);
    if (state != PeerState.PENDING) new PeerStateMachine().transition(p, PeerState.RUNNING, 0);
    if (state == PeerState.SUCCEEDED) new PeerStateMachine().transition(p, state, 0);
    return p;
  }

  @Test
  void aPeerOnAnOfflineHostLeavesWhateverItsState() {
    for (PeerState s : new PeerState[] {PeerState.RUNNING, PeerState.SUCCEEDED}) {
      assertThat(rule.reason(peer(s), host(Liveness.OFFLINE), 1, id -> false))
          .isEqualTo(LeaveRule.HOST_OFFLINE);
    }
  }

  @Test
  void aRunningPeerLeavesOnlyAfterTheIdleTimeout() {
    Peer p = peer(PeerState.RUNNING);
    assertThat(rule.reason(p, host(Liveness.ONLINE), IDLE, id -> false)).isNull();
    assertThat(rule.reason(p, host(Liveness.ONLINE), IDLE + 1, id -> false))
        .isEqualTo(LeaveRule.NO_PROGRESS);
    assertThat(rule.reason(p, null, IDLE + 1, id -> false))
        .as("an unknown host is not an offline one")
        .isEqualTo(LeaveRule.NO_PROGRESS);
  }

  @Test
  void aPeerWaitingForARetryOfItsOwnRequestIsNotIdle() {
    Peer p = peer(PeerState.PENDING);
    assertThat(rule.reason(p, host(Liveness.ONLINE), IDLE + 1, "p1"::equals)).isNull();
  }

  @Test
  void aFinishedPeerNeverLeavesForWantOfProgressAndTheRetryQuestionIsNotAsked() {
    Peer p = peer(PeerState.SUCCEEDED);
    assertThat(
            rule.reason(
                p,
                host(Liveness.ONLINE),
                10 * IDLE,
                id -> {
                  throw new AssertionError("asked about " + id);
                }))
        .isNull();
  }

  @Test
  void aNegativeTimeoutIsRefused() {
    assertThatThrownBy(() -> new LeaveRule(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
