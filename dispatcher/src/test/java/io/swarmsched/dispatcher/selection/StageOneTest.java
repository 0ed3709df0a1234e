package io.swarmsched.dispatcher.selection;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmsched.dispatcher.DispatcherConfig;
import io.swarmsched.scheduling.RankedParent;
import io.swarmsched.scheduling.ledger.HostAllocations;
import io.swarmsched.scheduling.resource.HostCapacity;
import io.swarmsched.scheduling.resource.HostLoad;
import io.swarmsched.scheduling.resource.HostLookup;
import io.swarmsched.scheduling.resource.HostType;
import io.swarmsched.scheduling.resource.HostView;
import io.swarmsched.scheduling.resource.Peer;
import io.swarmsched.scheduling.resource.PeerState;
import io.swarmsched.scheduling.resource.PeerStateMachine;
import io.swarmsched.scheduling.resource.ScoreLookup;
import io.swarmsched.scheduling.resource.Task;
import io.swarmsched.scheduling.retry.RetryOutcome;
import io.swarmsched.scheduling.round.Attempt;
import io.swarmsched.scheduling.round.RoundOutcome;
import io.swarmsched.scheduling.round.RoundRequest;
import io.swarmsched.scheduling.round.SeedState;
import io.swarmsched.scheduling.round.SwarmView;
import io.swarmsched.scheduling.stats.PieceCostStats;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's stores as core's round reads them: the ledger entries in place, the stored task
 * itself.
 */
class StageOneTest {
  private static final long NOW = 10_000;
  private final StageOne stageOne = new StageOne(DispatcherConfig.defaults());

  /**
   * h1 runs two finished peers of the task, has 2 upload slots and had 1 child assigned since its
   * last report.
   */
  private static Task taskWithTwoPeersOnOneHost() {
    Task t = new Task("t", "");
    for (String id : List.of("p1", "p2")) {
      t.addPeer(new Peer(id, "t", "h1", PeerState.SUCCEEDED, 0, 0, 0, 0, new PieceCostStats()));
    }
    t.addPeer(new Peer("me", "t", "h-me", NOW));
    return t;
  }

  private static SwarmView swarm(
      Map<String, HostView> hosts, Function<String, HostAllocations> ledger, long countFrom) {
    return StageOne.swarm(
        HostLookup.of(hosts), ScoreLookup.of(Map.of()), List::of, id -> false, ledger, countFrom);
  }

  private static SwarmView swarm(HostAllocations h1) {
    return swarm(h1, 0);
  }

  private static SwarmView swarm(HostAllocations h1, long countFrom) {
    Map<String, HostView> hosts =
        Map.of(
            "h1",
                HostView.online(
                    "h1",
                    HostType.NORMAL,
                    "",
                    "",
                    HostCapacity.uploads(100L << 20, 2),
                    HostLoad.IDLE),
            "h-me",
                HostView.online(
                    "h-me",
                    HostType.NORMAL,
                    "",
                    "",
                    HostCapacity.uploads(100L << 20, 2),
                    HostLoad.IDLE));
    return swarm(hosts, id -> "h1".equals(id) ? h1 : null, countFrom);
  }

  private RoundOutcome round(String requestId, Task t, SwarmView swarm) {
    RoundRequest r =
        new RoundRequest(requestId, t.taskId(), "me", "h-me", Set.of(), false, false, 0);
    return stageOne.round().run(r, Attempt.FIRST, () -> t, SeedState.none(), swarm, NOW);
  }

  private static List<String> parents(RoundOutcome o) {
    assertThat(o).isInstanceOf(RoundOutcome.Parents.class);
    return ((RoundOutcome.Parents) o).parents().stream().map(RankedParent::peerId).toList();
  }

  @Test
  void aHostsAllocationsCountOnceHoweverManyOfItsPeersTheTaskHas() {
    HostAllocations h1 = new HostAllocations();
    h1.record(NOW - 1); // one child assigned after the host's last report (lastSeen 0)
    // 1 pending upload < 2 slots: both peers stay candidates (counting the allocation once per peer
    // would make 2 >= 2)
    assertThat(parents(round("r1", taskWithTwoPeersOnOneHost(), swarm(h1))))
        .containsExactlyInAnyOrder("p1", "p2");
  }

  @Test
  void aHostWhoseSlotsAreTakenByAllocationsGivesNoParent() {
    HostAllocations h1 = new HostAllocations();
    h1.record(NOW - 2);
    h1.record(NOW - 1);
    // both peers hold the file, so no seed is triggered: an empty round, retried
    RoundOutcome o = round("r1", taskWithTwoPeersOnOneHost(), swarm(h1));
    assertThat(o).isInstanceOf(RoundOutcome.RetryAt.class);
    assertThat(((RoundOutcome.RetryAt) o).reason()).isEqualTo(RetryOutcome.NO_CANDIDATES);
  }

  /**
   * scoring-streams publishes a score only when it changed: allocations that never became uploads
   * stop counting after the allocation TTL, or an idle host would stay full for ever.
   */
  @Test
  void allocationsOlderThanTheTtlNoLongerTakeTheHostsSlots() {
    HostAllocations h1 = new HostAllocations();
    h1.record(NOW - 2);
    h1.record(NOW - 1);
    long ttl = DispatcherConfig.defaults().allocationTtl().toMillis();
    assertThat(ttl).isEqualTo(10_000);
    assertThat(round("r1", taskWithTwoPeersOnOneHost(), swarm(h1, NOW - ttl)))
        .as("within the TTL both count: the host's 2 slots are taken")
        .isInstanceOf(RoundOutcome.RetryAt.class);
    assertThat(parents(round("r2", taskWithTwoPeersOnOneHost(), swarm(h1, NOW - 1))))
        .as("the older one has expired: one slot free")
        .containsExactlyInAnyOrder("p1", "p2");
  }

  @Test
  void aStateChangeThroughTheMachineIsWhatTheNextRoundSees() {
    Task t = taskWithTwoPeersOnOneHost();
    HostAllocations none = new HostAllocations();
    assertThat(parents(round("r1", t, swarm(none)))).containsExactlyInAnyOrder("p1", "p2");
    new PeerStateMachine()
        .transition(t.peer("p2").orElseThrow(), PeerState.LEFT, NOW); // not a parent's state
    assertThat(parents(round("r2", t, swarm(none)))).containsExactly("p1");
  }
}
